/** The liveness probe's path, the one the probe thread answers from the main loop's heartbeat. */
export const LIVENESS_PATH = '/healthz';

/** The startup probe's path, whose checks are the startup ones (readiness.service.ts). */
export const STARTUP_PATH = '/startupz';

/**
 * Kubelet probe routes. Load shedding, chaos, tracing, rate limits and access logs leave these
 * alone: the request-state hook decides it once per request by the matched route template
 * (`RequestState.probe`), so query strings (`/healthz?x`) cannot hide a probe; admission, which
 * runs before routing, matches the raw URL (admission/admission.listener.ts). The probe port's
 * thread serves these and no others (probe.server.ts hands it this set).
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set([LIVENESS_PATH, '/readyz', STARTUP_PATH]);

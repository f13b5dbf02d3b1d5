/**
 * Kubelet probe routes. Load shedding, chaos, tracing, rate limits and access logs leave these
 * alone: the request-state hook decides it once per request by the matched route template
 * (`RequestState.probe`), so query strings (`/healthz?x`) cannot hide a probe; admission, which
 * runs before routing, matches the raw URL (admission/admission.listener.ts).
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/startupz']);

/** Kubelet probe routes. Load shedding, chaos, tracing and access logs leave these alone. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/startupz']);

import { int } from './config.fields.js';

/**
 * Failure statuses an injected error may not take, each because HTTP requires a header with it
 * that a made-up failure cannot truthfully send: 401 `WWW-Authenticate` (RFC 9110 §15.5.2),
 * 405 `Allow` (§15.5.6), 407 `Proxy-Authenticate` (§15.5.8), 408 `Connection: close` (§15.5.9),
 * 416 `Content-Range` (§15.5.17), 426 `Upgrade` (§15.5.22). Injected, they went out without it
 * (a 405 with no Allow, a 401 with no challenge), which clients may treat as a broken server.
 * Every other 4xx/5xx needs nothing (429's and 503's Retry-After is a MAY). `GET /status/:code`
 * answers these with the header instead (src/chaos/requested-status.headers.ts; a spec there
 * keeps the two lists the same).
 */
const NEEDS_A_HEADER: ReadonlySet<number> = new Set([401, 405, 407, 408, 416, 426]);

export const CHAOS_STATUS_MESSAGE =
  'must be a 4xx or 5xx that needs no header of its own (not 401, 405, 407, 408, 416 or 426)';

/** Whether `status` may be injected (admin PUT /chaos `errorStatus`, CHAOS_ERROR_STATUS). */
export const injectableStatus = (status: number): boolean =>
  status >= 400 && status <= 599 && !NEEDS_A_HEADER.has(status);

/**
 * CHAOS_ERROR_STATUS: bounds recorded by int() for the chart, the exclusions checked here. One
 * message says both, once: the exclusions are not checked on a value that failed int() (zod runs
 * a refinement after a failed bound, and `200` was reported as too small and again as no 4xx).
 */
export const chaosStatus = () =>
  int(400, 599, CHAOS_STATUS_MESSAGE).refine(injectableStatus, {
    message: CHAOS_STATUS_MESSAGE,
    when: (payload) => payload.issues.length === 0,
  });

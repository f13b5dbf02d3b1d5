import {
  isUpstreamBadResponseError,
  isUpstreamStatusError,
  isUpstreamTimeoutError,
  isUpstreamUnreachableError,
} from './upstream.errors.js';

// The two filters that say what a call's error tells the breaker about its backend, handed to
// cockatiel by upstream.policies.ts: apart from the wiring, as the rules a reader checks one
// outcome against.

/**
 * A backend failure, as the breaker counts it: unreachable, an answer that is not usable HTTP,
 * timed out within its own UPSTREAM_TIMEOUT_MS, or silent for half of it before its caller cut
 * it short (deadline or disconnect: BackendPolicy.cutEarly; one cut sooner reaches here as the
 * caller's own reason, or with `cutByDeadline`), 5xx (not a 504 at the caller's deadline,
 * forwarded to the backend).
 * Not a 429: it is about the caller (its rate limit spent at the backend), not the backend's
 * health; counted, one client over its limit at a chained rampart opened the breaker for every
 * client. It resets nothing either: one client's 429s interleaved with everyone's 5xx must not
 * keep an outage from opening the breaker.
 */
export const isBackendFailure = (e: unknown): boolean =>
  isUpstreamUnreachableError(e) ||
  isUpstreamBadResponseError(e) ||
  (isUpstreamTimeoutError(e) && !e.cutByDeadline) ||
  (isUpstreamStatusError(e) && !e.deadlineForwarded && e.upstreamStatus >= 500);

/**
 * Whether an error is the backend's verdict on the half-open probe: its failure (re-opens the
 * breaker), or the one answer that arrives as an error, a 429 (busy with that caller, but up:
 * closes it, as any answer does). Any other error proved nothing about the backend: its caller
 * left, or its deadline cut it short, before the backend could be called slow (a cut after half of
 * UPSTREAM_TIMEOUT_MS is a failure), or a full bulkhead refused it. Such a probe is given back
 * (circuit.admission.ts): the breaker stays half-open and the next call probes. cockatiel counts
 * an error its filter does not handle as a half-open success ("Task failed successfully"), which
 * closed the breaker on a backend still hung; counted as a failure instead, such a probe re-opened
 * it for another cooldown on a backend that may have been healthy.
 */
export const decidesProbe = (e: unknown): boolean =>
  isBackendFailure(e) || (isUpstreamStatusError(e) && e.upstreamStatus === 429);

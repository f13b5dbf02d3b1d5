/**
 * Starts a deadline timer: `setTimeout`, unreferenced. A request's deadline of the usual
 * duration waits in a DeadlineQueue instead (deadline.queue.ts), which comes here for any other.
 *
 * Node keeps one timer list per duration. When the last referenced timer of a duration is
 * cleared it frees the list (lib/internal/timers.js `unenroll`: the list leaves the dictionary
 * of lists and the priority queue); an unreferenced one it keeps, since such timers are "likely
 * to come from http and be recreated shortly after". A request answered before the next one
 * arrives (most `GET /hello`s, and most requests of a pod below saturation) cleared the only
 * timer of its duration, so every request made, queued and freed a list (callgrind: one
 * dictionary element added and one deleted per request). Unreferenced, its timer is an append
 * and an unlink (deadline.timer.bench.ts). Nothing is lost by it: a request in flight holds its
 * socket, which keeps the process alive whatever its timer does.
 *
 * For timers of few durations (DB_QUERY_TIMEOUT_MS, the queue's other ones). A kept list is
 * freed at its own expiry, so a client's `x-request-timeout` values (at most REQUEST_TIMEOUT_MS
 * distinct ones) keep at most that many lists, each for no longer than its duration. A request
 * that waited in the admission queue gets the rest of its deadline, a duration of its own: under
 * queueing the lists are as many as the distinct waits in milliseconds, each kept as long.
 */
export function startDeadlineTimer<Args extends unknown[]>(
  onDeadline: (...args: Args) => void,
  timeoutMs: number,
  ...args: Args
): NodeJS.Timeout {
  return setTimeout(onDeadline, timeoutMs, ...args).unref();
}

/**
 * The headers HTTP requires with a status, for `GET /status/:code`. The caller asked for that
 * status, so the answer pretends the situation it names and sends what a client reads to act on
 * it; without them a 405 went out with no Allow and a 401 with no challenge, which clients may
 * treat as a broken server. (Injected chaos failures refuse these statuses instead:
 * src/config/chaos-status.field.ts. A failure on a random request cannot pretend anything.)
 */
type RequiredHeaders = Readonly<Record<string, string>>;

const REQUIRED_HEADERS: ReadonlyMap<number, RequiredHeaders> = new Map<number, RequiredHeaders>([
  // RFC 9110 §15.5.2: a challenge, whose realm says it is made up (the usual one for a status
  // echo); no credentials ever pass, so a client that retries with some gets the 401 again.
  [401, { 'www-authenticate': 'Basic realm="Fake Realm"' }],
  // §15.5.6 and §10.2.1: an empty Allow is "no method is allowed here at the moment". Listing
  // GET would invite the client to repeat the very request that was refused.
  [405, { allow: '' }],
  // §15.5.8: the proxy's challenge, made up like 401's.
  [407, { 'proxy-authenticate': 'Basic realm="Fake Realm"' }],
  // §15.5.9: a 408 means the server is closing the connection; Node closes it after this answer.
  [408, { connection: 'close' }],
  // §15.5.17 (SHOULD): no range of an empty representation is satisfiable.
  [416, { 'content-range': 'bytes */0' }],
  // §15.5.22 and §7.8: the protocol to upgrade to, with the `upgrade` connection option that
  // stops intermediaries forwarding Upgrade. The pair is RFC 2817 §4.2's own example.
  [426, { upgrade: 'TLS/1.2, HTTP/1.1', connection: 'Upgrade' }],
]);

/** The headers a requested `status` must carry; none for most. */
export const requiredHeaders = (status: number): RequiredHeaders | undefined =>
  REQUIRED_HEADERS.get(status);

/** RFC 9110 §15.4: the redirects whose Location a client follows. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The headers a requested 2xx or 3xx must carry, given the body it answers with (`{status,
 * title}` as JSON): a redirect's Location (§10.2.2: a client has nowhere to go without it; `/hello`,
 * so following it ends in a 200), and a 206's Content-Range (§15.3.7, a MUST: the body is the
 * whole representation, sent as its one range).
 */
export function successHeaders(status: number, body: string): RequiredHeaders | undefined {
  if (REDIRECTS.has(status)) return { location: '/hello' };
  if (status !== 206) return undefined;
  const bytes = Buffer.byteLength(body);
  return { 'content-range': `bytes 0-${bytes - 1}/${bytes}` };
}

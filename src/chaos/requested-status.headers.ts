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

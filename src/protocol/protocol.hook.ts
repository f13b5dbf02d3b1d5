import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { writeRawProblem } from '../errors/client-error.reply.js';
import { closeLingering } from '../errors/lingering-close.js';
import { protocolChecks } from './protocol.checks.js';
import { answeredUnrouted } from './unrouted.reply.js';

/**
 * Request checks llhttp leaves to the application, answered in problem+json before any body is
 * read (so a method or Host problem wins over a 413 or 415):
 * 1. an HTTP version other than 1.1 or 1.0 → 505 (RFC 9110 §15.6.6). llhttp refuses most
 *    (`HTTP/1.2`: errors/client-error.reply.ts answers the same 505) but passes `HTTP/2.0` and a
 *    request line without a version (HTTP/0.9), which were served, a POST's item stored;
 * 2. Host: absent on HTTP/1.1, repeated, or not a host[:port] → 400 (host-header.check.ts). The
 *    listener must be built with `requireHostHeader: false`, or Node answers the missing-Host
 *    case itself with an empty 400;
 * 3. Transfer-Encoding other than `chunked` → 400 (llhttp lets it through:
 *    transfer-coding.check.ts);
 *    these three close the connection;
 * 4. no route: a path that exists with other methods → 405 with `Allow` (RFC 9110 §15.5.6);
 *    otherwise 404 (unrouted.reply.ts). Fastify answers both with 404. With rate limiting on, a hook of its own
 *    (`unrouted: 'later'`, then registerRouteChecks after http/rate-limit.hook.ts), so a limited
 *    client's 404s and 405s are refused 429 like its other requests; 1 to 3 come before the
 *    limiter, as a 429 left on a connection whose framing is in doubt would keep it open.
 *    Otherwise in the same hook: one hook fewer on every request;
 * 5. CONNECT (a tunnel request) never reaches Fastify, and with no 'connect' listener Node closes
 *    the socket without a word. Nothing here is a proxy: 405 with an empty Allow (§10.2.1),
 *    then the connection closes lingering (errors/lingering-close.ts);
 * 6. the `*` target: 204 to OPTIONS, 400 to any other method;
 * 7. a target with a fragment, with userinfo, of a scheme other than http(s), or neither a path
 *    nor a URL (`*hello`) → 400 BAD_REQUEST; a URL whose host or port is none (`http://a:99999/`)
 *    → 400 MALFORMED_URL (request-target.ts's targetProblem, which the probe port calls too).
 *    Only a target that does not start with `/` or holds a `#` is looked at: the common request
 *    pays one comparison and one indexOf.
 * 1 to 3, 6 and 7 are protocol.checks.ts, run in one function; this file registers the hooks.
 * The router refuses a target it cannot read before any hook (a malformed escape, a URL it cannot
 * parse): the listener's `frameworkErrors` (frameworkErrorReply) runs 1 to 3, 6 and 7 first.
 */
export function registerProtocolChecks(
  app: FastifyInstance,
  unrouted: 'here' | 'later' = 'here',
): void {
  app.server.on('connect', (_request, socket: Socket) => {
    app.problemCounts?.record('METHOD_NOT_ALLOWED');
    writeRawProblem(
      socket,
      { status: 405, code: 'METHOD_NOT_ALLOWED', detail: 'CONNECT is not supported.' },
      { allow: '' },
    );
    // Not destroyed at once: a client may send on behind its head (a tunnel's first bytes, a
    // body), and a close with bytes unread is a reset that can cut the 405 it has not read yet.
    closeLingering(socket);
  });
  const answered = protocolChecks();
  app.addHook('onRequest', (request, reply, done) => {
    if (answered(request, reply)) return;
    if (unrouted === 'here' && answeredUnrouted(request, reply)) return;
    done();
  });
}

/** Check 4 of registerProtocolChecks in a hook of its own, for `unrouted: 'later'`. */
export function registerRouteChecks(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!answeredUnrouted(request, reply)) done();
  });
}

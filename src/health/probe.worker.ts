import { PROBE_CHECKS_SOURCE } from './probe.checks.js';
import { PROBE_CLIENT_ERROR_SOURCE } from './probe.client-error.js';
import { PROBE_EXPECT_SOURCE } from './probe.expect.js';
import { PROBE_LINGER_SOURCE } from './probe.linger.js';
import { PROBE_PROTOCOL_SOURCE } from './probe.protocol.js';

/**
 * The probe listener's thread (probe.server.ts starts it). Plain CommonJS in a string, run with
 * `new Worker(source, { eval: true })`: the same code under tsc's output, ts-jest-free test runs
 * and the bundle `npm start` runs, with no second entry file to resolve. It requires node:
 * builtins, and imports only project files that import nothing themselves but target-form
 * (target-form, request-target, client-text and lingering-close: probe.server.ts names them).
 *
 * The paths come in workerData from health/health.paths.ts (`probePaths`, `livenessPath`): the
 * thread keeps no list of its own to drift from the public port's.
 * - /healthz from the main thread's heartbeat, /readyz and /startupz asked of the main thread
 *   (probe.checks.ts).
 * - A probe path with a slash added (`/healthz/`): 308 to the path without it, as on the
 *   public port.
 * - Every answer carries `x-request-id` (the caller's when it is a valid one); an HTTP version
 *   other than 1.1 or 1.0 is 505, a bad Host or Transfer-Encoding 400, a target the other ports
 *   refuse 400, by the function they call (protocol/request-target.ts, imported by the thread
 *   before its port opens: in the bundle, from the entry scripts/bundle.mjs makes of that file),
 *   and `OPTIONS *` 204, as on the other ports; a method other than
 *   GET or HEAD is 405 with `Allow` on a probe path, slashed or not, and 404 elsewhere (CONNECT
 *   405 with an empty one), and a method Node does not know 501; bytes Node cannot parse and an
 *   `Expect` other than 100-continue (or another expectation beside it) get problem+json and a
 *   closed connection, as on the other two ports (probe.client-error.ts, probe.expect.ts),
 *   instead of Node's empty answers. No body is read, so none is asked for: no `100 Continue`
 *   before a body.
 * - A request that announces a body, bytes Node cannot parse and CONNECT are answered and their
 *   connection closed lingering, as on the other ports (probe.linger.ts).
 */
export const PROBE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
// probePaths: the main thread's PROBE_PATHS (health/health.paths.ts), the one list of them.
const { port, host, clientErrors, requestIdPattern, versionDetails, probePaths,
  livenessPath, tokenStart, longestMethodKept, noExpectation, onlyContinue, lingeringCloseModule,
  targetFormModule, requestTargetModule, clientTextModule } = workerData;

const { randomUUID } = require('node:crypto');
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
// A caller's id is kept by the public port's rule (request-context/request-id.ts).
const requestIdOf = (req) => {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' && requestIdPattern.test(id) ? id : randomUUID();
};

// Called with the status and the code written out as literals: errors/problem.catalog.spec.ts
// reads them from this file and the probe.*.ts it splices in, and holds each to the problem
// catalog, as it does every other code (clientErrors' come from errors/client-error.reply.ts,
// read there).
const problem = (status, code, detail, instance, requestId) =>
  JSON.stringify({ type: 'urn:rampart:problem:' + code.toLowerCase().replaceAll('_', '-'),
    title: http.STATUS_CODES[status], status, detail, code, instance, requestId });

function send(res, status, body, headers) {
  if (res.writableEnded || res.destroyed) return;
  const type = status === 200 ? 'application/json; charset=utf-8' : PROBLEM_TYPE;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-request-id': res.requestId,
    ...headers });
  res.end(body);
}

// errors/client-text.ts's, set once it is imported: a 404's detail names the target's path as
// its instance does (res.target), cut as the public port's does (protocol/unrouted.reply.ts; an
// absolute-form target's scheme and host were named too), a malformed one's is bounded by the
// public port's rule for the router's message (errors/problem.ts), and a 501's names the method
// cut (probe.client-error.ts); each instance names the target's path whole (pathAsSent, as the
// other ports name it). Named whole in both, a 9 KB target came back twice.
let cut, frameworkDetail, methodNamed, pathAsSent;
const importClientText = () =>
  import(clientTextModule).then((text) => ({ cut, frameworkDetail, methodNamed, pathAsSent } = text));
// Worded as the other ports' 404 (protocol/protocol.errors.ts's NoRouteError): the method,
// a HEAD's as GET's (methodNamed, so its Content-Length is GET's), then the path.
const notFound = (res, method) => send(res, 404, problem(404, 'NOT_FOUND',
  'No route ' + methodNamed(method) + ' ' + cut(res.target), res.target, res.requestId));
// The router's words for a target whose escapes it cannot decode, as the public port says them:
// the target in origin-form, query and all (find-my-way's reading), the message cut as the
// client's own text is.
const malformed = (res, url) => send(res, 400, problem(400, 'MALFORMED_URL',
  frameworkDetail("'" + originForm(url) + "' is not a valid url component", http.STATUS_CODES[400]),
  res.target, res.requestId));

${PROBE_LINGER_SOURCE}
${PROBE_PROTOCOL_SOURCE}
${PROBE_CLIENT_ERROR_SOURCE}
${PROBE_EXPECT_SOURCE}
${PROBE_CHECKS_SOURCE}
// requireHostHeader off: Node's own answer to a missing Host is an empty 400 (framingProblem's).
// A probe sends its request as soon as it connects and waits a second or two: a connection that
// has not sent a whole request within headersTimeout of connecting is answered 408 and closed
// (Node's defaults held a silent socket 66 s), and no more than maxConnections are held (2,100
// silent sockets once took every file descriptor the process had: the public port and the
// probes failed with them).
const server = http.createServer({ requireHostHeader: false, headersTimeout: 5_000,
  requestTimeout: 10_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
  // The target's path as sent names the request in a problem's instance, as on the public port
  // (errors/problem.reply.ts): decoded, '/healthz%00' came back as '/healthz' and a NUL, and
  // '/healthz%2F' as '/healthz/', a path that is redirected; whole, an absolute-form target's
  // userinfo came back with it. \`path\` is what is routed on.
  const target = pathAsSent(req.url || '');
  const path = targetPath(req.url || '');
  res.requestId = requestIdOf(req);
  res.target = target;
  closeIfBody(req, res);
  // As on the other ports (protocol/protocol.checks.ts): Node parses nothing after an Upgrade
  // request, so its connection closes once answered rather than leave a pipelined one unheard.
  if (req.headers.upgrade !== undefined) res.setHeader('connection', 'close');
  // HTTP/2.0 and a version-less line (0.9) pass llhttp: 505 as on the other ports
  // (protocol/protocol.checks.ts).
  if (req.httpVersion !== '1.1' && req.httpVersion !== '1.0') {
    const detail = versionDetails.get(req.httpVersion) ||
      clientErrors.get('HPE_INVALID_VERSION: Invalid HTTP version').detail;
    return send(res, 505, problem(505, 'HTTP_VERSION_NOT_SUPPORTED', detail, target, res.requestId),
      { connection: 'close' });
  }
  const framing = framingProblem(req);
  if (framing !== undefined) {
    return send(res, 400, problem(400, 'BAD_REQUEST', framing, target, res.requestId),
      { connection: 'close' });
  }
  // The target by the other ports' rules, read by the same function (protocol/request-target.ts):
  // a fragment, userinfo, a scheme other than http(s), a host or port that is none, a target in
  // no form, and * with a method other than OPTIONS are 400. As there, after the version and
  // framing checks and before a malformed escape, which the router's refusal answers there once
  // the checks have passed (protocol/protocol.checks.ts, frameworkErrorReply).
  const refused = targetProblem(req.url || '', methodNamed(req.method));
  if (refused !== undefined) {
    return send(res, 400, problem(400, refused.code, refused.detail, target, res.requestId));
  }
  if (req.url === '*') {
    res.writeHead(204, { 'x-request-id': res.requestId });
    return res.end();
  }
  if (path === undefined) return malformed(res, req.url || '');
  // As on the public port: another method is 405 on a path that answers GET (a probe, or one
  // with a slash added, which redirects), and 404 on any other.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (!probePaths.has(path) && withoutTrailingSlash(req.url || '') === undefined) {
      return notFound(res, req.method);
    }
    return send(res, 405, problem(405, 'METHOD_NOT_ALLOWED',
      req.method + ' is not supported here; allowed: GET, HEAD.', target, res.requestId),
      { allow: 'GET, HEAD' });
  }
  if (path === livenessPath) return answerLiveness(res, target);
  if (!probePaths.has(path)) {
    const location = withoutTrailingSlash(req.url || '');
    if (location !== undefined) {
      res.writeHead(308, { location, 'content-length': 0, 'x-request-id': res.requestId });
      return res.end();
    }
    return notFound(res, req.method);
  }
  askMainThread(res, path, target);
});
server.on('clientError', answerClientError);
// CONNECT never reaches the request handler; without a listener Node closes the socket unanswered.
server.on('connect', (req, socket) => {
  const requestId = requestIdOf(req);
  const body = problem(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported.', undefined, requestId);
  socket.write('HTTP/1.1 405 Method Not Allowed\\r\\ncontent-type: ' + PROBLEM_TYPE +
    '\\r\\ncontent-length: ' + Buffer.byteLength(body) + '\\r\\nallow: \\r\\ncache-control: no-store\\r\\nx-content-type-options: nosniff' +
    '\\r\\nx-request-id: ' + requestId +
    '\\r\\nconnection: close\\r\\n\\r\\n' + body);
  // Only ended, the socket read what followed for as long as the client kept its side open.
  closeLingering(socket);
});
server.on('checkExpectation', (req, res) => answerExpectation(server, req, res));
server.on('checkContinue', (req, res) => continueWithoutBody(server, req, res));
server.keepAliveTimeout = 5_000;
server.maxConnections = 128;
// A failed import fails the thread, and with it the start (probe.server.ts listen).
Promise.all([importLingeringClose(), importRequestTarget(), importClientText()]).then(() =>
  server.listen(port, host, () => parentPort.postMessage({ listening: server.address().port })));
`;

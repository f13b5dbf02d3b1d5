/**
 * The probe listener's thread (probe.server.ts starts it). Plain CommonJS in a string, run with
 * `new Worker(source, { eval: true })`: the same code under tsc's output, ts-jest-free test runs
 * and the bundle `npm start` runs, with no second entry file to resolve. It only uses node: builtins.
 *
 * - /healthz: 200 while the main thread's heartbeat (a SharedArrayBuffer it writes every 100 ms)
 *   is younger than `stallMs`, else 503: a wedged main loop still fails liveness, a busy one not.
 *   Also 503 while the main thread has said liveness is failed on purpose (`livenessFailure`).
 * - /readyz, /startupz: asked of the main thread, which runs the real checks; if it has not
 *   answered within `answerWithinMs` (its loop is busy), the last answer it gave, while younger
 *   than `staleMs`; else 503.
 */
export const PROBE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, host, heartbeat, stallMs, answerWithinMs, staleMs } = workerData;
let livenessFailure = workerData.livenessFailure;
const beat = new Float64Array(heartbeat);
const pending = new Map();
const last = new Map();
let nextId = 0;

const problem = (status, code, detail, instance) =>
  JSON.stringify({ type: 'urn:rampart:problem:' + code.toLowerCase().replaceAll('_', '-'),
    title: http.STATUS_CODES[status], status, detail, code, instance });

function send(res, status, body) {
  if (res.writableEnded || res.destroyed) return;
  const type = status === 200 ? 'application/json' : 'application/problem+json';
  res.writeHead(status, { 'content-type': type + '; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

parentPort.on('message', (answer) => {
  if ('livenessFailure' in answer) {
    livenessFailure = answer.livenessFailure ?? undefined;
    return;
  }
  last.set(answer.path, answer);
  const res = pending.get(answer.id);
  if (res) {
    pending.delete(answer.id);
    send(res, answer.status, answer.body);
  }
});

const server = http.createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (path === '/healthz') {
    if (livenessFailure) return send(res, 503, problem(503, 'LIVENESS_FAILED', livenessFailure, path));
    const stalledMs = Date.now() - beat[0];
    if (stalledMs < stallMs) return send(res, 200, '{"status":"ok","info":{},"error":{},"details":{}}');
    return send(res, 503, problem(503, 'EVENT_LOOP_STALLED',
      'The event loop has not turned for ' + Math.round(stalledMs) + ' ms.', path));
  }
  if (path !== '/readyz' && path !== '/startupz') {
    return send(res, 404, problem(404, 'NOT_FOUND', 'No probe route ' + path, path));
  }
  const id = nextId++;
  pending.set(id, res);
  res.once('close', () => pending.delete(id));
  parentPort.postMessage({ id, path });
  setTimeout(() => {
    if (!pending.delete(id)) return;
    const cached = last.get(path);
    if (cached && Date.now() - cached.at < staleMs) return send(res, cached.status, cached.body);
    send(res, 503, problem(503, 'EVENT_LOOP_STALLED', 'The main thread did not answer.', path));
  }, answerWithinMs).unref();
});
server.keepAliveTimeout = 5_000;
server.listen(port, host, () => parentPort.postMessage({ listening: server.address().port }));
`;

/**
 * What the probe thread answers on a probe path (probe.worker.ts splices this source into its own
 * and calls these once a request has passed its protocol checks), the same verdicts as the public
 * port's (health.controller.ts):
 * - /healthz (`answerLiveness`): 200 while the main thread's heartbeat (a SharedArrayBuffer it
 *   writes every 100 ms) is younger than `stallMs`, else 503: a wedged main loop still fails
 *   liveness, a busy one not. Also 503 while the main thread has said liveness is failed on
 *   purpose (`livenessFailure`, by message).
 * - /readyz, /startupz (`askMainThread`): asked of the main thread, which runs the real checks
 *   (probe.server.ts); if it has not answered within `answerWithinMs` (its loop is busy), the last
 *   answer it gave, while younger than `staleMs`; else 503.
 * Plain CommonJS in a string, like the rest of the thread; it reads `workerData`, `parentPort`,
 * `problem` and `send` from the thread's scope.
 */
export const PROBE_CHECKS_SOURCE = `
const { heartbeat, stallMs, answerWithinMs, staleMs } = workerData;
let livenessFailure = workerData.livenessFailure;
const beat = new Float64Array(heartbeat);
// Probes waiting for the main thread's answer, by the id they were asked with; its last answer
// for each path.
const pending = new Map();
const last = new Map();
let nextId = 0;

parentPort.on('message', (answer) => {
  if ('livenessFailure' in answer) {
    livenessFailure = answer.livenessFailure ?? undefined;
    return;
  }
  last.set(answer.path, answer);
  const res = pending.get(answer.id);
  if (res) {
    pending.delete(answer.id);
    send(res, answer.status, bodyFor(answer, res));
  }
});

// The main thread's answer serves every probe waiting for it, and later ones from the cache: its
// problem has no request id, and each probe's gets its own (as on every port), and its instance
// is the probe path, where each probe's is its own target as sent ('/%72eadyz').
function bodyFor(answer, res) {
  if (answer.status === 200) return answer.body;
  return JSON.stringify({ ...JSON.parse(answer.body), instance: res.target, requestId: res.requestId });
}

function answerLiveness(res, target) {
  if (livenessFailure) return send(res, 503, problem(503, 'LIVENESS_FAILED', livenessFailure, target, res.requestId));
  const stalledMs = Date.now() - beat[0];
  if (stalledMs < stallMs) return send(res, 200, '{"status":"ok","info":{},"error":{},"details":{}}');
  return send(res, 503, problem(503, 'EVENT_LOOP_STALLED',
    'The event loop has not turned for ' + Math.round(stalledMs) + ' ms.', target, res.requestId));
}

function askMainThread(res, path, target) {
  const id = nextId++;
  pending.set(id, res);
  res.once('close', () => pending.delete(id));
  parentPort.postMessage({ id, path });
  setTimeout(() => {
    if (!pending.delete(id)) return;
    const cached = last.get(path);
    if (cached && Date.now() - cached.at < staleMs) {
      return send(res, cached.status, bodyFor(cached, res));
    }
    send(res, 503, problem(503, 'EVENT_LOOP_STALLED', 'The main thread did not answer.', target,
      res.requestId));
  }, answerWithinMs).unref();
}
`;

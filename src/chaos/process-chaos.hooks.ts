import type { FastifyInstance } from 'fastify';
import type { ProcessChaos } from './process-chaos.service.js';
import { slowBody } from './slow-body.stream.js';

/**
 * The public listener's side of process chaos (app.factory.ts registers it right after
 * http.hooks.ts, so requests meet it inside their context and deadline). Probes on the public port are left alone, as by the latency/error chaos: the kubelet's
 * view is what the liveness fault and the probe thread decide.
 * - every-request event-loop block: a synchronous busy wait before the handler, as a CPU-bound
 *   handler would do, so admission and the loop monitors see a real blocked loop;
 * - slow body: a string or Buffer answer is replaced by a stream that dribbles it out (chunked).
 *   The rest goes out at once when the fault is stopped, and at the request's deadline
 *   (REQUEST_TIMEOUT_MS or the client's `x-request-timeout`). At the deadline the rest is written
 *   rather than the response ended: the status and headers already said 200, and a chunked body
 *   cut short is a broken message to the client, not a slow one; what the deadline bounds, how
 *   long the request holds its admission slot, is bounded either way (the rest is one write).
 */
export function registerProcessChaos(app: FastifyInstance, chaos: ProcessChaos): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const ms = chaos.perRequestBlockMs;
    if (ms > 0 && request.requestState?.probe !== true) chaos.block(ms);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const slow = chaos.slowBody;
    // Checked before anything else: this runs on every response, and the fault is almost never on.
    if (!slow) return done(null, payload);
    const state = request.requestState;
    const body =
      typeof payload === 'string'
        ? Buffer.from(payload)
        : Buffer.isBuffer(payload)
          ? payload
          : null;
    // HEAD answers carry headers only: their Content-Length must stay the GET's.
    if (
      body === null ||
      body.length === 0 ||
      request.method === 'HEAD' ||
      state === null ||
      state.probe
    ) {
      return done(null, payload);
    }
    reply.removeHeader('content-length');
    // state.signal aborts at the deadline (and when the client leaves, when the stream goes anyway).
    const hurry = [slow.stopped, state.signal];
    done(null, slowBody(body, slow.chunkBytes, slow.intervalMs, hurry));
  });
}

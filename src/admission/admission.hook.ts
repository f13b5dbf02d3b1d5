import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { sendProblem } from '../errors/problem.reply.js';
import { isProbe } from '../health/health.paths.js';
import type { AdmissionGate } from './admission.gate.js';

/**
 * The admission onRequest hook of the public listener (http.hooks.ts step 1): before any other
 * work is spent, a request is admitted or answered 503 + Retry-After at once. Probes are never
 * limited. An admitted request holds its slot from here until its response closes: Node emits
 * `close` exactly once per response, whether it finished, failed or the client left, so the slot
 * is released exactly once. (The request context's listener is a second one; keeping them apart
 * keeps admission removable and the context ignorant of it.)
 */
export function registerAdmission(app: FastifyInstance, gate: AdmissionGate): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (isProbe(request)) return done();
    const refusal = gate.tryAdmit();
    if (refusal) return sendProblem(reply, request, refusal);
    const admittedAt = performance.now();
    reply.raw.once('close', () => gate.release(admittedAt));
    done();
  });
}

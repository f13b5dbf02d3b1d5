import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../errors/problem.reply.js';
import { abortableDelay } from '../request-context/abortable-delay.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { ChaosInjectedError } from './chaos.errors.js';
import type { ChaosState } from './chaos.state.js';

/**
 * Applies the chaos settings to every public request except the probes (a chaos experiment
 * must not get the pod restarted or pulled from rotation by accident). Registered after the
 * request-state hook (app.factory.ts), so the injected latency is cancelled by the deadline or a
 * disconnect like any other wait, and a 504 still comes out at the deadline.
 */
export function registerChaos(app: FastifyInstance, chaos: ChaosState): void {
  app.addHook('onRequest', (request, reply, done) => {
    const state = request.requestState;
    if (state?.probe) return done();
    const plan = chaos.plan();
    if (!plan) return done();
    const proceed = () => {
      if (plan.failStatus === undefined) return done();
      // Answered here: a done-style hook that replies must not call done().
      sendProblem(reply, request, new ChaosInjectedError(plan.failStatus));
    };
    if (plan.delayMs === 0) return proceed();
    abortableDelay(plan.delayMs, state?.signal ?? NEVER_ABORTS).then(proceed, (reason) =>
      sendProblem(reply, request, reason),
    );
  });
}

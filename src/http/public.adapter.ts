import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from 'node:http';
import { protocolChecks } from '../protocol/protocol.checks.js';
import type { PublicHooks } from './http.hooks.js';

type NotFoundHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Nest's Fastify adapter for the public listener, with rampart's request state and protocol
 * checks on the one path that skipped them. An onRequest hook of Nest's adapter, registered
 * before rampart's, sends a request whose target is neither origin- nor absolute-form straight
 * to the not-found handler, past every hook of rampart's, when the router matched it anyway: it
 * reads `*hello` and `*` as `/`, which has GET and HEAD (`POST *hello` matches nothing and meets
 * every hook). The not-found handler Nest installs is wrapped:
 * 1. a request without a RequestState gets one from the request-state hook itself
 *    (request-state.hook.ts, handed over by app.factory.ts): its server span, deadline, in-flight
 *    entry and context. Without it `GET *hello` was answered with no trace id in its body or
 *    access line and no span, where `POST *hello` had them (its x-request-id, access line and
 *    `unmatched` sample came from sendProblem and the response hook even so);
 * 2. the protocol checks answer first (a `GET *` was 404 "Cannot GET *" where every other
 *    method, and GET on the other ports, is 400, and its version, Host and framing went
 *    unchecked); what they pass gets Nest's 404 as before.
 * Nothing else reaches that handler without its state (unrouted.reply.ts answers every unrouted
 * request), so the common request pays nothing. Nest's hook cannot be left out instead: it is
 * added in the adapter's constructor, and the test it calls is private to the adapter.
 * The options' `frameworkErrors` (a target the router cannot read) is wrapped the same way, as
 * `outsideHooks` (http.hooks.ts): Fastify's request for it meets no hook at all.
 */
export class PublicFastifyAdapter extends FastifyAdapter {
  private readonly answered = protocolChecks();
  private hooks?: PublicHooks;

  constructor(options: FastifyHttpOptions<Server> & { skipMiddie?: boolean }) {
    const refuse = options.frameworkErrors;
    super({
      ...options,
      frameworkErrors:
        refuse &&
        ((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
          const answer = (): void => refuse(error, request, reply);
          if (this.hooks) this.hooks.outsideHooks(request, reply, answer);
          else answer();
        }),
    });
  }

  /** The public listener's request-state hook and records, once app.factory.ts has built them. */
  useHooks(hooks: PublicHooks): void {
    this.hooks = hooks;
  }

  override setNotFoundHandler(handler: NotFoundHandler) {
    return super.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const answer = (): unknown =>
        this.answered(request, reply) ? undefined : handler(request, reply);
      const begin = this.hooks?.requestState;
      if (request.requestState !== null || begin === undefined) return answer();
      // The hook calls on inside the request's context, or answers itself (a refused
      // x-request-timeout) without calling on. Nest's handler settles its own promise: it
      // answers any error through the exception filter.
      begin.call(request.server, request, reply, () => void answer());
      return undefined;
    });
  }
}

import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { protocolChecks } from '../protocol/protocol.hook.js';

type NotFoundHandler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * Nest's Fastify adapter for the public listener, with rampart's protocol checks
 * (protocol/protocol.hook.ts) on the one path that skipped them. An onRequest hook of Nest's
 * adapter, registered before rampart's, sends a request whose target is neither origin- nor
 * absolute-form straight to the not-found handler when the router matched it anyway: the router
 * reads `*` as `/`, which has GET and HEAD, so `GET *` was 404 "Cannot GET *" where every other
 * method, and GET on the other ports, is 400 (OPTIONS 204), and such a request's version, Host
 * and framing went unchecked. The not-found handler Nest installs is wrapped so the checks answer
 * first; what they pass gets Nest's 404 as before. Nothing else reaches that handler here
 * (protocol.hook.ts answers every unrouted request), so the common request pays nothing.
 */
export class PublicFastifyAdapter extends FastifyAdapter {
  private readonly answered = protocolChecks();

  override setNotFoundHandler(handler: NotFoundHandler) {
    return super.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
      this.answered(request, reply) ? undefined : handler(request, reply),
    );
  }
}

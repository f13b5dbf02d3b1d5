import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdentityService } from '../version/identity.service.js';
import { FanoutService } from './fanout.service.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { readIdempotencyKey } from '../openapi/idempotency-key.header.js';
import { UpstreamService } from '../upstream/upstream.service.js';
import { echoHeaders, meshContracts } from './mesh-checks.contract.js';
import { traceHeadersToForward } from './trace.headers.js';

/** Where a forwarded echo goes on each backend: its own /echo, so instances chain A → B → C. */
const ECHO_PATH = '/echo';

/**
 * Public `POST /echo`, for ingress and mesh checks. Without BACKEND_URLS it answers the JSON
 * body back exactly as sent (204 for none). With them it forwards the body, as sent, to every
 * backend's /echo through the backend's policy (timeout, breaker, bulkhead; a POST is not
 * retried) within the request's deadline, carrying the trace and mesh headers it received, and
 * answers one entry per backend. Bodies are JSON only and bounded by HTTP_BODY_LIMIT_BYTES (415
 * and 413 problem+json otherwise), like every public body: protocol/json.body-parser.ts.
 */
@Controller()
export class EchoController {
  constructor(
    private readonly upstream: UpstreamService,
    private readonly fanout: FanoutService,
    private readonly identity: IdentityService,
  ) {}

  @Post('echo')
  @HttpCode(200)
  @ApiContract(meshContracts.echo)
  async echo(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const body = request.body;
    // The text as sent, not the parsed value written again: JSON.parse rounds integers past 2^53
    // and JSON.stringify writes 1e400 as null, so an echo of the value alters what it echoes.
    const text =
      body === undefined ? undefined : (request.requestState?.bodyText ?? JSON.stringify(body));
    // Checked with or without backends: one request, one answer, whichever instance takes it. A
    // key makes the POST safe to send twice: the policy may retry it (upstream.service.ts).
    const idempotencyKey = readIdempotencyKey(echoHeaders, request);
    if (this.upstream.backends.length === 0) {
      if (text === undefined) return void reply.code(204);
      // A string, typed here: Fastify would send a bare JSON string as text/plain.
      reply.type('application/json; charset=utf-8');
      return text;
    }
    const backends = await this.fanout.callEach({
      method: 'POST',
      path: ECHO_PATH,
      headers: {
        ...traceHeadersToForward(request.headers),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
        accept: 'application/json',
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: text,
    });
    return {
      ...this.identity.identity,
      degraded: backends.some((entry) => entry.degraded),
      backends,
    };
  }
}

import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { parseInput } from '../openapi/contract.input.js';
import { abortableDelay } from '../request-context/abortable-delay.js';
import { parseDurationMs } from '../request-context/duration.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { chaosContracts, delayParams, statusParams } from './chaos.contract.js';
import { RequestedStatusError } from './chaos.errors.js';
import { successHeaders } from './requested-status.headers.js';

/**
 * Public fault endpoints, so rampart can stand in for a failing or slow backend:
 * other services' breakers and timeouts are tested against these (and rampart's own tests).
 */
@Controller()
export class ChaosController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContextService,
  ) {}

  /** `GET /status/:code`: answers that status; 4xx/5xx as problem+json (`REQUESTED_STATUS`). */
  @Get('status/:code')
  @ApiContract(chaosContracts.status)
  status(@Param() params: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    // 1xx are interim responses (RFC 9110 §15.2): one cannot be the final answer.
    const { code } = parseInput(statusParams, params);
    if (code >= 400) throw new RequestedStatusError(code);
    reply.code(code);
    // RFC 9110 §15.3.5, §15.3.6, §15.4.5: 204, 205 and 304 carry no content.
    if (code === 204 || code === 205 || code === 304) return undefined;
    const body = { status: code, title: STATUS_CODES[code] };
    // The serializer writes the schema's properties in this same order: the same bytes.
    const headers = successHeaders(code, JSON.stringify(body));
    if (headers) reply.headers(headers);
    return body;
  }

  /** `GET /delay/:duration` (`250`, `250ms`, `2s`): waits, cancellably, then answers. */
  @Get('delay/:duration')
  @ApiContract(chaosContracts.delay)
  async delay(@Param() params: unknown) {
    const raw = parseInput(delayParams, params).duration;
    const ms = parseDurationMs(raw);
    if (ms === undefined || ms > this.config.HELLO_MAX_DELAY_MS) {
      throw new InvalidInputError([
        {
          field: 'duration',
          message: `expected milliseconds or a duration (150ms, 2s) up to ${this.config.HELLO_MAX_DELAY_MS} ms`,
        },
      ]);
    }
    await abortableDelay(ms, this.context.signal);
    return { delayedMs: ms };
  }
}

import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { abortableDelay } from '../request-context/abortable-delay.js';
import { parseDurationMs } from '../request-context/duration.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { RequestedStatusError } from './chaos.errors.js';

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
  status(@Param('code') raw: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const code = /^\d{3}$/.test(raw) ? Number(raw) : NaN;
    // 1xx are interim responses (RFC 9110 §15.2): one cannot be the final answer.
    if (!(code >= 200 && code <= 599)) {
      throw new InvalidInputError([
        { field: 'code', message: 'expected a status from 200 to 599' },
      ]);
    }
    if (code >= 400) throw new RequestedStatusError(code);
    reply.code(code);
    return code === 204 || code === 304 ? undefined : { status: code, title: STATUS_CODES[code] };
  }

  /** `GET /delay/:duration` (`250`, `250ms`, `2s`): waits, cancellably, then answers. */
  @Get('delay/:duration')
  async delay(@Param('duration') raw: string) {
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

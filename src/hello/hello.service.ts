import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { InvalidInputError } from '../errors/http.errors.js';
import { abortableDelay } from '../request-context/abortable-delay.js';
import { parseDurationMs } from '../request-context/duration.js';
import { RequestContextService } from '../request-context/request-context.service.js';

export const HELLO_MESSAGE = 'Hello, Gopher! This request was handled concurrently.';

/** The seed's handler: an optional non-blocking wait, cancelled with the request. */
@Injectable()
export class HelloService {
  /** Waits in progress right now; drops at once when a client leaves (observable in tests). */
  waiting = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly context: RequestContextService,
  ) {}

  /** Reads `?delay=` (ms or Go duration), bounded by HELLO_MAX_DELAY_MS. */
  parseDelay(raw: unknown): number {
    if (raw === undefined) return this.config.HELLO_DELAY_MS;
    const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
    if (ms === undefined || ms > this.config.HELLO_MAX_DELAY_MS) {
      throw new InvalidInputError([
        {
          field: 'delay',
          message: `expected milliseconds or a duration (150ms, 2s) up to ${this.config.HELLO_MAX_DELAY_MS} ms`,
        },
      ]);
    }
    return ms;
  }

  async greet(delayMs: number): Promise<string> {
    if (delayMs > 0) {
      this.waiting++;
      try {
        await abortableDelay(delayMs, this.context.signal);
      } finally {
        this.waiting--;
      }
    }
    return HELLO_MESSAGE;
  }
}

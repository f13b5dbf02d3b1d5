import { AppError } from '../errors/app.error.js';

// Neither is logged (quiet): under overload they come by the thousand per second, and a log line
// costs about what the refusal does. The raw listener writes their body (admission.listener.ts);
// they are counted in http_server_admission_rejections_total, and every limit change is logged
// (admission.window.ts).

/** Over the adaptive concurrency limit, and the queue is full or the wait for a slot ended. */
export class ConcurrencyLimitedError extends AppError {
  constructor(limit: number) {
    super('CONCURRENCY_LIMITED', 503, 'The server is at its concurrency limit; retry later.', {
      retryAfterSeconds: 1,
      extensions: { limit },
      quiet: true,
    });
  }
}

/** The event loop is lagging past EVENT_LOOP_MAX_DELAY_MS: every new request is refused. */
export class ServerOverloadedError extends AppError {
  constructor() {
    super('SERVER_OVERLOADED', 503, 'The server is overloaded; retry later.', {
      retryAfterSeconds: 1,
      quiet: true,
    });
  }
}

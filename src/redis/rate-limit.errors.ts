import { AppError } from '../errors/app.error.js';

/** The client spent its RATE_LIMIT_PER_MINUTE budget; Retry-After says when the window resets. */
export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, limit: number) {
    super('RATE_LIMITED', 429, `Rate limit of ${limit} requests per minute exceeded.`, {
      retryAfterSeconds,
    });
  }
}

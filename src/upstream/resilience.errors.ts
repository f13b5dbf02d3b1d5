import { AppError } from '../errors/app.error.js';

/** The backend's circuit breaker is open: failing fast, the backend is not called. */
export class CircuitOpenError extends AppError {
  constructor(backend: string, retryAfterSeconds: number) {
    super('UPSTREAM_CIRCUIT_OPEN', 503, `Circuit to ${backend} is open; not calling it.`, {
      retryAfterSeconds,
      extensions: { backend },
    });
  }
}

/** Every slot and queue place of the backend's bulkhead is taken: rejected without waiting. */
export class BulkheadFullError extends AppError {
  constructor(backend: string) {
    super('UPSTREAM_BULKHEAD_FULL', 503, `Too many concurrent calls to ${backend}.`, {
      retryAfterSeconds: 1,
      extensions: { backend },
    });
  }
}

import { AppError } from '../errors/app.error.js';
import { requiredHeaders } from './requested-status.headers.js';

/** A failure injected on purpose by the chaos settings (admin `/chaos`). */
export class ChaosInjectedError extends AppError {
  constructor(status: number) {
    super('CHAOS_INJECTED', status, 'Fault injected by the chaos settings (admin /chaos).', {
      quiet: true,
    });
  }
}

/**
 * `GET /status/:code` with a 4xx/5xx code: the failure the caller asked for, with the headers
 * HTTP requires of that status (401's challenge, 405's Allow, …).
 */
export class RequestedStatusError extends AppError {
  constructor(status: number) {
    super('REQUESTED_STATUS', status, `Answering ${status}, as requested.`, {
      quiet: true,
      headers: requiredHeaders(status),
    });
  }
}

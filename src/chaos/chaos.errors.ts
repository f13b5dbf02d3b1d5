import { AppError } from '../errors/app.error.js';

/** A failure injected on purpose by the chaos settings (admin `/chaos`). */
export class ChaosInjectedError extends AppError {
  constructor(status: number) {
    super('CHAOS_INJECTED', status, 'Fault injected by the chaos settings (admin /chaos).', {
      quiet: true,
    });
  }
}

/** `GET /status/:code` with a 4xx/5xx code: the failure the caller asked for. */
export class RequestedStatusError extends AppError {
  constructor(status: number) {
    super('REQUESTED_STATUS', status, `Answering ${status}, as requested.`, { quiet: true });
  }
}

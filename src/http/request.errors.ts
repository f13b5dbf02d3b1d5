import { AppError } from '../errors/app.error.js';

/** Abort reason when the request's deadline passes: maps to 504. */
export class DeadlineExceededError extends AppError {
  constructor(timeoutMs: number) {
    super('REQUEST_DEADLINE_EXCEEDED', 504, `The request did not complete within ${timeoutMs} ms.`);
  }
}

/** Abort reason when the client goes away; nobody reads the response, 499 is for logs only. */
export class ClientClosedError extends AppError {
  constructor() {
    super('CLIENT_CLOSED_REQUEST', 499, 'The client closed the connection.');
  }
}

import { AppError } from '../errors/app.error.js';

/** Abort reason when the request's deadline passes: maps to 504. */
export class DeadlineExceededError extends AppError {
  constructor(timeoutMs: number) {
    super('REQUEST_DEADLINE_EXCEEDED', 504, `The request did not complete within ${timeoutMs} ms.`);
  }
}

/**
 * The answer when the deadline passes while the request's body is still arriving: the client was
 * too slow to send it (408, RFC 9110 §15.5.9), not the server too slow to answer (504).
 */
export class RequestBodyTimeoutError extends AppError {
  constructor(timeoutMs: number) {
    super('REQUEST_TIMEOUT', 408, `The request body did not arrive within ${timeoutMs} ms.`);
  }
}

/** Abort reason when the client goes away; nobody reads the response, 499 is for logs only. */
export class ClientClosedError extends AppError {
  constructor() {
    super('CLIENT_CLOSED_REQUEST', 499, 'The client closed the connection.');
  }
}

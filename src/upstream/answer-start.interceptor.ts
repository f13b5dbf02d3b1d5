import type { Dispatcher } from 'undici';
import { connectionErrorCode } from './connection.codes.js';

/**
 * The backend began its answer, then the connection broke before the answer's head was whole:
 * `HTTP/1.1 20` and close, a status line and no blank line after the headers, a 1xx interim
 * answer and nothing after it. undici fails these with the error of a connection that never
 * answered (UND_ERR_SOCKET "other side closed", ECONNRESET); reported as UPSTREAM_UNREACHABLE,
 * they sent the operator to the network, where the fault is the backend's answer.
 */
export class HeadCutShortError extends Error {
  constructor(
    /** The connection error undici reported (UND_ERR_SOCKET, ECONNRESET, ...). */
    readonly networkCode: string,
    cause: Error,
  ) {
    // undici's own words too: "other side closed" is the backend's doing, "bad response" undici's
    // (it refuses a 100 Continue it did not ask for, even with a final answer after it).
    const why = `${networkCode}: ${cause.message}`;
    super(`connection ended before the answer's headers were whole (${why})`, { cause });
    this.name = 'HeadCutShortError';
  }
}

export const isHeadCutShortError = (e: unknown): e is HeadCutShortError =>
  e instanceof HeadCutShortError;

/**
 * Composed on each backend's undici pool (upstream.client.ts): a connection error after the first
 * byte of the answer (undici's documented `onResponseStarted`) and before its final head reaches
 * the caller as a HeadCutShortError. Before that byte it stays a connection error: a kept-alive
 * socket the backend closed while idle has sent nothing. After the final head undici's error
 * reaches the body stream, where the client tells a cut body apart itself.
 */
export function answerStartInterceptor(dispatch: Dispatcher.Dispatch): Dispatcher.Dispatch {
  return function dispatchTracked(options, handler) {
    return dispatch(options, new AnswerStartHandler(handler));
  };
}

/** Forwards every event to the caller's handler, noting how far the answer got. */
class AnswerStartHandler implements Dispatcher.DispatchHandler {
  private began = false;
  private headed = false;

  constructor(private readonly handler: Dispatcher.DispatchHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>
  ): void {
    this.handler.onRequestUpgrade?.(...args);
  }

  onResponseStarted(): void {
    this.began = true;
    this.handler.onResponseStarted?.();
  }

  onResponseStart(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>
  ): void {
    // A 1xx is interim (RFC 9110 §15.2): the final head is still to come.
    if (args[1] >= 200) this.headed = true;
    this.handler.onResponseStart?.(...args);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>
  ): void {
    this.handler.onResponseEnd?.(...args);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    const code = this.began && !this.headed ? connectionErrorCode(error) : undefined;
    this.handler.onResponseError?.(controller, code ? new HeadCutShortError(code, error) : error);
  }

  onBodySent(chunk: Buffer): void {
    this.handler.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.handler.onRequestSent?.();
  }
}

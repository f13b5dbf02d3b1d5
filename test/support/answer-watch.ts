import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** One answer as the app sent it, and what `read` returned at that moment. */
export interface SentAnswer<T> {
  status: number;
  /** performance.now() in the app's process (the test's, for an in-process app). */
  at: number;
  state: T;
}

/**
 * Reads `read()` in the app's own process as each answer to a request carrying an
 * `x-request-id` is sent (the response's 'finish'), keyed by that id. A state the test reads
 * once its client has the answer comes event-loop turns later, and a busy machine stretched
 * that past a 1.5 s grace: the slots a test meant to see still held were already back. At the
 * 'finish' nothing between the request's deadline and its 504 ran a timer: the deadline aborts,
 * and the 504 is sent from a setImmediate of that abort (http/request-state.hook.ts).
 */
export function watchAnswers<T>(
  server: Server,
  read: () => T,
): { answers: Map<string, SentAnswer<T>>; stop(): void } {
  const answers = new Map<string, SentAnswer<T>>();
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const id = request.headers['x-request-id'];
    if (typeof id !== 'string') return;
    response.once('finish', () => {
      answers.set(id, { status: response.statusCode, at: performance.now(), state: read() });
    });
  };
  server.on('request', listener);
  return { answers, stop: () => void server.off('request', listener) };
}

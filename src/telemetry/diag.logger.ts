import type { DiagLogger } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { runDetached } from '../request-context/context.store.js';

/**
 * The tail of the SDK's message for a second `end()` on a span (`<name> <trace>-<span> - You
 * can only call end() on a span once.`, @opentelemetry/sdk-trace Span.end).
 */
const SPAN_ENDED_TWICE = 'You can only call end() on a span once.';

/**
 * OpenTelemetry's own diagnostics (`diag`), written to rampart's log: errors and warnings as
 * such, except one known false alarm, kept at debug. Outside any request (runDetached): the
 * SDK's work runs in the async context that set it off, a request's, and an export that failed
 * 4 s later was logged with the ids of a `/hello` that had long been answered.
 *
 * A span ended twice is a late Redis reply, not a fault: ioredis rejects a command at its
 * `commandTimeout` (the ioredis instrumentation ends the command's span with the error), and
 * when a paused Redis (SIGSTOP, a long GC, a partition that heals) answers after all, ioredis
 * resolves the same command, and the instrumentation's wrapped `resolve` ends that span again.
 * The timeout already failed its caller and is its span's error; at error level this line
 * raised an alarm about nothing.
 */
export function diagLogger(log: Logger): DiagLogger {
  return {
    error: (message, ...args) =>
      runDetached(() =>
        message.endsWith(SPAN_ENDED_TWICE)
          ? log.debug({ args }, message)
          : log.error({ args }, message),
      ),
    warn: (message, ...args) => runDetached(() => log.warn({ args }, message)),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
}

/**
 * The SDK's errors (an export that failed, a span processor that threw), for
 * `setGlobalErrorHandler`: one error line with the error as `err`, outside any request. The
 * SDK's default handler wrote the error as a JSON string in `msg`, through `diag`.
 */
export function sdkErrorHandler(log: Logger): (error: unknown) => void {
  return (error) => runDetached(() => log.error({ err: error }, 'telemetry error'));
}

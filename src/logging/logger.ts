import { trace, isSpanContextValid } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { contextStore, requestContextOf } from '../request-context/context.store.js';
import { IsoClock } from './iso-clock.js';
import { LogSink } from './log.sink.js';

/**
 * The service name on every line. Not a pino binding: the child loggers that modules create at
 * import, before the configuration is read, would never see it.
 */
let serviceFields: Record<string, string> = {};

/**
 * Adds the service name, and inside a request its id and, when a span is active,
 * trace_id/span_id, so a log line leads to its trace in Jaeger.
 */
function correlation(): Record<string, string> {
  // One store read for both: the request and the span live in the same context.
  const active = contextStore.active();
  const request = requestContextOf(active);
  const span = trace.getSpan(active)?.spanContext();
  // A fresh object each time: pino's default merge strategy assigns the line's fields into it.
  const fields: Record<string, string> = { ...serviceFields };
  if (request) fields.reqId = request.requestId;
  if (span && isSpanContextValid(span)) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  return fields;
}

/** Every line, pino's and the access log's, goes through this one sink (ordered, batched). */
export const logSink = LogSink.forStdout();

const isoClock = new IsoClock();
/** The current time in ISO 8601, as pino.stdTimeFunctions.isoTime writes it (iso-clock.ts). */
export function isoNow(): string {
  return isoClock.now();
}

/**
 * The process-wide root logger. Created at import so that module-level code can log; its level
 * is set from LOG_LEVEL by configureLogger() before Nest starts. Lines are written in batches by
 * logSink (32 KiB or 10 ms); flushLogger() writes the rest before process.exit.
 */
export const logger: Logger = pino(
  {
    level: 'info',
    base: { pid: process.pid },
    timestamp: () => `,"time":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }) },
    mixin: correlation,
  },
  logSink,
);

export function configureLogger(options: { level: string; service: string }): void {
  logger.level = options.level;
  serviceFields = { service: options.service };
}

/** Writes out buffered lines; call before process.exit. */
export function flushLogger(): void {
  logSink.flushSync();
}

// A last net for exits that skipped flushLogger(): 'exit' listeners may only do synchronous work,
// and the sink's flush is synchronous.
process.once('exit', flushLogger);

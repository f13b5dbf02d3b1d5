import type { FastifyRequest } from 'fastify';
import type { LogSink } from '../logging/log.sink.js';
import { isoNow, logger, logSink } from '../logging/logger.js';
import { clientAddress } from '../protocol/client-address.js';
import { isAllZeroId } from '../telemetry/pooled-id.generator.js';
import { durationText } from './duration.text.js';

/**
 * One access-log line per public request, in the same JSON shape as a line of
 * `logger.child({ module: 'http' })` (level, time, pid, service, module, reqId, trace_id,
 * span_id, then the request's fields and msg), but assembled by hand: it is the one line written
 * for every request, and pino's generic serializer and mixin cost it several times more
 * (access.log.bench.ts). Every other line still goes through pino.
 */
export class AccessLog {
  private readonly head: string;

  constructor(
    service: string,
    private readonly sink: Pick<LogSink, 'write'> = logSink,
  ) {
    this.head = `"pid":${process.pid},"service":${jsonString(service)},"module":"http"`;
  }

  /**
   * Writes the line for a finished request (called from the onResponse hook in http.hooks.ts).
   * @param route the route template (`unmatched` for 404s), never the raw URL
   * @param quiet at debug rather than info (kubelet probes every few seconds per pod)
   */
  write(
    request: FastifyRequest,
    route: string,
    status: number,
    elapsedMs: number,
    quiet: boolean,
  ): void {
    const level = quiet ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const span = request.requestState?.span?.spanContext();
    // The request's span has ids the id generator made or a propagator checked, or the all-zero
    // ones of a span the SDK declined to start: the span id alone tells them apart, where the
    // API's isSpanContextValid runs two regular expressions a request (access.log.bench.ts).
    const trace =
      span && !isAllZeroId(span.spanId)
        ? `,"trace_id":"${span.traceId}","span_id":"${span.spanId}"`
        : '';
    // The client as TRUST_PROXY resolves it (protocol/client-address.ts); absent if the socket
    // closed before anything read it. Always an address, so it needs no escaping.
    const ip = clientAddress(request);
    const client = ip === undefined ? '' : `,"clientAddress":"${ip}"`;
    // request.id is ours or a validated x-request-id (request-context/request-id.ts), the method a token
    // the HTTP parser accepted: neither needs escaping. The method is the one sent, where spans
    // and the histogram record one outside the known ones as `_OTHER`: those bound what they
    // aggregate by, and a log line is searched, not aggregated.
    this.sink.write(
      `{"level":"${level}","time":"${isoNow()}",${this.head},"reqId":"${request.id}"${trace}` +
        `,"method":"${request.method}","route":${jsonString(route)},"status":${status}${client}` +
        `,"durationMs":${durationText(elapsedMs)},"msg":"request"}\n`,
    );
  }
}

// eslint-disable-next-line no-control-regex -- JSON strings must escape control characters
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

/** A JSON string literal; the common case (nothing to escape) without JSON.stringify. */
function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

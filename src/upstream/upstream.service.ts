import { Injectable } from '@nestjs/common';
import { RequestContextService } from '../request-context/request-context.service.js';
import { UpstreamPolicies } from './upstream.policies.js';
import { parseRetryAfterMs } from './retry.decision.js';
import type { Backend } from './upstream.backend.js';
import { UpstreamClient, type UpstreamResponse } from './upstream.client.js';
import { UpstreamStatusError } from './upstream.errors.js';

/** Methods safe to repeat (RFC 9110 §9.2.2): the only ones retried. */
const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface CallRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Every call to a backend goes through here: the backend's policy (timeout, retry, breaker,
 * bulkhead), the request's AbortSignal and deadline, and the headers a chain needs —
 * `x-request-timeout` (what is left of the deadline, less the margin), `x-request-id`.
 * `traceparent` is added by the OpenTelemetry undici instrumentation; nothing here strips it.
 */
@Injectable()
export class UpstreamService {
  constructor(
    private readonly client: UpstreamClient,
    private readonly policies: UpstreamPolicies,
    private readonly context: RequestContextService,
  ) {}

  /** The backends of BACKEND_URLS, in order. */
  get backends(): readonly Backend[] {
    return this.client.backends;
  }

  /**
   * Calls `backend`. Resolves with any answer below 500 (4xx included: the caller decides);
   * rejects with a coded error: UPSTREAM_BAD_STATUS (5xx, 429), UPSTREAM_UNREACHABLE,
   * UPSTREAM_TIMEOUT, UPSTREAM_CIRCUIT_OPEN, UPSTREAM_BULKHEAD_FULL — or with the request's own
   * abort reason when the caller's deadline passed or the client left.
   * A POST with an `idempotency-key` header counts as idempotent (the backend deduplicates it).
   */
  async request(backend: Backend, request: CallRequest): Promise<UpstreamResponse> {
    const method = (request.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const requestId = this.context.requestId;
    if (requestId) headers['x-request-id'] = requestId;
    const call = {
      idempotent: IDEMPOTENT.has(method) || headers['idempotency-key'] !== undefined,
      signal: this.context.signal,
      deadline: this.context.current()?.deadline ?? Infinity,
    };
    return this.policies.forBackend(backend.name).execute(call, async (attempt) => {
      const res = await this.client.send(backend, {
        method,
        path: request.path,
        headers: { ...headers, 'x-request-timeout': `${attempt.downstreamTimeoutMs}ms` },
        body: request.body,
        signal: attempt.signal,
      });
      if (res.status >= 500 || res.status === 429) {
        const retryAfterMs = parseRetryAfterMs(res.headers['retry-after']);
        throw new UpstreamStatusError(backend.name, res.status, retryAfterMs, res.body);
      }
      return res;
    });
  }
}

import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { AppError } from '../errors/app.error.js';
import { logger } from '../logging/logger.js';
import { answerStartInterceptor, isHeadCutShortError } from './answer-start.interceptor.js';
import { connectionErrorCode } from './connection.codes.js';
import { parseBackends, type Backend } from './upstream.backend.js';
import {
  UpstreamBadResponseError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from './upstream.errors.js';

const log = logger.child({ module: 'upstream' });

/** Largest upstream body read into memory; a fan-out answer is a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Shutdown step 5 lets in-flight upstream calls finish this long, then cuts them. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Drops an answer's body unread. undici's body destroyed before its end emits a
 * RequestAbortedError a turn later, and an 'error' with no listener throws out of the process:
 * the listener is ours to add. (It used to come from undici itself, by chance: cockatiel aborted
 * the attempt's signal as the attempt threw, and undici's abort listener added one; an attempt
 * signal that stops forwarding once its attempt ends, attempt.signal.ts, took that away, and a
 * backend answering status 700 took the process down.)
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined).destroy();
}

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One pooled keep-alive undici Pool per backend: at most UPSTREAM_CONNECTIONS sockets each,
 * reused across requests (no TCP/TLS handshake per call), with connect, headers and body
 * timeouts. Does one HTTP exchange; policies, deadlines and retries live in UpstreamService.
 */
@Injectable()
export class UpstreamClient implements OnModuleInit, OnApplicationShutdown {
  readonly backends: readonly Backend[];
  private readonly pools = new Map<string, Dispatcher>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.backends = parseBackends(config.BACKEND_URLS);
  }

  /**
   * undici is imported here, and only when there are backends: its module graph took ~20-35 ms
   * of every start (CPU profile of a start), for a client most deployments (no BACKEND_URLS)
   * never use. Nest awaits this before the port listens, so send() always finds its pool.
   */
  async onModuleInit(): Promise<void> {
    if (this.backends.length === 0) return;
    // Through `default` (module.exports): the bundle's chunk for a CommonJS package has no other.
    const { Pool } = (await import('undici')).default;
    const config = this.config;
    for (const backend of this.backends) {
      if (this.pools.has(backend.origin)) continue;
      this.pools.set(
        backend.origin,
        new Pool(backend.origin, {
          connections: config.UPSTREAM_CONNECTIONS,
          connectTimeout: config.UPSTREAM_CONNECT_TIMEOUT_MS,
          headersTimeout: config.UPSTREAM_HEADERS_TIMEOUT_MS,
          bodyTimeout: config.UPSTREAM_BODY_TIMEOUT_MS,
        }).compose(answerStartInterceptor),
      );
    }
  }

  /**
   * Sends one request and reads the whole body. Network failures become UPSTREAM_UNREACHABLE
   * before the answer's first byte, UPSTREAM_BAD_RESPONSE after it; an abort through
   * `request.signal` rejects with undici's abort error (the caller knows why).
   */
  async send(backend: Backend, request: UpstreamRequest): Promise<UpstreamResponse> {
    const pool = this.pools.get(backend.origin);
    if (!pool) throw new Error(`unknown backend ${backend.name}`);
    let answered = false;
    let declared = 0;
    let size = 0;
    try {
      const res = await pool.request({
        method: request.method as 'GET',
        path: `${backend.basePath}${request.path}`,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      answered = true;
      // undici takes any three digits; RFC 9110 §15 defines 100-599. A 7xx is no status a
      // caller can act on (nor a 5xx to retry): the answer is malformed.
      if (res.statusCode > 599) {
        discard(res.body);
        throw new UpstreamBadResponseError(backend.name, `status ${res.statusCode}`);
      }
      declared = Number(res.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        discard(res.body);
        throw new UpstreamBadResponseError(backend.name, `body of ${declared} bytes`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          discard(res.body);
          throw new UpstreamBadResponseError(backend.name, `body over ${MAX_BODY_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      return {
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks).toString(),
      };
    } catch (error) {
      if (request.signal.aborted) throw error;
      // The backend began answering, then the connection broke before the head was whole
      // (answer-start.interceptor.ts): its answer's fault, as a cut body is below.
      if (isHeadCutShortError(error)) {
        throw new UpstreamBadResponseError(backend.name, error.message, true, error.cause);
      }
      const network = connectionErrorCode(error);
      if (network) {
        // Headers came: the backend was reached and answered, then its answer broke off (a body
        // short of its Content-Length, a chunked one without its last chunk). Unreachable sent
        // the operator to the network, where the fault is the backend's answer.
        if (answered) {
          const of = declared > 0 ? ` of ${declared}` : '';
          const reason = `body cut short after ${size}${of} bytes (${network})`;
          throw new UpstreamBadResponseError(backend.name, reason, true, error);
        }
        throw new UpstreamUnreachableError(backend.name, network, error);
      }
      const code = (error as { code?: unknown }).code;
      // undici's own phase timeouts: connected, but the head or the body's next piece was late.
      if (code === 'UND_ERR_HEADERS_TIMEOUT') {
        throw new UpstreamTimeoutError(backend.name, this.config.UPSTREAM_HEADERS_TIMEOUT_MS);
      }
      if (code === 'UND_ERR_BODY_TIMEOUT') {
        throw new UpstreamTimeoutError(backend.name, this.config.UPSTREAM_BODY_TIMEOUT_MS);
      }
      if (error instanceof AppError) throw error;
      // Anything else undici threw is an answer it could not read: a malformed status line or
      // chunk (HPE_*), headers past its limit, a Content-Length the body contradicts, a status
      // outside 100-999 (above 599: the check above). The backend's fault, not ours: 502, and
      // the breaker counts it.
      throw new UpstreamBadResponseError(
        backend.name,
        typeof code === 'string' ? code : (error as Error).name,
      );
    }
  }

  /** Shutdown step 5: after the HTTP drain, close the pools (bounded, then destroyed). */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.pools.values()].map(async (pool) => {
        const closed = pool.close().then(() => true);
        if (!(await Promise.race([closed, sleep(CLOSE_GRACE_MS, false, { ref: false })]))) {
          log.warn('upstream pool still busy at shutdown: destroying it');
          await pool.destroy();
        }
      }),
    );
  }
}

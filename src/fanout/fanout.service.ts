import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { classifyError } from '../errors/problem.js';
import { logger } from '../logging/logger.js';
import { parseStrictJson } from '../protocol/json.strict.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import type { Backend } from '../upstream/upstream.backend.js';
import { isUpstreamStatusError } from '../upstream/upstream.errors.js';
import { UpstreamService, type CallRequest } from '../upstream/upstream.service.js';
import type { FanoutAnswer, FanoutEntry } from './fanout.types.js';
import { IdentityService } from '../version/identity.service.js';

const log = logger.child({ module: 'fanout' });

/**
 * Calls every backend concurrently, each through its own policy. A failing backend becomes a
 * degraded entry (its error code in place of its answer) and never fails the whole answer:
 * the fallback is local to the entry. Only the request's own end (deadline, client gone) fails it.
 */
@Injectable()
export class FanoutService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly upstream: UpstreamService,
    private readonly identity: IdentityService,
    private readonly database: DatabaseService,
    private readonly context: RequestContextService,
  ) {}

  async fanout(): Promise<FanoutAnswer> {
    const backends = this.upstream.backends;
    if (backends.length === 0) {
      return { ...this.identity.identity, degraded: false, database: await this.leafRead() };
    }
    const entries = await this.callEach({
      path: this.config.UPSTREAM_PATH,
      headers: { accept: 'application/json' },
    });
    const degraded = entries.some(
      (e) => e.degraded || (e.body as { degraded?: unknown } | undefined)?.degraded === true,
    );
    return { ...this.identity.identity, degraded, backends: entries };
  }

  /**
   * Sends `request` to every backend concurrently, each through its own policy; one entry per
   * backend, a failure as a degraded entry (also used by POST /echo to forward its body).
   */
  callEach(request: CallRequest): Promise<FanoutEntry[]> {
    return Promise.all(this.upstream.backends.map((backend) => this.call(backend, request)));
  }

  /** The leaf's one database read, so a chained request ends in a database call. */
  private async leafRead(): Promise<unknown> {
    const { rows } = await this.database.query(
      'fanout.leaf_read',
      'SELECT current_database() AS "database", now() AS "readAt"',
    );
    return rows[0];
  }

  private async call(backend: Backend, request: CallRequest): Promise<FanoutEntry> {
    const started = performance.now();
    const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      const res = await this.upstream.request(backend, request);
      const body = parseBody(res.body, res.headers['content-type']);
      return {
        url: backend.url,
        ok: res.status < 400,
        status: res.status,
        latencyMs: latencyMs(),
        body,
        degraded: false,
      };
    } catch (error) {
      if (this.context.signal.aborted) throw error; // the request is over: nothing to answer
      const { code, status, detail } = classifyError(error);
      if (code === 'INTERNAL_ERROR')
        log.error({ err: error, backend: backend.name }, 'fan-out call failed');
      const entry: FanoutEntry = {
        url: backend.url,
        ok: false,
        status,
        latencyMs: latencyMs(),
        error: code,
        detail,
        degraded: true,
      };
      if (isUpstreamStatusError(error)) {
        entry.status = error.upstreamStatus;
        entry.body = parseBody(error.upstreamBody ?? '', 'application/json');
      }
      return entry;
    }
  }
}

/**
 * JSON bodies nest as objects; anything else is kept as text, and so is JSON a request body could
 * not be (json.strict.ts): too deep (the answer's serializer recurses once per level, and a
 * backend's 10 KB of brackets overflowed its stack: a 500 for the whole fan-out, where one entry
 * was at fault), a repeated key (`{"degraded":true,"degraded":false}` was read as not degraded),
 * a `__proto__` or `constructor.prototype` key (passed on in this answer, to clients that may
 * merge it).
 */
function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text.length === 0) return undefined;
  if (typeof contentType === 'string' && contentType.includes('json')) {
    const parsed = parseStrictJson(text);
    return 'value' in parsed ? parsed.value : text;
  }
  return text;
}

import { sleep } from './data-load.js';

/** What a RedisRouteLoad request did. Times are performance.now() ms. */
export interface RouteResult {
  worker: number;
  op: 'read' | 'write' | 'hello' | 'readyz';
  startedAt: number;
  endedAt: number;
  /** 0: no HTTP answer at all (a hang past the client's 30 s, a reset). */
  status: number;
  /** Whether the answer carried RateLimit headers: the limiter's store answered. */
  limited: boolean;
  /** The item's name as read, or as written. */
  name?: string;
}

/**
 * Closed-loop load on the routes Redis backs, for its fault tests: each worker renames its own
 * item (`PATCH`, which invalidates the cache over Redis), reads it twice (`GET /api/items/:id`,
 * the cached path: a miss, then a hit) and calls `/hello`, every one of them rate-limited when
 * the service limits; one more loop asks `/readyz` every 100 ms (a probe: never limited). Every
 * answer is recorded; a worker's reads follow its own write, so each must return its name.
 */
export class RedisRouteLoad {
  readonly results: RouteResult[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly itemIds: string[],
  ) {
    itemIds.forEach((id, w) => this.loops.push(this.loop(w, id)));
    this.loops.push(this.readiness());
  }

  /** Resolves once `condition` holds of the answers recorded since `since`, or after `timeoutMs`. */
  async until(
    since: number,
    condition: (answers: RouteResult[]) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    const until = since + timeoutMs;
    while (performance.now() < until) {
      if (condition(this.results.filter((r) => r.startedAt > since))) return;
      await sleep(50);
    }
  }

  /** Stops every loop after its current request; resolves when all have. */
  async stop(): Promise<RouteResult[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.results;
  }

  private async loop(w: number, id: string): Promise<void> {
    for (let n = 0; this.running; n++) {
      const op = (['write', 'read', 'read', 'hello'] as const)[n % 4]!;
      const name = `w${w}-${n}`;
      await this.record(w, op, () =>
        op === 'read'
          ? fetch(`${this.baseUrl}/api/items/${id}`, { signal: AbortSignal.timeout(30_000) })
          : op === 'write'
            ? fetch(`${this.baseUrl}/api/items/${id}`, {
                method: 'PATCH',
                headers: { 'content-type': 'application/json', 'if-match': '*' },
                body: JSON.stringify({ name }),
                signal: AbortSignal.timeout(30_000),
              })
            : fetch(`${this.baseUrl}/hello`, { signal: AbortSignal.timeout(30_000) }),
      );
    }
  }

  private async readiness(): Promise<void> {
    while (this.running) {
      await this.record(-1, 'readyz', () =>
        fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(30_000) }),
      );
      await sleep(100);
    }
  }

  private async record(
    worker: number,
    op: RouteResult['op'],
    send: () => Promise<Response>,
  ): Promise<void> {
    const startedAt = performance.now();
    try {
      const res = await send();
      // /hello answers text; the item routes JSON.
      const text = await res.text();
      const body = (op === 'read' || op === 'write' ? JSON.parse(text) : {}) as { name?: string };
      this.results.push({
        worker,
        op,
        startedAt,
        endedAt: performance.now(),
        status: res.status,
        limited: res.headers.has('x-ratelimit-remaining'),
        name: body.name,
      });
    } catch {
      this.results.push({
        worker,
        op,
        startedAt,
        endedAt: performance.now(),
        status: 0,
        limited: false,
      });
    }
  }
}

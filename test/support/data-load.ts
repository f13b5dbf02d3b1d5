/** One answered request of a DataLoad. Times are performance.now() ms. */
export interface DataResult {
  worker: number;
  op: 'create' | 'increment' | 'read';
  startedAt: number;
  endedAt: number;
  status: number;
  code?: string;
  contentType?: string | null;
  /** Item id (create) or returned value (increment) on 2xx. */
  value?: string | number;
}

/**
 * Closed-loop load on the data routes for fault tests: `workers` loops, each creating items
 * and incrementing a counter of its own, recording every answer. Closed loop on purpose: the
 * tests assert what each request got and how fast, not throughput at a fixed arrival rate.
 */
export class DataLoad {
  readonly results: DataResult[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];

  /** `headers` go with every request (a client's `x-request-timeout`, say). */
  constructor(
    private readonly baseUrl: string,
    workers: number,
    private readonly tag: string,
    private readonly headers: Record<string, string> = {},
  ) {
    for (let w = 0; w < workers; w++) this.loops.push(this.loop(w));
  }

  /** The counter worker `w` increments. */
  counterOf(w: number): string {
    return `${this.tag}-c${w}`;
  }

  /**
   * Waits until every one of the `workers` loops has been served (2xx) by a request started after
   * `since`, or `timeoutMs` has passed: the recovery assertions say which.
   */
  async untilEveryWorkerServedSince(since: number, workers: number, timeoutMs: number) {
    const until = since + timeoutMs;
    while (performance.now() < until) {
      const served = new Set(
        this.results.filter((r) => r.startedAt > since && r.status < 300).map((r) => r.worker),
      );
      if (served.size === workers) return;
      await sleep(50);
    }
  }

  /** Stops every loop after its current request; resolves when all have. */
  async stop(): Promise<DataResult[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.results;
  }

  private async loop(w: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const op = n % 2 === 0 ? 'create' : 'increment';
      const startedAt = performance.now();
      try {
        const res =
          op === 'create'
            ? await fetch(`${this.baseUrl}/api/items`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...this.headers },
                body: JSON.stringify({ name: `${this.tag}-w${w}-${n}` }),
                signal: AbortSignal.timeout(30_000),
              })
            : await fetch(`${this.baseUrl}/api/counters/${this.counterOf(w)}/increment`, {
                method: 'POST',
                headers: this.headers,
                signal: AbortSignal.timeout(30_000),
              });
        const body = (await res.json()) as { id?: string; value?: number; code?: string };
        this.results.push({
          worker: w,
          op,
          startedAt,
          endedAt: performance.now(),
          status: res.status,
          code: body.code,
          contentType: res.headers.get('content-type'),
          value: res.ok ? (op === 'create' ? body.id : body.value) : undefined,
        });
      } catch (error) {
        // status 0: no HTTP answer at all (hang past 30 s, reset): what these tests rule out.
        this.results.push({
          worker: w,
          op,
          startedAt,
          endedAt: performance.now(),
          status: 0,
          code: String((error as Error).name),
        });
      }
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the shutdown log reports about a request that is still running. */
export interface InFlightRequest {
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly startedAt: number;
}

/**
 * Requests currently being served on the public port. Read by /api/info, the in-flight metric,
 * and the shutdown sequence (to say what was still open when the hard deadline hit). Entries are
 * the requests' own context objects (request-context.hook.ts): nothing is allocated to track them.
 */
export class InFlightRegistry {
  private readonly requests = new Set<InFlightRequest>();

  add(request: InFlightRequest): void {
    this.requests.add(request);
  }

  delete(request: InFlightRequest): void {
    this.requests.delete(request);
  }

  get size(): number {
    return this.requests.size;
  }

  snapshot(now = Date.now()) {
    return [...this.requests].map((r) => ({
      id: r.requestId,
      method: r.method,
      url: r.url,
      startedAt: r.startedAt,
      ageMs: now - r.startedAt,
    }));
  }
}

/** One registry per process: the HTTP hooks write it before Nest's container exists. */
export const inFlightRequests = new InFlightRegistry();

/** What the shutdown log reports about a request that is still running. */
export interface InFlightRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly startedAt: number;
}

/**
 * Requests currently being served on the public port. Read by /api/info, the in-flight metric,
 * and the shutdown sequence (to say what was still open when the hard deadline hit).
 */
export class InFlightRegistry {
  private readonly requests = new Map<string, InFlightRequest>();

  add(request: InFlightRequest): void {
    this.requests.set(request.id, request);
  }

  delete(id: string): void {
    this.requests.delete(id);
  }

  get size(): number {
    return this.requests.size;
  }

  snapshot(now = Date.now()): Array<InFlightRequest & { ageMs: number }> {
    return [...this.requests.values()].map((r) => ({ ...r, ageMs: now - r.startedAt }));
  }
}

/** One registry per process: the HTTP hooks write it before Nest's container exists. */
export const inFlightRequests = new InFlightRegistry();

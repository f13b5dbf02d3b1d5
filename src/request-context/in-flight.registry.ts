import { Injectable } from '@nestjs/common';

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
 * the requests' own state objects (http/request-state.hook.ts): nothing is allocated to track
 * them. One per app (a Nest provider), so two apps in one process count apart.
 */
@Injectable()
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

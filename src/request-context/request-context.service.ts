import { Injectable } from '@nestjs/common';
import { currentRequest } from './context.store.js';
import { NEVER_ABORTS, type RequestContext } from './request-context.js';

/**
 * Gives handlers, repositories and upstream clients the current request's id, deadline and
 * AbortSignal. Outside a request (start-up, timers) it answers with a context that never aborts.
 */
@Injectable()
export class RequestContextService {
  current(): RequestContext | undefined {
    return currentRequest();
  }

  get signal(): AbortSignal {
    return currentRequest()?.signal ?? NEVER_ABORTS;
  }

  get requestId(): string | undefined {
    return currentRequest()?.requestId;
  }

  /**
   * Waits for `work` — done for this request by something shared (a combined statement, a
   * coalesced read) — with the request parked meanwhile: it keeps no admission slot, and the
   * wait is not counted as its latency (admission/admission.slot.ts). Not for waits on a scarce
   * resource (a pooled connection): those are the queueing the limiter must see.
   */
  parkedWhile<T>(work: Promise<T>): Promise<T> {
    const admission = currentRequest()?.admission;
    if (!admission) return work;
    admission.park();
    return work.finally(() => admission.unpark());
  }
}

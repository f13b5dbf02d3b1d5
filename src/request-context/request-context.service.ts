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
}

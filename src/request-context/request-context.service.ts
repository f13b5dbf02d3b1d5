import { Injectable } from '@nestjs/common';
import { NEVER_ABORTS, requestContextStorage, type RequestContext } from './request-context.js';

/**
 * Gives handlers, repositories and upstream clients the current request's id, deadline and
 * AbortSignal. Outside a request (start-up, timers) it answers with a context that never aborts.
 */
@Injectable()
export class RequestContextService {
  current(): RequestContext | undefined {
    return requestContextStorage.getStore();
  }

  get signal(): AbortSignal {
    return requestContextStorage.getStore()?.signal ?? NEVER_ABORTS;
  }

  get requestId(): string | undefined {
    return requestContextStorage.getStore()?.requestId;
  }
}

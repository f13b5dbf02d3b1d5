import { Injectable } from '@nestjs/common';
import { requestContextStorage, type RequestContext } from './request-context.js';

const NEVER = new AbortController().signal;

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
    return requestContextStorage.getStore()?.signal ?? NEVER;
  }

  get requestId(): string | undefined {
    return requestContextStorage.getStore()?.requestId;
  }
}

import type { Context, Span } from '@opentelemetry/api';
import type { InFlightRequest } from './in-flight.registry.js';
import type { RequestContext } from './request-context.js';

/**
 * Everything rampart keeps for one public request, in one object made by rampart's first hook
 * (http/request-state.hook.ts) and read by the others. Fields are written once, by the hook
 * named beside them; everyone else reads.
 */
export interface RequestState extends RequestContext, InFlightRequest {
  readonly method: string;
  readonly url: string;
  /** The matched route template (`/api/items/:id`), undefined for a 404. */
  readonly route: string | undefined;
  /** A kubelet probe (health/health.paths.ts), decided once: untraced, no chaos, no rate limit. */
  readonly probe: boolean;
  /** This request's SERVER span when traced (telemetry/server-span.hooks.ts). */
  span: Span | undefined;
  /**
   * The context the request runs in: this state, and the span when traced. Entered once
   * (context.store.ts), by that hook, for every later hook and the handler.
   */
  context: Context;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by rampart's first hook on the public listener; null before it and on admin. */
    requestState: RequestState | null;
  }
}

import { ROOT_CONTEXT, type Context, type Span } from '@opentelemetry/api';
import type { InFlightRequest } from './in-flight.registry.js';
import type { Parkable, RequestContext } from './request-context.js';

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
  /**
   * A JSON body's text as it arrived (protocol/json.body-parser.ts), for a route that passes the
   * body on unaltered (`POST /echo`): the parsed value loses what JSON.parse cannot hold, such as
   * 12345678901234567890's last digits, 1e400 (JSON.stringify writes null) and -0.
   */
  bodyText: string | undefined;
}

/** What the first hook knows when it makes a request's state. */
export interface RequestStart {
  requestId: string;
  method: string;
  url: string;
  route: string | undefined;
  probe: boolean;
  startedAt: number;
  deadline: number;
  admission: Parkable | undefined;
}

/**
 * The RequestState the first hook makes. Its AbortSignal is made on first read: most requests
 * (a `/hello`, a cached read) never read it, and a signal is an EventTarget the request would
 * allocate and the young generation copy for nothing (request-state.bench.ts). The controller
 * behind it aborts whether or not anyone read it yet.
 */
export class PublicRequestState implements RequestState {
  readonly requestId: string;
  readonly method: string;
  readonly url: string;
  readonly route: string | undefined;
  readonly probe: boolean;
  readonly startedAt: number;
  readonly deadline: number;
  readonly admission: Parkable | undefined;
  span: Span | undefined = undefined;
  context: Context = ROOT_CONTEXT;
  bodyText: string | undefined = undefined;
  inFlightSlot = -1;

  constructor(
    start: RequestStart,
    private readonly controller: AbortController,
  ) {
    this.requestId = start.requestId;
    this.method = start.method;
    this.url = start.url;
    this.route = start.route;
    this.probe = start.probe;
    this.startedAt = start.startedAt;
    this.deadline = start.deadline;
    this.admission = start.admission;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by rampart's first hook on the public listener; null before it and on admin. */
    requestState: RequestState | null;
  }
}

import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeOf } from '../http/matched-route.js';
import { telemetryHandle } from './telemetry.handle.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's server span and the context it is active in (unset when not traced). */
    otel?: { span: Span; context: Context };
  }
}

/**
 * One SERVER span per request, named `METHOD /route` (OTel HTTP semantic conventions), with the
 * caller's span as parent, read in the OTEL_PROPAGATORS formats (telemetry.propagators.ts).
 * This replaces `@fastify/otel`, which wraps every hook and handler in spans of its own: three
 * hooks and one span per request cost a fraction of that (figures in README: observability).
 *
 * The span's context is entered for the rest of the onRequest hooks, again before the handler
 * (body parsing resumes in the socket's async context, as in request-context.hook.ts). The
 * access log (http/access.log.ts) reads the ids from `request.otel` after the span ended.
 *
 * Not registered at all when the SDK did not start (OTEL_SDK_DISABLED): zero cost.
 * @param ignoredRoutes routes never traced (kubelet probes: a span every few seconds per pod)
 */
export function registerServerSpan(app: FastifyInstance, ignoredRoutes: ReadonlySet<string>): void {
  if (!telemetryHandle()) return;
  const tracer = trace.getTracer('rampart.http.server');
  // Declared up front: one hidden class for every request object (see request-context.hook.ts).
  app.decorateRequest('otel', undefined);

  app.addHook('onRequest', (request, reply, done) => {
    const route = routeOf(request);
    if (route !== undefined && ignoredRoutes.has(route)) return done();
    // Always extracted: the propagators read more headers than they announce in fields() (a
    // `b3` propagator also accepts X-B3-*), and an extraction that finds nothing costs ~0.4 µs
    // (tracecontext, baggage and B3 on a request without trace headers, Node 24).
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const name = route === undefined ? request.method : `${request.method} ${route}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      span.setAttributes(requestAttributes(request, route));
      // The client left before the answer was written: no onResponse will come. Listened to
      // only for recorded spans; Fastify's onRequestAbort hook would add a listener to every
      // request, traced or not.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) endAbandoned(span);
      });
    }
    const ctx = trace.setSpan(parent, span);
    request.otel = { span, context: ctx };
    context.with(ctx, done);
  });

  app.addHook('preHandler', (request, _reply, done) => {
    if (request.otel) context.with(request.otel.context, done);
    else done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const otel = request.otel;
    if (!otel) return done();
    endSpan(otel.span, reply);
    done();
  });
}

/**
 * The HTTP server span attributes the semantic conventions require or recommend, and no more:
 * every attribute is validated, stored and encoded per sampled request
 * (opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server).
 */
function requestAttributes(request: FastifyRequest, route: string | undefined) {
  const queryAt = request.url.indexOf('?');
  return {
    'http.request.method': request.method,
    'http.route': route,
    'url.path': queryAt === -1 ? request.url : request.url.slice(0, queryAt),
    'url.scheme': request.protocol,
    // The original client (request.ip honours TRUST_PROXY, http/proxy-trust.ts); the peer is
    // the socket's other end, the ingress controller when there is one.
    'client.address': request.ip,
    'network.peer.address': request.socket.remoteAddress,
    'network.protocol.version': request.raw.httpVersion,
    'user_agent.original': request.headers['user-agent'],
  };
}

function endSpan(span: Span, reply: FastifyReply): void {
  if (!span.isRecording()) return;
  const status = reply.statusCode;
  span.setAttribute('http.response.status_code', status);
  // Server spans: only 5xx is an error; a 4xx is the client's mistake (HTTP semconv).
  if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function endAbandoned(span: Span): void {
  span.setAttribute('error.type', 'client_closed');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
  span.end();
}

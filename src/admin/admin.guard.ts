import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/config.schema.js';
import type { AppError } from '../errors/app.error.js';
import { cut } from '../errors/client-text.js';
import { sendProblem } from '../errors/problem.reply.js';
import { logger } from '../logging/logger.js';
import { repeated } from '../protocol/raw-headers.js';
import { BadRequestError, UnsupportedMediaTypeError } from '../protocol/protocol.errors.js';
import {
  AdminCrossSiteError,
  AdminTokenInvalidError,
  AdminTokenNotConfiguredError,
} from './admin.errors.js';

const log = logger.child({ module: 'admin' });

const READ_METHODS = new Set(['GET', 'HEAD']);
// The one family of reads that needs the token: a profile exposes memory contents and code layout.
const GUARDED_READS = '/debug/pprof/';
// RFC 7235: the scheme is case-insensitive; RFC 6750 §2.1: one token after one or more spaces.
const BEARER = /^bearer +(\S+) *$/i;
const JSON_TYPE = /^application\/json *(;|$)/i;
// RFC 6750 §3: a 401 names the scheme; the realm tells an operator which credential is meant.
const CHALLENGE = 'Bearer realm="rampart-admin"';

/**
 * Who may change this pod through the admin listener. Every request that is not a GET or HEAD
 * (chaos, readiness toggles, anything added later) and everything under /debug/pprof/ (profiles
 * read memory and code layout) needs `Authorization: Bearer <ADMIN_TOKEN>`. Other reads (metrics,
 * the status page, the trace view) are open like /metrics: the admin port is never public, and a
 * newcomer's first trace must not need a token:
 * 1. no token configured: refused in production (403), allowed elsewhere (development, tests);
 * 2. token missing or wrong: 401 with `WWW-Authenticate: Bearer`;
 * 3. a mutation a browser sent from another site is refused (403): a `Sec-Fetch-Site` other than
 *    one `same-origin` or `none` (cross-site, same-site, repeated), or an `Origin` whose host is
 *    not the request's Host. A bodyless POST is a CORS-simple request, sent cross-site without
 *    a preflight: with no token (development), a page a developer visited exited the process.
 *    curl, kubectl and scripts send neither header; the admin status page, same-origin, sends a
 *    matching one;
 * 4. a mutation's body must be JSON or absent (415): a browser sends text/plain and form bodies
 *    cross-site without a preflight, so a page a developer visits could otherwise reach the port.
 * `?token=` is accepted on pprof reads only: `go tool pprof URL` cannot send a header.
 */
export class AdminGuard {
  private readonly expected?: Buffer;
  private readonly source?: 'ADMIN_TOKEN' | 'DEBUG_TOKEN';

  constructor(private readonly config: AppConfig) {
    this.source = config.ADMIN_TOKEN
      ? 'ADMIN_TOKEN'
      : config.DEBUG_TOKEN
        ? 'DEBUG_TOKEN'
        : undefined;
    const token = config.ADMIN_TOKEN ?? config.DEBUG_TOKEN;
    this.expected = token === undefined ? undefined : digest(token);
  }

  /**
   * Adds the check as the admin listener's onRequest hook (routes are matched by then), after
   * the protocol checks (admin.server.ts): only a request for a route that exists gets here.
   */
  register(routes: FastifyInstance): void {
    routes.addHook('onRequest', (request, reply, done) => {
      const refusal = this.refusal(request, reply);
      if (refusal) return sendProblem(reply, request, refusal);
      done();
    });
  }

  /** The start-up lines, once per listener: what protects the admin routes, if anything. */
  announce(): void {
    if (this.source === 'DEBUG_TOKEN') {
      log.warn(
        'DEBUG_TOKEN is deprecated and now guards every admin mutation: rename it ADMIN_TOKEN',
      );
    } else if (this.source === 'ADMIN_TOKEN' && this.config.DEBUG_TOKEN !== undefined) {
      log.warn('DEBUG_TOKEN is ignored: ADMIN_TOKEN is set and guards pprof too');
    } else if (this.source === undefined && this.production) {
      log.warn('ADMIN_TOKEN is not set: admin mutations and pprof are refused (403)');
    } else if (this.source === undefined) {
      log.warn(
        { nodeEnv: this.config.NODE_ENV },
        'ADMIN_TOKEN is not set: admin mutations and pprof are open to anyone who reaches the admin port',
      );
    }
  }

  private get production(): boolean {
    return this.config.NODE_ENV === 'production';
  }

  private refusal(request: FastifyRequest, reply: FastifyReply): AppError | undefined {
    const read = READ_METHODS.has(request.method);
    // The matched route's template, not the raw URL: encodings of the path cannot dodge it.
    const debug = (request.routeOptions.url ?? request.url).startsWith(GUARDED_READS);
    if (read && !debug) return undefined;
    const crossSite = read ? undefined : crossSiteSender(request);
    if (crossSite) return new AdminCrossSiteError(crossSite);
    if (this.expected === undefined) {
      return this.production ? new AdminTokenNotConfiguredError() : this.bodyRefusal(request, read);
    }
    // Node keeps the first of repeated Authorization lines; two credentials are no credential.
    if (repeated(request.raw.rawHeaders, 'authorization')) {
      return new BadRequestError('More than one Authorization header.');
    }
    const given = bearer(request) ?? (read && debug ? queryToken(request) : undefined);
    if (given === undefined || !timingSafeEqual(digest(given), this.expected)) {
      reply.header('www-authenticate', CHALLENGE);
      return new AdminTokenInvalidError();
    }
    return this.bodyRefusal(request, read);
  }

  private bodyRefusal(request: FastifyRequest, read: boolean): AppError | undefined {
    if (read) return undefined;
    const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
    const hasBody = (length !== undefined && length !== '0') || chunked !== undefined;
    const type = request.headers['content-type'];
    if (hasBody && type === undefined) {
      return new UnsupportedMediaTypeError(
        'A body needs Content-Type: application/json (or send none).',
      );
    }
    if (hasBody && !JSON_TYPE.test(type!)) {
      const given = cut(type!.split(';')[0]!);
      return new UnsupportedMediaTypeError(
        `${given} is not accepted; send application/json or no body.`,
      );
    }
    return undefined;
  }
}

/** Digests first, so the comparison's time leaks neither the token's length nor a prefix. */
function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

// The Sec-Fetch-Site values of a request this origin's own page (or the user, typing a URL) made.
// Any other value is refused, not only `cross-site` and `same-site`: Node joins two header lines
// into one value ("same-origin, cross-site"), which was neither of those two and passed.
const OWN_SITE = new Set(['same-origin', 'none']);

/**
 * Why the request comes from a web page of another site, or undefined. Fetch Metadata
 * (`Sec-Fetch-Site`, sent by current browsers) says so directly: present, it must be exactly one
 * of OWN_SITE (a browser sends one value, one line; a repeated or unknown one is no proof of
 * the same origin). `Origin` covers older browsers: one is sent on every cross-origin POST, PUT
 * and DELETE, and `null` (a sandboxed frame, a redirect across sites) or two of them never
 * match. Only browsers send either header.
 */
function crossSiteSender(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && !OWN_SITE.has(site)) return `Sec-Fetch-Site: ${cut(site)}`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const host = request.headers.host?.toLowerCase();
  if (host !== undefined && originHost(origin) === host) return undefined;
  return `Origin ${cut(origin)} is not this host`;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * `?token=` read from the raw query with RFC 3986 decoding: a b64token may hold '+', which
 * `go tool pprof "…&token=$ADMIN_TOKEN"` sends as it is, and the querystring parser would turn
 * into a space (a rule of HTML forms, not of URLs). Given twice, it is no token.
 */
function queryToken(request: FastifyRequest): string | undefined {
  const url = request.raw.url ?? '';
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  let token: string | undefined;
  for (const pair of url.slice(start + 1).split('&')) {
    if (!pair.startsWith('token=')) continue;
    if (token !== undefined) return undefined;
    try {
      token = decodeURIComponent(pair.slice('token='.length));
    } catch {
      return undefined;
    }
  }
  return token;
}

import { int, optionalString } from './config.fields.js';

// 16 characters is the floor for a bearer secret that is compared in full on every call; a
// generated one (`openssl rand -hex 32`, what the dev overlay's comment shows) is 64.
const ADMIN_TOKEN_MIN_LENGTH = 16;

// RFC 6750 §2.1's b64token, all a `Bearer` credential may be: the admin guard reads the one
// token after the scheme up to the first space (admin.guard.ts), so a token with a space inside
// started and then refused every caller (401), the admin port locked for good; so did one a
// header cannot carry (`€`: Node refuses it, curl sends other bytes) or loses (leading or trailing
// whitespace).
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * A bearer secret: at least ADMIN_TOKEN_MIN_LENGTH characters, and a b64token (letters, digits,
 * `-._~+/`, then any `=` padding): what `openssl rand -hex 32` or `-base64 32` prints.
 */
export const bearerToken = () =>
  optionalString()
    .refine((v) => v === undefined || v.length >= ADMIN_TOKEN_MIN_LENGTH, {
      message: `expected at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
    })
    .refine((v) => v === undefined || B64TOKEN.test(v), {
      message:
        'must be an RFC 6750 bearer token: letters, digits and -._~+/ then any = padding ' +
        '(no spaces or other characters)',
    });

/** Operator credentials for the admin listener (src/admin/admin.guard.ts). */
export const adminConfigShape = {
  // Bearer token for every admin mutation and for pprof. Unset: refused when NODE_ENV=production,
  // allowed with a start-up warning otherwise (development, tests).
  ADMIN_TOKEN: bearerToken(),
  // Connections the admin listener holds at once; past it a new one takes the place of the oldest
  // that is not answering a request (src/admin/admin.connections.ts). Prometheus keeps one or two,
  // an operator's browser six; 128, as the probe port's, leaves room for every tool at once and
  // holds ~2.5 MB at ~20 KB a connection, where 5,000 silent sockets were all held before.
  ADMIN_MAX_CONNECTIONS: int(1, 100_000).default(128),
};

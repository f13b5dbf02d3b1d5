import { optionalString } from './config.fields.js';

// 16 characters is the floor for a bearer secret that is compared in full on every call; a
// generated one (`openssl rand -hex 32`, what the dev overlay's comment shows) is 64.
const ADMIN_TOKEN_MIN_LENGTH = 16;

/**
 * A bearer secret: at least ADMIN_TOKEN_MIN_LENGTH printable ASCII characters, none of them
 * whitespace at either end. A header value loses its leading and trailing whitespace on the way in, so a token of 20
 * spaces started and then refused every caller (401): the admin port locked for good.
 */
export const bearerToken = () =>
  optionalString()
    .refine((v) => v === undefined || v.length >= ADMIN_TOKEN_MIN_LENGTH, {
      message: `expected at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
    })
    .refine((v) => v === undefined || v.trim() === v, {
      message: 'must not start or end with whitespace',
    })
    // An HTTP client cannot send `€` in a header (Node refuses it, curl sends other bytes): a
    // token with one started, and every caller was refused for good.
    .refine((v) => v === undefined || /^[\x20-\x7e]*$/.test(v), {
      message: 'must be printable ASCII (all a header value can carry)',
    });

/** Operator credentials for the admin listener (src/admin/admin.guard.ts). */
export const adminConfigShape = {
  // Bearer token for every admin mutation and for pprof. Unset: refused when NODE_ENV=production,
  // allowed with a start-up warning otherwise (development, tests).
  ADMIN_TOKEN: bearerToken(),
};

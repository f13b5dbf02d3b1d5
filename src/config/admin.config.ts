import { optionalString } from './config.fields.js';

// 16 characters is the floor for a bearer secret that is compared in full on every call; a
// generated one (`openssl rand -hex 32`, what the dev overlay's comment shows) is 64.
const ADMIN_TOKEN_MIN_LENGTH = 16;

/** Operator credentials for the admin listener (src/admin/admin.guard.ts). */
export const adminConfigShape = {
  // Bearer token for every admin mutation and for pprof. Unset: refused when NODE_ENV=production,
  // allowed with a start-up warning otherwise (development, tests).
  ADMIN_TOKEN: optionalString().refine(
    (v) => v === undefined || v.length >= ADMIN_TOKEN_MIN_LENGTH,
    { message: `expected at least ${ADMIN_TOKEN_MIN_LENGTH} characters` },
  ),
};

import { AppError } from '../errors/app.error.js';

/** ADMIN_TOKEN is set and the request's Bearer token is missing or does not match it. */
export class AdminTokenInvalidError extends AppError {
  constructor() {
    super('ADMIN_TOKEN_INVALID', 401, 'A valid admin token is required (Authorization: Bearer).');
  }
}

/** NODE_ENV=production and no ADMIN_TOKEN is configured: no credential could be right. */
export class AdminTokenNotConfiguredError extends AppError {
  constructor() {
    super(
      'ADMIN_TOKEN_NOT_CONFIGURED',
      403,
      'Admin mutations and profiles are refused in production until ADMIN_TOKEN is configured.',
    );
  }
}

/**
 * A browser sent this mutation from another site (Sec-Fetch-Site, or an Origin other than the
 * Host): a page a developer visits must not drive the admin port, token or not.
 */
export class AdminCrossSiteError extends AppError {
  constructor(detail: string) {
    super(
      'ADMIN_CROSS_SITE_REQUEST',
      403,
      `Admin changes are refused from a web page of another site: ${detail}.`,
    );
  }
}

/** One field-level problem, reported in the problem body's `errors` array. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  /** Seconds for a Retry-After header (503/429). */
  retryAfterSeconds?: number;
  errors?: FieldProblem[];
  /** Response headers the answer must carry (405's `Allow`). */
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
  /**
   * Logged at debug, not warn: failures asked for on purpose (chaos, /status/:code), or a 5xx
   * that is the client's doing (505 for its HTTP version).
   */
  quiet?: boolean;
}

/**
 * Base of every expected failure. `code` is stable and documented (clients switch on it);
 * `status` is the HTTP status the one exception filter answers with.
 */
export class AppError extends Error {
  readonly retryAfterSeconds?: number;
  readonly errors?: FieldProblem[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;
  readonly quiet: boolean;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
    this.headers = options.headers;
    this.extensions = options.extensions;
    this.quiet = options.quiet ?? false;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Whether `e` is rampart's error with this code: what each module's `isX` guard is built on. */
export const hasCode = (e: unknown, code: string): e is AppError =>
  e instanceof AppError && e.code === code;

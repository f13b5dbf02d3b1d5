import { AppError } from '../errors/app.error.js';

/** DEBUG_TOKEN is set and the request's Bearer token or `?token=` does not match it. */
export class DebugTokenInvalidError extends AppError {
  constructor() {
    super('DEBUG_TOKEN_INVALID', 401, 'A valid debug token is required (Bearer or ?token=).');
  }
}

/** A CPU profile is already being taken: V8 runs one CPU profiler per isolate. */
export class ProfileInProgressError extends AppError {
  constructor() {
    super('PROFILE_IN_PROGRESS', 409, 'A CPU profile is already in progress; retry when it ends.');
  }
}

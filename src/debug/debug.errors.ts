import { AppError } from '../errors/app.error.js';

/** A CPU profile is already being taken: V8 runs one CPU profiler per isolate. */
export class ProfileInProgressError extends AppError {
  constructor() {
    super('PROFILE_IN_PROGRESS', 409, 'A CPU profile is already in progress; retry when it ends.');
  }
}

import { AppError } from '../errors/app.error.js';

/**
 * A profile of this kind is already being taken: V8 runs one CPU profiler per isolate, and a
 * heap profile is built on the event loop (pprof.profiler.ts).
 */
export class ProfileInProgressError extends AppError {
  constructor(kind: 'CPU' | 'heap') {
    super(
      'PROFILE_IN_PROGRESS',
      409,
      `A ${kind} profile is already in progress; retry when it ends.`,
    );
  }
}

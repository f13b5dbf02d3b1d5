import { AppError } from '../errors/app.error.js';

/** Liveness failed on purpose (admin /chaos/process/liveness): the kubelet should restart us. */
export class LivenessFailedError extends AppError {
  constructor(reason: string) {
    super('LIVENESS_FAILED', 503, reason, { quiet: true });
  }
}

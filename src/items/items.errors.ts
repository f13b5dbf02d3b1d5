import { AppError } from '../errors/app.error.js';

export class ItemNotFoundError extends AppError {
  constructor(id: string) {
    super('ITEM_NOT_FOUND', 404, `No item with id ${id}.`);
  }
}

/**
 * The item's current version fails the request's If-Match or If-None-Match: re-read, re-apply,
 * retry. Not "changed since": `If-None-Match: *` or an empty If-Match fail an item nobody changed.
 */
export class ItemVersionConflictError extends AppError {
  constructor(id: string, currentEtag: string) {
    super(
      'ITEM_VERSION_CONFLICT',
      412,
      `Item ${id} is at ${currentEtag}, which the request's If-Match or If-None-Match rules out.`,
      {
        extensions: { currentEtag },
      },
    );
  }
}

/**
 * The item is at the last version its column holds (item.row.ts LAST_VERSION), and a change
 * would need the next: it takes no more. Deleting it still works; a new item starts at 1.
 */
export class ItemVersionExhaustedError extends AppError {
  constructor(id: string, version: number) {
    super(
      'ITEM_VERSION_EXHAUSTED',
      409,
      `Item ${id} is at version ${version}, the last one it can have: it takes no more changes. ` +
        'Create a new item for them.',
    );
  }
}

/** A write without If-Match would overwrite changes it never saw (RFC 6585 §3). */
export class PreconditionRequiredError extends AppError {
  constructor() {
    super('PRECONDITION_REQUIRED', 428, 'PATCH requires an If-Match header with the item ETag.');
  }
}

/** The Idempotency-Key was first used with a different body. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      422,
      'This Idempotency-Key was already used with a different request body.',
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import { createOnce, type CreateResult } from './idempotent-create.transaction.js';
import type { Expected } from './item.etag.js';
import { ITEM_COLUMNS, LAST_VERSION, toItem, type ItemRow } from './item.row.js';
import type { Item, ItemInput } from './item.types.js';

const WRITABLE = ['name', 'description', 'tags'] as const;

/**
 * Outcome of a conditional write: the new row, or why there is none: no item, an item at a
 * version the preconditions rule out, or (PATCH) one they allow at LAST_VERSION.
 */
export type WriteResult =
  { item: Item } | { missing: true } | { conflict: number } | { exhausted: number };

/** What a conditional write tells its caller as it goes (ItemWriteInvalidation.tracking). */
export interface WriteProgress {
  /** Its statement went out (QueryOptions.onSent): it may commit whatever the caller hears. */
  sent: () => void;
  /**
   * Its statement answered, so what it did is known: a lookup that follows one that matched no
   * row (the version, for the 412) may still fail, but the write changed nothing.
   */
  answered: () => void;
}

/**
 * The write's preconditions, the same for PATCH and DELETE: at one of the If-Match versions ($2,
 * null for `*`) and at none of the If-None-Match ones ($3, null without the header).
 */
const VERSION_GUARD = `($2::integer[] IS NULL OR version = ANY($2))
  AND ($3::integer[] IS NULL OR NOT (version = ANY($3)))`;

/**
 * Items in PostgreSQL, plain parameterised SQL (one dialect for pg and PGlite). Concurrency is
 * the database's job: updates are conditional on the version read (VERSION_GUARD, so of two
 * writers racing on one version exactly one matches), creates with an Idempotency-Key claim the
 * key (ON CONFLICT, taking over only an expired one) before writing anything.
 */
@Injectable()
export class ItemsRepository {
  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `signal` given by the cache when one query serves several requests. */
  async findById(id: string, signal?: AbortSignal): Promise<Item | undefined> {
    const { rows } = await this.db.query<ItemRow>(
      'items.find_by_id',
      `SELECT ${ITEM_COLUMNS} FROM items WHERE id = $1`,
      [id],
      { signal, prepare: true },
    );
    return rows[0] && toItem(rows[0]);
  }

  /**
   * One page in id order, starting after `afterId`. `ORDER BY items.id`, the bigint column: a bare
   * `id` names the output column, `id::text`, and text order (10000 before 9996) made pages skip
   * items, without the primary key's index.
   */
  async list(afterId: string | undefined, limit: number): Promise<Item[]> {
    const { rows } = await this.db.query<ItemRow>(
      'items.list',
      `SELECT ${ITEM_COLUMNS} FROM items WHERE items.id > $1 ORDER BY items.id LIMIT $2`,
      [afterId ?? '0', limit],
      { prepare: true },
    );
    return rows.map(toItem);
  }

  /** A plain create (no Idempotency-Key). */
  async create(input: ItemInput & { name: string }): Promise<Item> {
    const { rows } = await this.db.query<ItemRow>(
      'items.create',
      `INSERT INTO items (name, description, tags) VALUES ($1, $2, $3) RETURNING ${ITEM_COLUMNS}`,
      [input.name, input.description ?? null, input.tags ?? []],
    );
    return toItem(rows[0] as ItemRow);
  }

  /**
   * Create once per key (idempotent-create.transaction.ts says how), in one transaction. `signal`
   * is given when one transaction serves several requests (idempotent-create.flights.ts).
   */
  async createIdempotent(
    input: ItemInput & { name: string },
    key: string,
    fingerprint: string,
    signal?: AbortSignal,
  ): Promise<CreateResult> {
    return this.db.transaction(
      'items.create_idempotent',
      (tx) => createOnce(tx, input, key, fingerprint, this.config.IDEMPOTENCY_KEY_TTL_MS),
      signal,
    );
  }

  /**
   * Applies `patch` if the item is still at one of the `expected` versions ('any' for
   * If-Match: *) and at none of the `excluded` ones (If-None-Match; 'any' for `*`, which no
   * existing item passes). Not write-combined like counter increments: with a version,
   * concurrent writers of one item wait for one commit at most and the losers get 412; why `*`
   * overwrites are left alone is in counters.service.ts. `progress`: the UPDATE went out, and
   * answered.
   */
  async update(
    id: string,
    expected: Expected,
    patch: ItemInput,
    excluded?: Expected,
    progress?: WriteProgress,
  ): Promise<WriteResult> {
    if (excluded === 'any') return this.whyNot(id);
    const params: unknown[] = [id, expected === 'any' ? null : expected, excluded ?? null];
    const sets = WRITABLE.filter((field) => patch[field] !== undefined).map((field) => {
      params.push(patch[field]);
      return `${field} = $${params.length}`;
    });
    const { rows } = await this.db.query<ItemRow>(
      'items.update',
      // clock_timestamp(), not now(): now() is the transaction's start, taken before this
      // statement waited for the row lock, so a later version could carry an earlier time;
      // greatest() keeps it from going back should the clock step.
      // Below LAST_VERSION: at it, `version + 1` leaves the integer column and the statement
      // failed (500); whyNotUpdated tells that item from one the preconditions rule out.
      `UPDATE items SET ${sets.join(', ')}, version = version + 1,
         updated_at = greatest(clock_timestamp(), updated_at)
       WHERE id = $1 AND ${VERSION_GUARD} AND version < ${LAST_VERSION}
       RETURNING ${ITEM_COLUMNS}`,
      params,
      { onSent: progress?.sent },
    );
    progress?.answered();
    return rows[0] ? { item: toItem(rows[0]) } : this.whyNotUpdated(params.slice(0, 3));
  }

  /**
   * Deletes if the item is still at one of the `expected` versions and none of `excluded`.
   * `progress`: the DELETE went out, and answered.
   */
  async delete(
    id: string,
    expected: Expected,
    excluded?: Expected,
    progress?: WriteProgress,
  ): Promise<WriteResult | { deleted: true }> {
    if (excluded === 'any') return this.whyNot(id);
    const { rowCount } = await this.db.query(
      'items.delete',
      `DELETE FROM items WHERE id = $1 AND ${VERSION_GUARD}`,
      [id, expected === 'any' ? null : expected, excluded ?? null],
      { onSent: progress?.sent },
    );
    progress?.answered();
    return rowCount > 0 ? { deleted: true } : this.whyNot(id);
  }

  /**
   * Resolves once the database answers a statement begun now (InDoubtWrites); rejects when it
   * does not. While the breaker is open nothing is sent: it closes on its own probe's answer.
   */
  async answers(signal: AbortSignal): Promise<void> {
    if (this.db.breakerState === 'open') throw new Error('database breaker open');
    await this.db.query('items.answers', 'SELECT 1', [], { signal });
  }

  /**
   * Why an UPDATE with the guard's parameters (`[id, expected, excluded]`) changed no row: the
   * item at LAST_VERSION with its preconditions holding is exhausted (a precondition that fails
   * is answered first, RFC 9110 §13.2.2), judged by the same VERSION_GUARD.
   */
  private async whyNotUpdated(guard: unknown[]): Promise<WriteResult> {
    const { rows } = await this.db.query<{ version: number; exhausted: boolean }>(
      'items.current_version_for_update',
      `SELECT version, (version = ${LAST_VERSION} AND ${VERSION_GUARD}) AS exhausted
       FROM items WHERE id = $1`,
      guard,
    );
    if (!rows[0]) return { missing: true };
    return rows[0].exhausted ? { exhausted: rows[0].version } : { conflict: rows[0].version };
  }

  private async whyNot(id: string): Promise<WriteResult> {
    const { rows } = await this.db.query<{ version: number }>(
      'items.current_version',
      'SELECT version FROM items WHERE id = $1',
      [id],
    );
    return rows[0] ? { conflict: rows[0].version } : { missing: true };
  }
}

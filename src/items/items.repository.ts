import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DatabaseService } from '../database/database.service.js';
import type { SqlSession } from '../database/database.driver.js';
import type { Expected } from './item.etag.js';
import type { Item, ItemInput } from './item.types.js';

interface ItemRow {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

// id as text: both drivers then return the same string, and bigint never passes through a
// JavaScript number.
const COLUMNS = 'id::text AS id, name, description, tags, version, created_at, updated_at';
const WRITABLE = ['name', 'description', 'tags'] as const;

/** Outcome of a conditional write: the new row, or why there is none. */
export type WriteResult = { item: Item } | { missing: true } | { conflict: number };

/** Outcome of an idempotent create. */
export type CreateResult =
  | { item: Item; replayed: boolean }
  | { reused: true } // the key belongs to a different request body
  | { retry: true }; // the key was swept (expired) between our claim and our read

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
      `SELECT ${COLUMNS} FROM items WHERE id = $1`,
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
      `SELECT ${COLUMNS} FROM items WHERE items.id > $1 ORDER BY items.id LIMIT $2`,
      [afterId ?? '0', limit],
      { prepare: true },
    );
    return rows.map(toItem);
  }

  /** A plain create (no Idempotency-Key). */
  async create(input: ItemInput & { name: string }): Promise<Item> {
    const { rows } = await this.db.query<ItemRow>(
      'items.create',
      `INSERT INTO items (name, description, tags) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [input.name, input.description ?? null, input.tags ?? []],
    );
    return toItem(rows[0] as ItemRow);
  }

  /**
   * Create once per key. The key row is inserted first with the id the item will get: a
   * concurrent request with the same key blocks on the unique index until we commit, then sees
   * the conflict and reads our item — one item whatever the interleaving, no orphan rows.
   * A key older than IDEMPOTENCY_KEY_TTL_MS is taken over as if absent: it replayed (or refused
   * another body with 422) until the next sweep, up to an hour past its TTL. `signal` is given
   * when one transaction serves several requests (idempotent-create.flights.ts).
   */
  async createIdempotent(
    input: ItemInput & { name: string },
    key: string,
    fingerprint: string,
    signal?: AbortSignal,
  ): Promise<CreateResult> {
    return this.db.transaction(
      'items.create_idempotent',
      async (tx) => {
        const claim = await tx.query<{ item_id: string }>(
          `INSERT INTO item_idempotency_keys AS k (key, item_id, fingerprint)
         VALUES ($1, nextval(pg_get_serial_sequence('items', 'id')), $2)
         ON CONFLICT (key) DO UPDATE
           SET item_id = EXCLUDED.item_id, fingerprint = EXCLUDED.fingerprint, created_at = now()
           WHERE k.created_at < now() - $3::bigint * interval '1 millisecond'
         RETURNING item_id::text AS item_id`,
          [key, fingerprint, this.config.IDEMPOTENCY_KEY_TTL_MS],
        );
        const claimed = claim.rows[0];
        if (claimed) {
          const { rows } = await tx.query<ItemRow>(
            `INSERT INTO items (id, name, description, tags) OVERRIDING SYSTEM VALUE
           VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
            [claimed.item_id, input.name, input.description ?? null, input.tags ?? []],
          );
          return { item: toItem(rows[0] as ItemRow), replayed: false };
        }
        return replay(tx, key, fingerprint, input);
      },
      signal,
    );
  }

  /**
   * Applies `patch` if the item is still at one of the `expected` versions ('any' for
   * If-Match: *) and at none of the `excluded` ones (If-None-Match; 'any' for `*`, which no
   * existing item passes). Not write-combined like counter increments: with a version,
   * concurrent writers of one item wait for one commit at most and the losers get 412; why `*`
   * overwrites are left alone is in counters.service.ts.
   */
  async update(
    id: string,
    expected: Expected,
    patch: ItemInput,
    excluded?: Expected,
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
      `UPDATE items SET ${sets.join(', ')}, version = version + 1,
         updated_at = greatest(clock_timestamp(), updated_at)
       WHERE id = $1 AND ${VERSION_GUARD} RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0] ? { item: toItem(rows[0]) } : this.whyNot(id);
  }

  /** Deletes if the item is still at one of the `expected` versions and none of `excluded`. */
  async delete(
    id: string,
    expected: Expected,
    excluded?: Expected,
  ): Promise<WriteResult | { deleted: true }> {
    if (excluded === 'any') return this.whyNot(id);
    const { rowCount } = await this.db.query(
      'items.delete',
      `DELETE FROM items WHERE id = $1 AND ${VERSION_GUARD}`,
      [id, expected === 'any' ? null : expected, excluded ?? null],
    );
    return rowCount > 0 ? { deleted: true } : this.whyNot(id);
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

/**
 * The first answer again, as it was, though the item may have changed since (RFC draft
 * "The Idempotency-Key HTTP Header Field", Stripe): the same fingerprint means the same body, so
 * the item as created is this input at version 1, with the id and creation time it got. Its
 * current state is a GET away, or a 404 if it was deleted since: the key outlives its item, so a
 * late retry never creates it again.
 */
async function replay(
  tx: SqlSession,
  key: string,
  fingerprint: string,
  input: ItemInput & { name: string },
): Promise<CreateResult> {
  // READ COMMITTED: this statement's snapshot includes the transaction that won the key. The
  // key's created_at is its item's: both are the now() of the transaction that made them.
  const { rows } = await tx.query<{ fingerprint: string; id: string; created_at: Date }>(
    `SELECT fingerprint, item_id::text AS id, created_at
     FROM item_idempotency_keys WHERE key = $1`,
    [key],
  );
  const row = rows[0];
  if (!row) return { retry: true };
  if (row.fingerprint !== fingerprint) return { reused: true };
  const created = row.created_at.toISOString();
  const item: Item = {
    id: row.id,
    name: input.name,
    description: input.description ?? null,
    tags: input.tags ?? [],
    version: 1,
    createdAt: created,
    updatedAt: created,
  };
  return { item, replayed: true };
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

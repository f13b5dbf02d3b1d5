import type { SqlSession } from '../database/database.driver.js';
import { ITEM_COLUMNS, toItem, type ItemRow } from './item.row.js';
import type { Item, ItemInput } from './item.types.js';

/** Outcome of an idempotent create. */
export type CreateResult =
  | { item: Item; replayed: boolean }
  | { reused: true } // the key belongs to a different request body
  | { retry: true }; // the key was swept (expired) between our claim and our read

/**
 * The body of ItemsRepository.createIdempotent's transaction: create once per key. The key row
 * is inserted first with the id the item will get: a concurrent request with the same key blocks
 * on the unique index until we commit, then sees the conflict and reads our item — one item
 * whatever the interleaving, no orphan rows. A key older than `ttlMs` (IDEMPOTENCY_KEY_TTL_MS) is
 * taken over as if absent: it replayed (or refused another body with 422) until the next sweep,
 * up to an hour past its TTL.
 */
export async function createOnce(
  tx: SqlSession,
  input: ItemInput & { name: string },
  key: string,
  fingerprint: string,
  ttlMs: number,
): Promise<CreateResult> {
  const claim = await tx.query<{ item_id: string }>(
    `INSERT INTO item_idempotency_keys AS k (key, item_id, fingerprint)
         VALUES ($1, nextval(pg_get_serial_sequence('items', 'id')), $2)
         ON CONFLICT (key) DO UPDATE
           SET item_id = EXCLUDED.item_id, fingerprint = EXCLUDED.fingerprint, created_at = now()
           WHERE k.created_at < now() - $3::bigint * interval '1 millisecond'
         RETURNING item_id::text AS item_id`,
    [key, fingerprint, ttlMs],
  );
  const claimed = claim.rows[0];
  if (claimed) {
    const { rows } = await tx.query<ItemRow>(
      `INSERT INTO items (id, name, description, tags) OVERRIDING SYSTEM VALUE
           VALUES ($1, $2, $3, $4) RETURNING ${ITEM_COLUMNS}`,
      [claimed.item_id, input.name, input.description ?? null, input.tags ?? []],
    );
    return { item: toItem(rows[0] as ItemRow), replayed: false };
  }
  return replay(tx, key, fingerprint, input);
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

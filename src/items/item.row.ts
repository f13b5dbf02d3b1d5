import type { Item } from './item.types.js';

/** An `items` row as both drivers (pg, PGlite) return it for ITEM_COLUMNS. */
export interface ItemRow {
  id: string;
  name: string;
  description: string | null;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * The last version an item can reach: items.version is PostgreSQL's `integer` (migration 1). A
 * write at it is refused, 409 ITEM_VERSION_EXHAUSTED (items.repository.ts), where its
 * `version + 1` failed the statement, 500. Not widened to bigint: that ALTER rewrites the whole
 * table under an ACCESS EXCLUSIVE lock while the migration holds the start of every replica, and
 * node-postgres returns a bigint as a string; one item reaches this after 2^31 − 1 writes (68
 * years at one a second).
 */
export const LAST_VERSION = 2_147_483_647;

// id as text: both drivers then return the same string, and bigint never passes through a
// JavaScript number.
export const ITEM_COLUMNS =
  'id::text AS id, name, description, tags, version, created_at, updated_at';

/** The row as the API shows it (item.types.ts): camelCase, times as ISO strings. */
export function toItem(row: ItemRow): Item {
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

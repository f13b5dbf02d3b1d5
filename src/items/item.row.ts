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

/** One schema change. Append only: a released migration is never edited, only followed. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, in order. Plain PostgreSQL that PGlite runs unchanged. `version` columns back the
 * items' ETags and optimistic concurrency; the idempotency table's primary key is what makes a
 * retried POST race-safe (INSERT ... ON CONFLICT DO NOTHING).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'items, idempotency keys, counters',
    sql: `
      CREATE TABLE items (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name        text NOT NULL,
        description text,
        tags        text[] NOT NULL DEFAULT '{}',
        version     integer NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE item_idempotency_keys (
        key         text PRIMARY KEY,
        -- Deferred: the key row is written first (it is the race-safe claim), the item second.
        item_id     bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE
                    DEFERRABLE INITIALLY DEFERRED,
        fingerprint text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX item_idempotency_keys_item_id ON item_idempotency_keys (item_id);
      -- Bounded to JavaScript's safe integers so a value always survives JSON intact.
      CREATE TABLE counters (
        name        text PRIMARY KEY,
        value       bigint NOT NULL DEFAULT 0
                    CHECK (value BETWEEN -9007199254740991 AND 9007199254740991),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'idempotency keys by age',
    // The sweeper deletes the oldest keys in small batches; without it each batch scans the table.
    sql: `CREATE INDEX item_idempotency_keys_created_at ON item_idempotency_keys (created_at);`,
  },
  {
    version: 3,
    name: 'idempotency keys outlive their item',
    // A key replays its first answer for its whole TTL, the item deleted or not (the IETF draft,
    // Stripe): cascading the item's delete to its key let a late retry create the item again.
    // The item_id index served only that cascade.
    sql: `
      ALTER TABLE item_idempotency_keys DROP CONSTRAINT IF EXISTS item_idempotency_keys_item_id_fkey;
      DROP INDEX IF EXISTS item_idempotency_keys_item_id;
    `,
  },
];

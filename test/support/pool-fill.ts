import pg from 'pg';
import { AdminClient } from './admin-client.js';
import type { ThrowawayPostgres } from './throwaway-postgres.js';
import { eventually } from './wait.js';

/**
 * Leaves `size` connections of an app's pool open and idle, for a test that needs each of its
 * next requests to find one: `send` (writes to items, one per connection) is held on a lock of
 * the table taken from outside until every connection is checked out, then let through.
 * Concurrent requests alone opened two of four: the first were done before the last arrived.
 * @returns what `send`'s requests resolved with
 */
export async function openEveryConnection<T>(
  server: ThrowawayPostgres,
  adminUrl: string,
  size: number,
  send: () => Promise<T>[],
): Promise<T[]> {
  const admin = new AdminClient(() => adminUrl);
  const count = async (state: 'used' | 'idle') =>
    (await admin.metric('db_client_connection_count', { state })) ?? 0;
  const holder = new pg.Client({ connectionString: server.url() });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE items IN EXCLUSIVE MODE');
    const sent = send();
    await eventually(async () => (await count('used')) === size, 10_000);
    await holder.query('COMMIT');
    const answers = await Promise.all(sent);
    await eventually(async () => (await count('idle')) === size, 10_000);
    return answers;
  } finally {
    await holder.end();
  }
}

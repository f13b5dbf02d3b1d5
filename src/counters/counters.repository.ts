import { Injectable } from '@nestjs/common';
import { sqlState } from '../database/driver-error.classifier.js';
import { DatabaseService } from '../database/database.service.js';
import { CounterOutOfRangeError } from './counters.errors.js';

/**
 * Named counters. An increment is one statement — an upsert that adds on the server — so
 * concurrent increments from any number of replicas serialise on the row lock and none is lost
 * (the read-modify-write race a JavaScript `value + by` would have). Within one replica,
 * CountersService combines concurrent increments of a name into one such statement.
 */
@Injectable()
export class CountersRepository {
  constructor(private readonly db: DatabaseService) {}

  /** Current value; a counter never incremented is 0. */
  async get(name: string): Promise<number> {
    const { rows } = await this.db.query<{ value: string }>(
      'counters.get',
      'SELECT value::text AS value FROM counters WHERE name = $1',
      [name],
      { prepare: true },
    );
    return rows[0] ? Number(rows[0].value) : 0;
  }

  /**
   * Adds `by` atomically and returns the new value. `signal` aborts the statement and
   * `deadline` (epoch ms) bounds its wait for a connection; both default to the current
   * request's.
   */
  async increment(
    name: string,
    by: number,
    signal?: AbortSignal,
    deadline?: number,
  ): Promise<number> {
    try {
      const { rows } = await this.db.query<{ value: string }>(
        'counters.increment',
        `INSERT INTO counters (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value, updated_at = now()
         RETURNING value::text AS value`,
        [name, by],
        { signal, deadline, prepare: true },
      );
      return Number((rows[0] as { value: string }).value);
    } catch (error) {
      // 23514: the CHECK keeping values within JavaScript's safe integers.
      if (sqlState(error) === '23514') throw new CounterOutOfRangeError(name);
      throw error;
    }
  }
}

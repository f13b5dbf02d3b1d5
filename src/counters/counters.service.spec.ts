import type { AppConfig } from '../config/config.schema.js';
import type { DatabaseService } from '../database/database.service.js';
import { DbCircuitOpenError, DbUnavailableError } from '../database/database.errors.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { RequestContextService } from '../request-context/request-context.service.js';
import { CounterIncrementFailedError } from './counters.errors.js';
import type { CountersRepository } from './counters.repository.js';
import { CountersService } from './counters.service.js';

type Statement = (name: string, by: number) => Promise<number>;

function setup(statement: Statement) {
  const calls: Array<{ name: string; by: number }> = [];
  const db = { breakerState: 'closed' as 'closed' | 'open' };
  const repository = {
    increment: (name: string, by: number) => {
      calls.push({ name, by });
      return statement(name, by);
    },
  };
  const config = { COUNTER_BATCH_MAX: 1_000, METRICS_ENABLED: false } as AppConfig;
  const service = new CountersService(
    config,
    new MetricsService(config, new InFlightRegistry()),
    repository as unknown as CountersRepository,
    new RequestContextService(),
    db as unknown as DatabaseService,
  );
  return { service, calls, db };
}

describe('CountersService', () => {
  it('with the database breaker open, an increment is not queued behind a hung statement: it is refused at once', async () => {
    const { service, calls, db } = setup((_name, by) =>
      db.breakerState === 'open'
        ? Promise.reject(new DbCircuitOpenError(1))
        : by === 1
          ? new Promise<number>(() => undefined) // the hung statement
          : Promise.resolve(by),
    );
    void service.increment('c', 1);
    void service.increment('c', 2).catch(() => undefined); // queued behind it
    expect(calls).toHaveLength(1);
    db.breakerState = 'open';
    await expect(service.increment('c', 3)).rejects.toMatchObject({ code: 'DB_CIRCUIT_OPEN' });
    expect(calls).toEqual([
      { name: 'c', by: 1 },
      { name: 'c', by: 3 },
    ]);
  });

  it('a coded database error reaches every caller of the batch unchanged', async () => {
    const down = new DbUnavailableError(new Error('ECONNREFUSED'));
    let first = true;
    const { service } = setup(() => {
      if (!first) return Promise.reject(down);
      first = false;
      return new Promise((resolve) => setTimeout(() => resolve(1), 10));
    });
    const lead = service.increment('c', 1);
    const batch = [service.increment('c', 1), service.increment('c', 1)];
    expect(await lead).toBe(1);
    for (const call of batch) await expect(call).rejects.toBe(down);
  });

  it('a SQL error becomes COUNTER_INCREMENT_FAILED naming the batch, the same for each caller', async () => {
    const trigger = Object.assign(new Error('counter c is doomed'), { code: 'P0001' });
    let first = true;
    const { service } = setup(() => {
      if (!first) return Promise.reject(trigger);
      first = false;
      return new Promise((resolve) => setTimeout(() => resolve(1), 10));
    });
    const lead = service.increment('c', 1);
    const batch = [service.increment('c', 1), service.increment('c', 1)];
    await lead;
    const errors = await Promise.all(batch.map((call) => call.catch((e: unknown) => e)));
    expect(errors[0]).toBeInstanceOf(CounterIncrementFailedError);
    expect(errors[1]).toBe(errors[0]);
    expect((errors[0] as Error).message).toContain('and 1 other increment(s) to counter c');
  });
});

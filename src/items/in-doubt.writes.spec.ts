import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { InDoubtWrites } from './in-doubt.writes.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function setup() {
  const statements: Array<ReturnType<typeof deferred>> = [];
  const invalidated: string[] = [];
  const config = { METRICS_ENABLED: false } as AppConfig;
  const doubts = new InDoubtWrites(
    {
      answers: () => {
        const statement = deferred();
        statements.push(statement);
        return statement.promise;
      },
      settleMs: 20,
      retryMs: 20,
      invalidate: async (id) => void invalidated.push(id),
    },
    new MetricsService(config, new InFlightRegistry()),
  );
  return { doubts, statements, invalidated };
}

describe('InDoubtWrites', () => {
  it('drops an id only once a statement begun after its failure was answered, and the settle time passed', async () => {
    const { doubts, statements, invalidated } = setup();
    doubts.remember('1');
    await tick();
    expect(statements).toHaveLength(1);
    // Remembered while the round's statement runs: that answer says nothing about its write.
    doubts.remember('2');
    statements[0]!.resolve();
    await tick();
    expect(invalidated).toEqual([]); // settling
    await new Promise((r) => setTimeout(r, 40));
    expect(invalidated).toEqual(['1']);
    expect(doubts.size).toBe(1);
    expect(statements).toHaveLength(2);
    statements[1]!.resolve();
    await new Promise((r) => setTimeout(r, 40));
    expect(invalidated).toEqual(['1', '2']);
    expect(doubts.size).toBe(0);
    doubts.stop();
  });

  it('asks again, a retry interval later, while the database does not answer; stop() ends it', async () => {
    const { doubts, statements, invalidated } = setup();
    doubts.remember('1');
    await tick();
    statements[0]!.reject(new Error('breaker open'));
    await new Promise((r) => setTimeout(r, 40));
    expect(statements).toHaveLength(2);
    doubts.stop();
    statements[1]!.resolve();
    await new Promise((r) => setTimeout(r, 40));
    expect(invalidated).toEqual([]);
    expect(statements).toHaveLength(2);
  });
});

import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { ItemInvalidationHearing } from './item-invalidation.hearing.js';

const OUT = 'warn item cache out of use';
const BACK = 'info item cache in use again';

/**
 * A subscriber connection the test drives with ioredis's events; its SUBSCRIBE is answered a
 * turn of the event loop later, or refused while `refusing`. `cache` records what the cache was
 * told, `lines` the log lines by level and start.
 */
function setup() {
  const lines: string[] = [];
  const log = {
    warn: (_fields: object, msg: string) => lines.push(`warn ${msg.split(':')[0]}`),
    info: (_fields: object, msg: string) => lines.push(`info ${msg.split(':')[0]}`),
  };
  const metrics = new MetricsService(
    { METRICS_ENABLED: false } as AppConfig,
    new InFlightRegistry(),
  );
  const hearing = new ItemInvalidationHearing(metrics, log as never);
  const cache: string[] = [];
  hearing.listen({ deaf: () => cache.push('deaf'), heard: () => cache.push('heard') });
  const subscriber = new EventEmitter();
  const state = { refusing: false };
  const subscribe = () =>
    new Promise<void>((resolve, reject) =>
      setImmediate(() => (state.refusing ? reject(new Error('refused')) : resolve())),
    );
  const follow = (startWaitMs: number) =>
    hearing.follow(subscriber as unknown as Redis, subscribe, startWaitMs);
  const blind = async () =>
    (await metrics.registry.getSingleMetric('items_cache_blind')!.get()).values[0]?.value;
  return { hearing, subscriber, state, follow, cache, lines, blind };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ItemInvalidationHearing', () => {
  it('keeps the cache out of use from start until the first SUBSCRIBE is confirmed; a healthy start writes no line', async () => {
    const { subscriber, follow, cache, lines, blind } = setup();
    const started = follow(1_000);
    expect([cache, await blind()]).toEqual([['deaf'], 1]);
    subscriber.emit('ready');
    await started;
    expect([cache, await blind(), lines]).toEqual([['deaf', 'heard'], 0, []]);
  });

  it('a start that ends unsubscribed is logged, and so is its end', async () => {
    const { subscriber, state, follow, cache, lines } = setup();
    state.refusing = true;
    const started = follow(20);
    subscriber.emit('ready');
    await started;
    expect(lines).toEqual(['warn cache invalidation subscribe failed; retried on reconnect', OUT]);
    state.refusing = false;
    subscriber.emit('ready');
    await turn();
    expect(lines.at(-1)).toBe(BACK);
    expect(cache).toEqual(['deaf', 'heard']);
  });

  it('from a closed subscriber connection until subscribed again, the cache is out of use', async () => {
    const { subscriber, follow, cache, lines, blind } = setup();
    const started = follow(1_000);
    subscriber.emit('ready');
    await started;
    cache.length = 0;

    // Messages published from now on never reach this replica.
    subscriber.emit('close');
    expect([cache, await blind()]).toEqual([['deaf'], 1]);
    subscriber.emit('reconnecting', 100);
    subscriber.emit('close'); // a reconnect refused: still the same loss
    subscriber.emit('ready');
    expect(await blind()).toBe(1); // connected, its SUBSCRIBE not yet answered
    await turn();
    expect([cache, await blind(), lines]).toEqual([['deaf', 'heard'], 0, [OUT, BACK]]);
  });

  it('a subscription lost again within 10 s is counted, not logged', async () => {
    const { subscriber, follow, cache, lines } = setup();
    const started = follow(1_000);
    subscriber.emit('ready');
    await started;
    for (let i = 0; i < 3; i++) {
      subscriber.emit('close');
      subscriber.emit('ready');
      await turn();
    }
    expect(lines).toEqual([OUT, BACK]);
    expect(cache).toEqual(['deaf', 'heard', 'deaf', 'heard', 'deaf', 'heard', 'deaf', 'heard']);
  });

  it('the close at shutdown is no loss: no line', async () => {
    const { hearing, subscriber, follow, lines } = setup();
    const started = follow(1_000);
    subscriber.emit('ready');
    await started;
    hearing.stop();
    subscriber.emit('close');
    expect(lines).toEqual([]);
  });
});

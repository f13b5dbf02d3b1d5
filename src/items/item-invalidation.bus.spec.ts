import { EventEmitter } from 'node:events';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import type { RequestContext } from '../request-context/request-context.js';
import type { RequestContextService } from '../request-context/request-context.service.js';
import { RedisNames } from '../redis/redis.names.js';
import type { RedisService } from '../redis/redis.service.js';
import { ItemInvalidationBus } from './item-invalidation.bus.js';

const names = new RedisNames({ REDIS_KEY_PREFIX: 'bus-spec:' });

/**
 * Two replicas subscribed to the invalidation channel, this one and another: Redis takes each
 * PUBLISH with 2 receivers, and each replica's acknowledgement comes a turn of the event loop
 * later (a round trip), in the order `events` records.
 */
function setup(deadline: number) {
  const events: string[] = [];
  const subscriber = Object.assign(new EventEmitter(), {
    subscribe: () => Promise.resolve(),
  });
  const client = Object.assign(new EventEmitter(), {
    publish: (channel: string, message: string) => {
      if (channel !== names.itemInvalidations) return Promise.resolve(1);
      const [origin, seq] = message.split(' ');
      setImmediate(() => {
        for (const replica of ['this', 'other']) {
          events.push(`ack from ${replica}`);
          subscriber.emit('message', names.itemAcks(origin as string), seq);
        }
      });
      return Promise.resolve(2);
    },
  });
  const redis = { client, subscriber: () => subscriber, isReady: true } as unknown as RedisService;
  const context = {
    current: () => ({ deadline }) as RequestContext,
  } as unknown as RequestContextService;
  const metrics = new MetricsService(
    { METRICS_ENABLED: false } as AppConfig,
    new InFlightRegistry(),
  );
  const bus = new ItemInvalidationBus(redis, names, metrics, context);
  void bus.onModuleInit(); // resolves once subscribed
  subscriber.emit('ready');
  const unconfirmed = async () =>
    (await metrics.registry.getSingleMetric('items_cache_invalidations_unconfirmed_total')!.get())
      .values[0]?.value ?? 0;
  return { bus, events, unconfirmed };
}

describe('ItemInvalidationBus', () => {
  it('a write with a deadline shorter than the answer margin still waits for every replica to acknowledge', async () => {
    // 40 ms left: 50 ms taken off for the answer left no wait, and the write answered before the
    // other replica had dropped its copy (read-after-write there got the old version).
    const { bus, events, unconfirmed } = setup(Date.now() + 40);
    await bus.publish('7');
    events.push('write answered');
    expect(events).toEqual(['ack from this', 'ack from other', 'write answered']);
    expect(await unconfirmed()).toBe(0);
  });

  it('with the time left, waits for the acknowledgements as before', async () => {
    const { bus, events } = setup(Infinity);
    await bus.publish('7');
    events.push('write answered');
    expect(events).toEqual(['ack from this', 'ack from other', 'write answered']);
  });
});

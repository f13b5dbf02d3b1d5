import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { UNPUBLISHED_MAX, UnpublishedInvalidations } from './unpublished.invalidations.js';

function setup() {
  const state = { ready: false, failing: false };
  const published: string[] = [];
  const held: Array<() => void> = [];
  let holding = false;
  const unpublished = new UnpublishedInvalidations(
    {
      publish: async (id) => {
        if (holding) await new Promise<void>((resolve) => held.push(resolve));
        if (state.failing) throw new Error('Connection is closed.');
        published.push(id);
      },
      ready: () => state.ready,
      retryMs: 60_000,
    },
    new MetricsService({ METRICS_ENABLED: false } as AppConfig, new InFlightRegistry()),
  );
  const hold = (on: boolean) => (holding = on);
  return { unpublished, state, published, held, hold };
}

describe('UnpublishedInvalidations', () => {
  it('publishes nothing while the connection is not ready, then each id once it is', async () => {
    const { unpublished, state, published } = setup();
    unpublished.remember('1');
    unpublished.remember('2');
    unpublished.remember('1');
    await unpublished.retry();
    expect([published, unpublished.size]).toEqual([[], 2]);
    state.ready = true;
    await unpublished.retry();
    expect([published.sort(), unpublished.size]).toEqual([['1', '2'], 0]);
    unpublished.stop();
  });

  it('keeps an id Redis did not take for the next round', async () => {
    const { unpublished, state, published } = setup();
    Object.assign(state, { ready: true, failing: true });
    unpublished.remember('1');
    await unpublished.retry();
    expect([published, unpublished.size]).toEqual([[], 1]);
    state.failing = false;
    await unpublished.retry();
    expect([published, unpublished.size]).toEqual([['1'], 0]);
    unpublished.stop();
  });

  it('keeps an id written again while its round was sending: the newer write is sent next', async () => {
    const { unpublished, state, published, held, hold } = setup();
    state.ready = true;
    unpublished.remember('1');
    hold(true);
    const round = unpublished.retry();
    await new Promise((resolve) => setImmediate(resolve));
    unpublished.remember('1');
    hold(false);
    held.forEach((release) => release());
    await round;
    expect([published, unpublished.size]).toEqual([['1'], 1]);
    await unpublished.retry();
    expect([published, unpublished.size]).toEqual([['1', '1'], 0]);
    unpublished.stop();
  });

  it(`remembers at most ${UNPUBLISHED_MAX} ids, forgetting the oldest`, async () => {
    const { unpublished, state, published } = setup();
    for (let id = 0; id <= UNPUBLISHED_MAX; id++) unpublished.remember(String(id));
    expect(unpublished.size).toBe(UNPUBLISHED_MAX);
    state.ready = true;
    await unpublished.retry();
    expect(published).not.toContain('0');
    expect(published).toContain(String(UNPUBLISHED_MAX));
    unpublished.stop();
  });

  it('remembers nothing once stopped', () => {
    const { unpublished } = setup();
    unpublished.stop();
    unpublished.remember('1');
    expect(unpublished.size).toBe(0);
  });
});

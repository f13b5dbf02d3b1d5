import { contextStore, currentRequest, runInRequest } from '../request-context/context.store.js';
import { NEVER_ABORTS } from '../request-context/request-context.js';
import { DatabaseBreaker, type BreakerState } from './database.breaker.js';

function breakerWith(probe: () => Promise<void>, threshold = 3) {
  const changes: BreakerState[] = [];
  const breaker = new DatabaseBreaker({
    threshold,
    probeIntervalMs: 10,
    probe,
    onStateChange: (state) => changes.push(state),
  });
  return { breaker, changes };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
};

describe('DatabaseBreaker', () => {
  it('opens after threshold consecutive failures and then refuses with 503 DB_CIRCUIT_OPEN + Retry-After', () => {
    const { breaker, changes } = breakerWith(() => new Promise(() => undefined));
    breaker.failure('DB_QUERY_TIMEOUT');
    breaker.failure('DB_QUERY_TIMEOUT');
    expect(breaker.state).toBe('closed');
    expect(() => breaker.check()).not.toThrow();
    breaker.failure('DB_UNAVAILABLE');
    expect(breaker.state).toBe('open');
    expect(breaker.openCause).toBe('DB_UNAVAILABLE');
    expect(changes).toEqual(['open']);
    expect(() => breaker.check()).toThrow(
      expect.objectContaining({ code: 'DB_CIRCUIT_OPEN', status: 503, retryAfterSeconds: 1 }),
    );
    breaker.stop();
  });

  it('a success between failures resets the count: only consecutive failures open it', () => {
    const { breaker } = breakerWith(async () => undefined);
    for (let i = 0; i < 10; i++) {
      breaker.failure('DB_UNAVAILABLE');
      breaker.failure('DB_UNAVAILABLE');
      breaker.success();
    }
    expect(breaker.state).toBe('closed');
    breaker.stop();
  });

  it('probes in the background while open and closes on the first probe that answers', async () => {
    let answering = false;
    let probes = 0;
    const { breaker, changes } = breakerWith(async () => {
      probes++;
      if (!answering) throw new Error('ECONNREFUSED');
    }, 1);
    breaker.failure('DB_UNAVAILABLE');
    await until(() => probes >= 3);
    expect(breaker.state).toBe('open');
    answering = true;
    await until(() => breaker.state === 'closed');
    expect(changes).toEqual(['open', 'closed']);
    const seen = probes;
    await new Promise((r) => setTimeout(r, 40));
    expect(probes).toBe(seen); // closed: no more probes
    breaker.stop();
  });

  it('stop() ends the probe loop', async () => {
    let probes = 0;
    const { breaker } = breakerWith(async () => {
      probes++;
      throw new Error('down');
    }, 1);
    breaker.failure('DB_UNAVAILABLE');
    await until(() => probes >= 1);
    breaker.stop();
    const seen = probes;
    await new Promise((r) => setTimeout(r, 40));
    expect(probes).toBeLessThanOrEqual(seen + 1);
  });

  it('probes outside the request whose failure opened it (no request id, no span of it)', async () => {
    contextStore.enable();
    const seen: Array<string | undefined> = [];
    const { breaker } = breakerWith(async () => {
      seen.push(currentRequest()?.requestId ?? 'none');
    });
    const request = { requestId: 'opener', deadline: Infinity, signal: NEVER_ABORTS, startedAt: 0 };
    runInRequest(request, () => breaker.open('DB_QUERY_TIMEOUT'));
    await until(() => breaker.state === 'closed');
    expect(seen).toEqual(['none']);
    breaker.stop();
    contextStore.disable();
  });
});

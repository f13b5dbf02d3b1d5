import { loadConfig } from '../config/config.loader.js';
import { logger } from '../logging/logger.js';
import { ChaosState } from './chaos.state.js';

const state = (env: Record<string, string> = {}) => new ChaosState(loadConfig(env));
const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe('ChaosState', () => {
  beforeAll(() => {
    logger.level = 'silent'; // every change logs a warning by design
  });

  it('does nothing by default (no draw, no delay)', () => {
    expect(state().plan()).toBeUndefined();
  });

  // That each app's hook uses its own state: test/e2e/app-instances.e2e-spec.ts.
  it('starts from CHAOS_*', () => {
    const s = state({ CHAOS_ERROR_RATE: '0.25', CHAOS_LATENCY_MS: '10' });
    expect(s.settings).toMatchObject({ errorRate: 0.25, latencyMs: 10 });
  });

  it('fails a request when the draw falls under errorRate, with errorStatus', () => {
    const s = state();
    s.set({ errorRate: 0.3, errorStatus: 502, latencyMs: 0, latencyJitterMs: 0 }, 'test');
    expect(s.plan(sequence(0, 0.29))).toEqual({ delayMs: 0, failStatus: 502 });
    expect(s.plan(sequence(0, 0.3))).toEqual({ delayMs: 0, failStatus: undefined });
  });

  it('adds latency plus uniform jitter, both ends included', () => {
    const s = state();
    s.set({ errorRate: 0, errorStatus: 503, latencyMs: 100, latencyJitterMs: 50 }, 'test');
    expect(s.plan(sequence(0))?.delayMs).toBe(100);
    expect(s.plan(sequence(0.9999))?.delayMs).toBe(150);
  });

  it('reset switches everything off', () => {
    const s = state({ CHAOS_ERROR_RATE: '1' });
    s.reset('test');
    expect(s.plan()).toBeUndefined();
  });
});

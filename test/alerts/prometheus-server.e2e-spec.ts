/**
 * The rules as Prometheus itself runs them: a real Prometheus scrapes a real rampart (real
 * PostgreSQL and Redis, a backend that refuses connections) and evaluates
 * charts/rampart/files/prometheus-rules.yaml. Failures caused on purpose — every request answered
 * 503 by the chaos switch, a backend whose breaker opens — must show up in the recording rules
 * and turn the matching alerts pending (their `for` has not passed yet), and nothing else.
 */
import { freePort, startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv, REDIS_URL } from '../support/database.js';
import { eventually } from '../support/wait.js';
import { RULES_PATH } from './alert-rules.js';
import { startPrometheus, type PrometheusServer } from './prometheus-server.js';

/** Generous: a busy 2-core machine; Prometheus scrapes and evaluates every second. */
const WAIT_MS = 45_000;
const TEST_TIMEOUT_MS = 120_000;

describe('a real Prometheus evaluating the rules against a real instance', () => {
  let child: Child;
  let prometheus: PrometheusServer;
  let database: Awaited<ReturnType<typeof defaultDatabaseEnv>>;

  beforeAll(async () => {
    database = await defaultDatabaseEnv();
    child = await startChild({
      ...database.env,
      REDIS_URL,
      // Nothing listens there: each call fails fast and two failures open the breaker.
      BACKEND_URLS: `http://127.0.0.1:${await freePort()}`,
      UPSTREAM_RETRY_MAX: '0',
      UPSTREAM_BREAKER_THRESHOLD: '2',
      UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS: '600000',
      ADMISSION_ENABLED: 'true',
    });
    prometheus = await startPrometheus({
      rulesFile: RULES_PATH,
      target: new URL(child.adminUrl).host,
      job: 'rampart-admin',
      labels: { namespace: 'rampart', pod: 'rampart-0' },
    });
    await eventually(async () => (await prometheus.query('up == 1')).length === 1, WAIT_MS, 200);
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await prometheus?.stop();
    child?.process.kill('SIGTERM');
    await child?.exited;
    await database?.drop();
  });

  it(
    'before any failure, the SLO recording rules read zero errors and no alert is pending',
    async () => {
      // rate() counts increases between scrapes: a series' requests before its first scrape are
      // not seen, so traffic goes on until the ratio has a denominator (0/0 is NaN).
      const ratio = async (): Promise<number> =>
        Number(
          (await prometheus.query('rampart:slo_availability_errors:ratio_rate5m'))[0]?.value[1],
        );
      await eventually(
        async () => {
          for (let i = 0; i < 5; i++) await (await fetch(`${child.baseUrl}/hello`)).arrayBuffer();
          return !Number.isNaN(await ratio());
        },
        WAIT_MS,
        200,
      );
      const [errors] = await prometheus.query('rampart:slo_availability_errors:ratio_rate5m');
      expect(errors?.metric).toEqual({
        __name__: 'rampart:slo_availability_errors:ratio_rate5m',
        job: 'rampart-admin',
        namespace: 'rampart',
      });
      expect(Number(errors?.value[1])).toBe(0);
      expect(await prometheus.query('ALERTS')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'requests failing with 503 and an open breaker turn exactly their alerts pending',
    async () => {
      for (let i = 0; i < 3; i++) await (await fetch(`${child.baseUrl}/api/fanout`)).arrayBuffer();
      const chaos = await fetch(`${child.adminUrl}/chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRate: 1, errorStatus: 503 }),
      });
      expect(chaos.status).toBe(200);
      const pending = async (): Promise<string[]> =>
        (await prometheus.query('ALERTS{alertstate="pending"}')).map(
          (s) => s.metric.alertname ?? '',
        );
      // Failing traffic goes on while Prometheus scrapes (the 503 series is new: see above). On
      // timeout the assertion below shows what was pending instead.
      await eventually(
        async () => {
          for (let i = 0; i < 5; i++) {
            expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(503);
          }
          return (await pending()).length >= 3;
        },
        WAIT_MS,
        200,
      ).catch(() => {});
      expect((await pending()).sort()).toEqual([
        'RampartAvailabilityBudgetBurnFast',
        'RampartAvailabilityBudgetBurnSlow',
        'RampartUpstreamCircuitOpen',
      ]);
      const [errors] = await prometheus.query('rampart:slo_availability_errors:ratio_rate5m');
      expect(Number(errors?.value[1])).toBeGreaterThan(0.1);
    },
    TEST_TIMEOUT_MS,
  );
});

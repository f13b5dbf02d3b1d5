/**
 * A pod started during a long database outage (a rollout, a node replaced meanwhile) serves its
 * data routes within 5 s of the server answering again, as a pod that was running does (its
 * breaker probes each second): the start-up migrations' background retries back off to at most
 * 4 s apart (src/database/schema.startup-bounds.ts). At 10 s, such a pod answered 503 for up to
 * 10 s after the database was back, while the pods beside it served.
 */
import { startChild, type Child } from '../support/child-process.js';
import { createProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database.js';
import { eventually, until } from '../support/wait.js';

/** The promise the breaker keeps for a running pod (docs/data.md). */
const BACK_WITHIN_MS = 5_000;
/** Retries failed before the server comes back: past them the back-off has reached its cap. */
const FAILED_RETRIES = 5;

describe('PostgreSQL away at start-up long enough for the retries to back off to their cap', () => {
  let db: ProxiedDatabase;
  let child: Child;

  beforeAll(async () => {
    db = await createProxiedDatabase({ away: true });
    child = await startChild({ DATABASE_URL: db.proxiedUrl, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    child?.process.kill('SIGTERM');
    await child?.exited;
    await db?.drop();
  });

  const failedRetries = () =>
    child
      .output()
      .split('\n')
      .filter((l) => l.includes('schema migrations still not applied')).length;

  it('served within 5 s of the server answering, however long it was away', async () => {
    // Just after a retry failed: the next one waits its whole back-off.
    await until(() => failedRetries() >= FAILED_RETRIES, 60_000);
    await db.proxy.restore();
    const back = performance.now();
    await eventually(
      async () => (await fetch(`${child.baseUrl}/api/counters/visits`)).status === 200,
      15_000,
      50,
    );
    expect(performance.now() - back).toBeLessThan(BACK_WITHIN_MS);
  }, 90_000);
});

/**
 * The connection hold (admission-hold.e2e-spec.ts) is for clients waiting seconds in the kernel's
 * accept queue. A handful of clients that open a connection per request keep a few connections
 * in that queue of a busy thread at any moment too, each accepted within milliseconds: that is
 * no overload, and the port must not close on them. Here every request holds the loop for 2 ms
 * (process chaos), so eight such clients keep the one thread saturated with up to seven
 * connections queued; every request is answered 200 and no connect is refused or reset.
 */
import { request } from 'node:http';
import { AdminClient } from '../support/admin-client.js';
import { startChild, type Child } from '../support/child-process.js';
import { defaultDatabaseEnv } from '../support/database.js';

const BLOCK_MS = 2;
const CLIENTS = 8;
const REQUESTS = 1_500; // ~3 s at 2 ms each

/** One GET on a connection of its own; resolves the status or the connection's error code. */
function getOnce(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/hello', agent: false, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

describe('admission: a few clients that connect per request on a saturated thread', () => {
  let child: Child;
  let outcomes: Record<string, number>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await defaultDatabaseEnv();
    drop = db.drop;
    child = await startChild({
      ...db.env,
      LOG_LEVEL: 'info',
      ACCESS_LOG_ENABLED: 'false',
      ADMISSION_ENABLED: 'true',
      EVENT_LOOP_MAX_DELAY_MS: '0',
    });
    const admin = new AdminClient(() => child.adminUrl);
    const put = await admin.request('PUT', '/chaos/process/event-loop', {
      blockMs: BLOCK_MS,
      mode: 'every-request',
    });
    expect(put.status).toBe(202);
    const port = Number(new URL(child.baseUrl).port);
    outcomes = {};
    let sent = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (sent < REQUESTS) {
          sent++;
          const outcome = await getOnce(port);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
      }),
    );
    await admin.request('DELETE', '/chaos/process');
    process.stderr.write(`${JSON.stringify(outcomes)}\n`);
  }, 120_000);

  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await drop?.();
  });

  it('answers every request 200: no connect refused or reset', () => {
    expect(outcomes).toEqual({ '200': REQUESTS });
  });

  it('never closes the public port', () => {
    expect(child.output()).not.toContain('the public port holds');
  });
});

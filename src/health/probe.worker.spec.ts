import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { LIVENESS_PATH, PROBE_PATHS } from './health.paths.js';
import { probeWorkerData } from './probe.server.js';
import { PROBE_WORKER_SOURCE } from './probe.worker.js';

/**
 * The probe thread kept its own list of the probe paths beside PROBE_PATHS: adding a probe to
 * one would have left it 404 on the probe port. It now serves the paths it is handed.
 */
describe('the probe thread serves the probe paths it is handed', () => {
  let worker: Worker;
  let base: string;
  const asked: string[] = [];

  beforeAll(async () => {
    const heartbeat = new SharedArrayBuffer(8);
    new Float64Array(heartbeat)[0] = Date.now();
    worker = new Worker(PROBE_WORKER_SOURCE, {
      eval: true,
      workerData: {
        ...probeWorkerData({ PROBE_PORT: 0, HOST: '127.0.0.1' }, heartbeat, undefined),
        probePaths: new Set([LIVENESS_PATH, '/ready']),
      },
    });
    const [{ listening }] = (await once(worker, 'message')) as [{ listening: number }];
    base = `http://127.0.0.1:${listening}`;
    // The main thread's side: every check passes.
    worker.on('message', ({ id, path }: { id: number; path: string }) => {
      asked.push(path);
      worker.postMessage({ id, path, status: 200, body: '{"status":"ok"}', at: Date.now() });
    });
  });
  afterAll(() => worker.terminate());

  it('answers a path in the set it was given, asking the main thread, and 404 for one outside it', async () => {
    const ready = await fetch(`${base}/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, '{"status":"ok"}']);
    expect(asked).toEqual(['/ready']);
    expect((await fetch(`${base}/readyz`)).status).toBe(404);
    const slashed = await fetch(`${base}/ready/`, { redirect: 'manual' });
    expect([slashed.status, slashed.headers.get('location')]).toEqual([308, '/ready']);
    expect((await fetch(`${base}${LIVENESS_PATH}`)).status).toBe(200);
  });

  it('is handed PROBE_PATHS, the public port’s list, liveness among them', () => {
    const data = probeWorkerData(
      { PROBE_PORT: 0, HOST: '127.0.0.1' },
      new SharedArrayBuffer(8),
      '',
    );
    expect(data.probePaths).toBe(PROBE_PATHS);
    expect(PROBE_PATHS.has(data.livenessPath)).toBe(true);
  });
});

/**
 * The probes the manifests declare answer 200 on a real instance started the way the image
 * starts it (the Dockerfile's ENTRYPOINT) with the base ConfigMap's environment, and SIGTERM
 * drains to exit code 0 well inside the pod's grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probe } from 'kubernetes-types/core/v1.js';
import { ensureBuilt } from '../support/global-build.js';
import { readyPorts } from '../support/child-process.js';
import { literalEnv, objects, rampartContainers, rampartWorkloads, ROOT } from './manifests.js';

const objs = objects('base');
const deployment = rampartWorkloads(objs)[0]!;
const container = rampartContainers(deployment)[0]!;
const manifestEnv = literalEnv(objs, container);
const entrypoint = JSON.parse(
  /^ENTRYPOINT (\[.+\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '[]',
) as string[];

async function getStatus(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls until 200, the budget runs out, or `alive()` says the process is gone (fail fast). */
async function waitFor200(
  url: string,
  budgetMs: number,
  alive: () => boolean = () => true,
): Promise<number> {
  const deadline = Date.now() + budgetMs;
  let status = 0;
  while (Date.now() < deadline && alive()) {
    status = await getStatus(url);
    if (status === 200) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

describe('a running instance answers the manifest probes', () => {
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    // A fresh clone runs tests before any build: compile when dist/ is missing or stale.
    ensureBuilt();
    for (const f of entrypoint.filter((arg) => arg.endsWith('.js'))) {
      if (!existsSync(join(ROOT, f)))
        throw new Error(`${f} (Dockerfile ENTRYPOINT) does not exist after the build`);
    }

    dataDir = mkdtempSync(join(tmpdir(), 'rampart-probes-'));
    // The ConfigMap's values, the downward-API variables, NODE_OPTIONS; only the listener
    // addresses, the data dir and the exporter (no collector here) differ from the pod. Every
    // listener binds port 0 and the ready line says which port it got (no free-then-bind race).
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production', // the image's ENV
      ...manifestEnv,
      POD_NAME: 'rampart-test-0',
      POD_NAMESPACE: 'test',
      NODE_NAME: 'localhost',
      PORT: '0',
      ADMIN_PORT: '0',
      PROBE_PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_HOST: '127.0.0.1',
      DATA_DIR: join(dataDir, 'data'),
      OTEL_SDK_DISABLED: 'true',
    };
    env.OTEL_RESOURCE_ATTRIBUTES = (manifestEnv.OTEL_RESOURCE_ATTRIBUTES ?? '').replace(
      /\$\((\w+)\)/g,
      (_m, v: string) => env[v] ?? '',
    );
    const [command, ...args] = entrypoint;
    expect(command).toBe('node');
    child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }, 180_000);

  /** The bound ports by the manifest's port names, once the ready line reports them. */
  async function boundPorts(budgetMs: number): Promise<Record<string, number | undefined>> {
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const ready = readyPorts(output);
      if (ready) return { http: ready.port, admin: ready.adminPort, probes: ready.probePort };
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ready line with the bound ports:\n${output.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const probes: [string, Probe | undefined][] = [
    ['startupProbe', container.startupProbe],
    ['livenessProbe', container.livenessProbe],
    ['readinessProbe', container.readinessProbe],
  ];

  it.each(probes)(
    '%s answers 200 within its start-up budget',
    async (_name, probe) => {
      const get = probe?.httpGet;
      expect(get).toBeDefined();
      // The startup probe's whole budget (period x failures) is what the kubelet would allow.
      const budgetMs =
        (container.startupProbe?.periodSeconds ?? 10) *
        (container.startupProbe?.failureThreshold ?? 3) *
        1000;
      const deadline = Date.now() + budgetMs;
      const ports = await boundPorts(budgetMs);
      const port = typeof get!.port === 'string' ? ports[get!.port] : get!.port;
      expect(port).toBeDefined();
      const status = await waitFor200(
        `http://127.0.0.1:${port}${get!.path}`,
        deadline - Date.now(),
        () => child.exitCode === null,
      );
      if (status !== 200) process.stderr.write(output.slice(-4000));
      expect(status).toBe(200);
    },
    90_000,
  );

  it('serves /metrics on the admin port the ServiceMonitor scrapes', async () => {
    const ports = await boundPorts(90_000);
    expect(
      await waitFor200(
        `http://127.0.0.1:${ports.admin}/metrics`,
        10_000,
        () => child.exitCode === null,
      ),
    ).toBe(200);
  });

  it('does not serve /metrics on the public port', async () => {
    const ports = await boundPorts(90_000);
    expect(await getStatus(`http://127.0.0.1:${ports.http}/metrics`)).not.toBe(200);
  });

  it('drains on SIGTERM and exits 0 inside the grace period left after preStop', async () => {
    const graceS = deployment.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30;
    const preStopS = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const ports = await boundPorts(90_000);
    const started = Date.now();
    child.kill('SIGTERM');
    // Readiness turns 503 during the drain delay while the listener still answers.
    let during = 0;
    const drainDelayMs = Number(manifestEnv.SHUTDOWN_DRAIN_DELAY_MS ?? 0);
    while (Date.now() - started < drainDelayMs && during !== 503) {
      during = await getStatus(`http://127.0.0.1:${ports.probes}/readyz`);
    }
    const code = await exited;
    const tookS = (Date.now() - started) / 1000;
    expect({ code, during }).toEqual({ code: 0, during: 503 });
    expect(tookS).toBeLessThan(graceS - preStopS);
  }, 60_000);
});

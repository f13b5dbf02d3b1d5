/**
 * The `helm test` pod's check (files/helm-test.mjs, run by the pod's own command, arguments and
 * environment as the chart renders them) against a real rampart instance: it passes on a healthy
 * one and fails, naming the route, when readiness is off or the version is not the installed one.
 * Only RAMPART_URL is changed, from the Service's DNS name to the instance's address.
 */
import { spawn } from 'node:child_process';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startChild, type Child } from '../support/child-process.js';
import { createPostgresDatabase, type TestDatabase } from '../support/database.js';
import { podSpec } from './consistency.helpers.js';
import { chartObjects, isHook } from './helm.render.js';
import { rampartWorkloads } from './manifests.js';

const TOKEN = 'helm-test-pod-token-0123456789abcdef';

interface Run {
  code: number | null;
  output: string;
}

describe('the `helm test` pod against a real instance', () => {
  let pod: Pod;
  let child: Child;
  let database: TestDatabase;
  let podEnv: Record<string, string>;

  beforeAll(async () => {
    pod = (await chartObjects('default')).find(isHook) as Pod;
    podEnv = Object.fromEntries(
      (pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? '']),
    );
    database = await createPostgresDatabase();
    child = await startChild({
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      ADMIN_TOKEN: TOKEN,
      DATABASE_URL: database.url,
      // What the chart's ConfigMap gives the pods the test pod talks to.
      OTEL_SERVICE_NAME: 'rampart',
      SERVICE_VERSION: podEnv.EXPECTED_VERSION!,
    });
  }, 120_000);

  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    await database?.drop();
  });

  /** The pod's container, run here: its command with its args, its env but the target URL. */
  function runTestPod(env: Record<string, string> = {}): Promise<Run> {
    const container = pod.spec!.containers[0]!;
    expect(container.command).toEqual(['node']);
    const run = spawn(process.execPath, container.args ?? [], {
      env: { PATH: process.env.PATH, ...podEnv, RAMPART_URL: child.baseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((resolve) => run.once('exit', (code) => resolve({ code, output })));
  }

  const admin = (path: string) =>
    fetch(`${child.adminUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });

  it('targets the public Service by its cluster DNS name and expects the installed version', () => {
    expect(podEnv.RAMPART_URL).toBe('http://rampart.rampart.svc:8080');
    expect(podEnv).toMatchObject({ EXPECTED_SERVICE: 'rampart', EXPECTED_VERSION: '0.1.0' });
  });

  it('meets the restricted Pod Security profile like the app, with no API token and no retries', async () => {
    const c = pod.spec!.containers[0]!;
    const app = rampartWorkloads((await chartObjects('default')).filter((o) => !isHook(o)))[0]!;
    const appPod = podSpec(app);
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
    // The app's own contexts, but fsGroup: the test pod mounts no volume.
    expect(pod.spec?.securityContext).toEqual({ ...appPod.securityContext, fsGroup: undefined });
    expect(c.securityContext).toEqual(appPod.containers[0]!.securityContext);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('has limits like the app: a quota that counts limits.cpu admits it, memory is not overcommitted', () => {
    const { requests, limits } = pod.spec!.containers[0]!.resources ?? {};
    expect(limits?.cpu).toBeDefined();
    expect(limits?.memory).toBeDefined();
    expect(requests?.cpu).toBeDefined();
    expect(requests?.memory).toBe(limits?.memory);
  });

  it('passes on a healthy instance: the probe routes answer 200 and /api/info names the release', async () => {
    const run = await runTestPod();
    expect(run).toEqual({ code: 0, output: expect.stringContaining('ok /api/info rampart 0.1.0') });
    for (const path of ['/startupz', '/healthz', '/readyz'])
      expect(run.output).toContain(`ok ${path} 200`);
  });

  it('fails naming /readyz while the instance is out of rotation', async () => {
    expect((await admin('/readyz/disable')).status).toBeLessThan(300);
    try {
      const run = await runTestPod();
      expect(run.code).toBe(1);
      expect(run.output).toMatch(/FAIL \/readyz: 503/);
      expect(run.output).toContain('ok /healthz 200');
    } finally {
      await admin('/readyz/enable');
    }
  });

  it('fails when /api/info reports another version than the one installed', async () => {
    const run = await runTestPod({ EXPECTED_VERSION: '9.9.9' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('FAIL /api/info: version 0.1.0, expected 9.9.9');
  });
});

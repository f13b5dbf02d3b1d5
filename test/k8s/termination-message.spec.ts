/**
 * A pod whose configuration the app refuses exits 78 with a message naming the variable
 * (src/main.ts). The kubelet shows a container's termination message in `kubectl describe pod`
 * (Last State: Terminated, Message); rampart writes no /dev/termination-log, so the message is
 * there only with `terminationMessagePolicy: FallbackToLogsOnError`, which takes the tail of the
 * container's log instead (at most 80 lines and 2048 bytes, the kubelet's limits).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ensureBuilt } from '../support/global-build.js';
import { literalEnv, objects, rampartContainers, rampartWorkloads, ROOT } from './manifests.js';
import { RENDERS } from './consistency.helpers.js';
import { chartObjects, CHART_RENDER_NAMES, isHook } from './helm.render.js';

/** The kubelet's cap on a termination message taken from the log (kubelet: kuberuntime). */
const LOG_TAIL_BYTES = 2048;
const LOG_TAIL_LINES = 80;

describe('the rampart container falls back to its log for the termination message', () => {
  it.each(RENDERS)('kustomize %s', (name) => {
    for (const w of rampartWorkloads(objects(name)))
      for (const c of rampartContainers(w))
        expect({
          container: `${w.metadata.name}/${c.name}`,
          policy: c.terminationMessagePolicy,
        }).toEqual({ container: `${w.metadata.name}/${c.name}`, policy: 'FallbackToLogsOnError' });
  });

  it.each(CHART_RENDER_NAMES)('chart, %s values', async (name) => {
    const objs = (await chartObjects(name)).filter((o) => !isHook(o));
    const containers = rampartWorkloads(objs).flatMap(rampartContainers);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  // Its FAIL lines then show in `kubectl describe pod` after the pod is gone from `helm test`'s view.
  it.each(CHART_RENDER_NAMES)('chart, the `helm test` pod, %s values', async (name) => {
    const hooks = (await chartObjects(name)).filter(isHook) as Pod[];
    const containers = hooks.flatMap((pod) => pod.spec?.containers ?? []);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });
});

it('a refused configuration exits 78, and the log tail the kubelet keeps names the variable', async () => {
  ensureBuilt();
  const objs = objects('base');
  const container = rampartContainers(rampartWorkloads(objs)[0]!)[0]!;
  const entrypoint = JSON.parse(
    /^ENTRYPOINT (\[.+\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '[]',
  ) as string[];
  const [, ...args] = entrypoint;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ...literalEnv(objs, container),
      OTEL_SDK_DISABLED: 'true',
      // A value the app refuses at start-up.
      LOG_LEVEL: 'verbose',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The container runtime interleaves stdout and stderr into one log, as here.
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(78);
  const tail = Buffer.from(
    log
      .split('\n')
      .slice(-LOG_TAIL_LINES - 1)
      .join('\n'),
  )
    .subarray(-LOG_TAIL_BYTES)
    .toString();
  expect(tail).toContain('LOG_LEVEL');
}, 60_000);

/**
 * Open-loop load (bench/lib/open-loop.js, as a child process) and a kubelet stand-in, for the
 * overload tests: requests at a fixed rate whatever the server answers, latency from the
 * scheduled send; probes on fresh connections with the manifests' timeout.
 */
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './child-process.js';

const run = promisify(execFile);
const GENERATOR = join(ROOT, 'bench/lib/open-loop.js');
export const PROBE_TIMEOUT_MS = 2_000; // k8s/base/deployment.yaml timeoutSeconds

/** One phase's figures as bench/lib/open-loop.js prints them. */
export interface PhaseResult {
  sent: number;
  ok: number;
  okP50Ms: number | null;
  okP99Ms: number | null;
  okMaxMs: number | null;
  refused: number;
  refusedP50Ms: number | null;
  refusedP99Ms: number | null;
  dropped: number;
  timeouts: number;
  other: Record<string, number>;
  /** [scheduled ms, latency ms, outcome, ms from the write (null if never written)] */
  records?: [number, number, string, number | null][];
}

export async function openLoop(
  url: string,
  phases: { rate: number; durationS: number; record?: boolean }[],
): Promise<PhaseResult[]> {
  // Every request is kept until a connection frees (no bound on pending requests, unlike the
  // benchmark's generator): these tests compare how a server turns the whole excess away.
  const options = JSON.stringify({
    url,
    phases,
    connections: 2_000,
    maxPending: 1_000_000,
    timeoutMs: 15_000,
  });
  const { stdout } = await run(process.execPath, [GENERATOR, options], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as PhaseResult[];
}

/** One probe the way the kubelet makes it: a fresh connection, a timeout. Resolves status or 0. */
export function probe(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
  });
}

/** Polls /healthz and /readyz every 250 ms until stopped; returns every answer. */
export function pollProbes(probeUrl: string) {
  const answers: { path: string; status: number; ms: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [live, ready] = await Promise.all([
        probe(`${probeUrl}/healthz`),
        probe(`${probeUrl}/readyz`),
      ]);
      answers.push({ path: '/healthz', ...live }, { path: '/readyz', ...ready });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return answers;
    },
  };
}

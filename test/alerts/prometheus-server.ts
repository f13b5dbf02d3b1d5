/**
 * A real Prometheus server (Debian package `prometheus`, beside promtool) for the rules'
 * end-to-end test: it scrapes a rampart instance, evaluates the rules file and answers queries.
 * It listens on port 0 and reports the port it bound in its log ("Listening on"); ready once
 * /-/ready answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../support/wait.js';

export interface PrometheusServer {
  url: string;
  /** Instant query through the HTTP API; the result vector. */
  query(
    promql: string,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: {
  rulesFile: string;
  /** host:port of rampart's admin listener. */
  target: string;
  /** Target labels the ServiceMonitor would add (job comes from the scrape job's name). */
  job: string;
  labels: Record<string, string>;
}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  // Every second, so rate() has its two samples a few seconds after the first request.
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [options.rulesFile],
      scrape_configs: [
        {
          job_name: options.job,
          static_configs: [{ targets: [options.target], labels: options.labels }],
        },
      ],
    }),
  );
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  let url = '';
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited:\n${log}`);
      const port = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (!port) return false;
      url = `http://127.0.0.1:${port}`;
      // 503 until the TSDB is open and the rules are loaded.
      return (await fetch(`${url}/-/ready`)).status === 200;
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
      return body.data?.result ?? [];
    },
    stop,
  };
}

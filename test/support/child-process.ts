import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'main.js');

/** Compiles src/ to dist/ when dist is missing or older than any source file. */
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newest(join(ROOT, 'src'))) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Child {
  process: ChildProcess;
  baseUrl: string;
  adminUrl: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the compiled service as a real child process and waits for its startup probe. */
export async function startChild(
  env: Record<string, string>,
  options: { waitReady?: boolean; args?: string[] } = {},
): Promise<Child> {
  ensureBuilt();
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn(process.execPath, [...(options.args ?? []), MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      ADMIN_HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      // The probe listener on any free port (its default 8081 would collide between children).
      PROBE_PORT: '0',
      // Tests run many requests on 2 cores alongside other suites: no admission limits, no
      // connection cap (2,500 concurrent clients per instance in the counters suite). The
      // admission suite turns them back on.
      ADMISSION_ENABLED: 'false',
      EVENT_LOOP_MAX_DELAY_MS: '0',
      HTTP_MAX_CONNECTIONS: '0',
      OTEL_SDK_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const result: Child = {
    process: child,
    baseUrl: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    output: () => output,
    exited,
  };
  if (options.waitReady !== false) await waitForStartup(result);
  return result;
}

async function waitForStartup(child: Child, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.process.exitCode !== null) {
      throw new Error(`child exited ${child.process.exitCode}:\n${child.output()}`);
    }
    try {
      const res = await fetch(`${child.baseUrl}/startupz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`child not ready in ${timeoutMs} ms:\n${child.output()}`);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './global-build.js';
import { TEST_REDIS_KEY_PREFIX } from './redis-prefix.js';

export { ensureBuilt };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// What `npm start` and the image run: the bundle scripts/bundle.mjs builds from tsc's dist/.
const MAIN = join(ROOT, 'dist', 'bundle', 'main.js');

/** The line src/main.ts logs once every listener is open, with each listener's bound port. */
export const READY_MESSAGE = 'rampart is ready';

/**
 * A port nothing listens on right now, for a URL that must be refused (a dead backend). Never
 * use it to start a server: another process may take the port between this call and the bind.
 * Servers listen on port 0 and report the port they got (see startChild).
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * `count` ports nothing listens on, all different: each held open until every one is chosen.
 * freePort called in a loop may hand out one port twice (the kernel reuses a port just closed),
 * and two listeners given one port fail the second's start (EADDRINUSE).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              resolve(typeof address === 'object' && address ? address.port : 0);
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))),
    );
  }
}

/**
 * The bound ports from a child's output: every `port` / `*Port` number on its ready line
 * (`{ port, adminPort, ... }`), or undefined before that line is written.
 */
export function readyPorts(output: string): Record<string, number> | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes(READY_MESSAGE)) continue;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a partial line, or not a log line
    }
    if (fields.msg !== READY_MESSAGE) continue;
    const ports: Record<string, number> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (/^port$|Port$/.test(key) && Number.isInteger(value) && (value as number) > 0) {
        ports[key] = value as number;
      }
    }
    return ports;
  }
  return undefined;
}

export interface Child {
  process: ChildProcess;
  /** The public listener. Reading it before the ready line (waitReady: false) throws. */
  readonly baseUrl: string;
  /** The admin listener. */
  readonly adminUrl: string;
  /** The dedicated probe listener, when the service reports one (`probePort`). */
  readonly probeUrl: string | undefined;
  /** Every port the ready line reported: `{ port, adminPort, ... }`. */
  readonly ports: Readonly<Record<string, number>>;
  /** Resolves with the ports once the ready line is logged; rejects if the child exits first. */
  ready: Promise<Record<string, number>>;
  output(): string;
  exited: Promise<number | null>;
}

const SHOWS_INFO = new Set(['info', 'debug', 'trace']);

/**
 * Node's flag for a child on the embedded database (no DATABASE_URL), as `npm start` passes it:
 * PGlite's 9 MB WebAssembly module stays on V8's baseline compiler. With V8's defaults its
 * optimising compile ran on both cores for seconds after the ready line: ~4.1 s of CPU per
 * child instead of ~1.8 s, taken from every other suite (docs/performance.md, "Where the
 * embedded database's memory went"). Children on PostgreSQL run as the image does, without it.
 */
const EMBEDDED_DATABASE_ARGS = ['--liftoff-only'];

/** How long a child may take to log its ready line; generous, a 2-core machine runs many suites. */
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Starts the compiled service as a real child process on port 0 (every listener) and, unless
 * `waitReady` is false, waits for its ready line, which carries the ports it bound: no port is
 * chosen here and then bound there, so no other process can take it in between.
 */
export async function startChild(
  env: Record<string, string>,
  options: { waitReady?: boolean; args?: string[] } = {},
): Promise<Child> {
  if (options.waitReady !== false && env.LOG_LEVEL && !SHOWS_INFO.has(env.LOG_LEVEL)) {
    throw new Error(`LOG_LEVEL=${env.LOG_LEVEL} hides '${READY_MESSAGE}', which carries the ports`);
  }
  ensureBuilt();
  const childEnv: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_PORT: '0',
    PROBE_PORT: '0',
    // Tests run many requests on 2 cores alongside other suites: no admission limits, no
    // connection cap (2,500 concurrent clients per instance in the counters suite). The
    // admission suite turns them back on.
    ADMISSION_ENABLED: 'false',
    EVENT_LOOP_MAX_DELAY_MS: '0',
    HTTP_MAX_CONNECTIONS: '0',
    OTEL_SDK_DISABLED: 'true',
    REDIS_KEY_PREFIX: TEST_REDIS_KEY_PREFIX,
    ...env,
  };
  const nodeArgs = childEnv.DATABASE_URL ? [] : EMBEDDED_DATABASE_ARGS;
  const child = spawn(process.execPath, [...nodeArgs, ...(options.args ?? []), MAIN], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ports: Record<string, number> | undefined;
  let announce: (ports: Record<string, number>) => void = () => undefined;
  const ready = new Promise<Record<string, number>>((resolve, reject) => {
    announce = resolve;
    child.once('exit', (code) =>
      reject(new Error(`child exited ${code} before '${READY_MESSAGE}':\n${output}`)),
    );
  });
  ready.catch(() => undefined); // a child expected to fail (waitReady: false) is not an error
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (ports === undefined && output.includes(READY_MESSAGE)) {
      ports = readyPorts(output);
      if (ports) announce(ports);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const known = (): Record<string, number> => {
    if (ports) return ports;
    throw new Error(`the child has not logged '${READY_MESSAGE}' yet:\n${output}`);
  };
  const url = (name: string): string => `http://127.0.0.1:${known()[name]}`;
  const result: Child = {
    process: child,
    get baseUrl() {
      return url('port');
    },
    get adminUrl() {
      return url('adminPort');
    },
    get probeUrl() {
      return known().probePort === undefined ? undefined : url('probePort');
    },
    get ports() {
      return known();
    },
    ready,
    output: () => output,
    exited,
  };
  if (options.waitReady !== false) await waitForReady(result);
  return result;
}

async function waitForReady(child: Child): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const message = `child did not log '${READY_MESSAGE}' in ${STARTUP_TIMEOUT_MS} ms`;
      reject(new Error(`${message}:\n${child.output()}`));
    }, STARTUP_TIMEOUT_MS);
  });
  try {
    await Promise.race([child.ready, timeout]);
  } catch (error) {
    if (child.process.exitCode === null) child.process.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The child's complete JSON log lines so far, parsed: other output is left out, and so is a line
 * still arriving (the text after the last newline).
 */
export function logLines(child: Pick<Child, 'output'>): Record<string, unknown>[] {
  return child
    .output()
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The access lines (`msg: "request"`) the child wrote for request id `reqId`. */
export function accessLines(
  child: Pick<Child, 'output'>,
  reqId: string,
): Record<string, unknown>[] {
  return logLines(child).filter((line) => line.msg === 'request' && line.reqId === reqId);
}

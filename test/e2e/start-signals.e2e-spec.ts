import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ensureBuilt, READY_MESSAGE, readyPorts, ROOT } from '../support/child-process.js';

/** How long `npm start` may take to log its ready line on a busy 2-core machine. */
const STARTUP_TIMEOUT_MS = 60_000;

interface NpmStart {
  npm: ChildProcess;
  output(): string;
  /** npm's exit: its code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The ports and the service's pid, from the ready line. */
  ready: Promise<{ ports: Record<string, number>; pid: number }>;
}

/**
 * `npm start` exactly as the README runs it, in its own process group (as a shell gives a
 * foreground job), every listener on port 0, the embedded database.
 */
function npmStart(env: Record<string, string> = {}): NpmStart {
  const inherited = { ...process.env };
  // The jest runner's flags and the suite's database are not what a user's shell passes.
  for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'REDIS_URL', 'DATA_DIR']) {
    delete inherited[name];
  }
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      HOST: '127.0.0.1',
      ADMIN_HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      PROBE_PORT: '0',
      OTEL_SDK_DISABLED: 'true',
      ...env,
    },
  });
  let output = '';
  let announce: (value: { ports: Record<string, number>; pid: number }) => void = () => undefined;
  const ready = new Promise<{ ports: Record<string, number>; pid: number }>((resolve, reject) => {
    announce = resolve;
    npm.once('exit', () => reject(new Error(`npm exited before '${READY_MESSAGE}':\n${output}`)));
    setTimeout(
      () => reject(new Error(`no '${READY_MESSAGE}':\n${output}`)),
      STARTUP_TIMEOUT_MS,
    ).unref();
  });
  ready.catch(() => undefined);
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    const ports = readyPorts(output);
    const line = output.split('\n').find((l) => l.includes(`"msg":"${READY_MESSAGE}"`));
    if (ports && line) announce({ ports, pid: (JSON.parse(line) as { pid: number }).pid });
  };
  npm.stdout?.on('data', collect);
  npm.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { npm, output: () => output, exited, ready };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true when `port` can be bound on 127.0.0.1 right now. */
async function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Stops whatever a failed test left running: the service first, then npm's group. */
function cleanUp(started: NpmStart, pid?: number): void {
  if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  if (started.npm.exitCode === null) started.npm.kill('SIGKILL');
}

describe('npm start under signals (real npm, real service)', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('SIGTERM to npm: the service drains, npm exits 0, its ports are free and no process remains', async () => {
    const started = npmStart();
    const { ports, pid } = await started.ready;
    try {
      expect((await fetch(`http://127.0.0.1:${ports.port}/hello`)).status).toBe(200);
      started.npm.kill('SIGTERM');
      const { code, signal } = await started.exited;
      // Checked the moment npm returns: a user's next `npm start` binds at once.
      const free = await Promise.all([canBind(ports.port!), canBind(ports.adminPort!)]);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(free).toEqual([true, true]);
      expect(isAlive(pid)).toBe(false);
      expect(started.output()).toContain('shutdown: step 7, exit');
    } finally {
      cleanUp(started, pid);
    }
  }, 120_000);

  it('Ctrl-C (SIGINT to the whole process group): one clean drain, npm exits 0, no orphan', async () => {
    const started = npmStart();
    const { ports, pid } = await started.ready;
    try {
      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground job. npm also
      // forwards its own copy to the service, which must take the two as one request to stop.
      process.kill(-started.npm.pid!, 'SIGINT');
      const { code, signal } = await started.exited;
      const free = await canBind(ports.port!);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(free).toBe(true);
      expect(isAlive(pid)).toBe(false);
      expect(started.output()).not.toContain('second signal during shutdown');
      expect(started.output()).toContain('shutdown: step 7, exit');
    } finally {
      cleanUp(started, pid);
    }
  }, 120_000);
});

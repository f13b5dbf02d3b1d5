import { spawn, type ChildProcess } from 'node:child_process';
import { ensureBuilt, freePorts, READY_MESSAGE, ROOT } from '../support/child-process.js';
import { alignOutput, documents, shellBlocks, type ShellBlock } from './doc-blocks.js';

// Every shell block of the README and docs/ either runs here, as pasted, with the output shown
// after it compared to what comes back, or says above it why it cannot run (a cluster, Go's
// pprof, minutes of benchmark). Blocks that start their own instances (`npm start &`) run alone;
// the others are sent to one `npm start` per document, as a reader would in a second terminal.

/** The ports the documents name, each replaced by a free one so runs never collide. */
const DOCUMENTED_PORTS = [8080, 8081, 8082, 8083, 9090, 9091, 9092];
const BLOCK_TIMEOUT_MS = 90_000;

/** The environment of a reader's shell: no test runner's flags, no suite database. */
function readerEnv(ports: Map<number, number>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'DATA_DIR']) {
    delete env[name];
  }
  return {
    ...env,
    PATH: `${ROOT}/node_modules/.bin:${process.env.PATH}`,
    // The defaults the documents rely on (8080, 9090, 8081), moved to this run's ports.
    PORT: String(ports.get(8080)),
    ADMIN_PORT: String(ports.get(9090)),
    PROBE_PORT: String(ports.get(8081)),
    HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
  };
}

function swapPorts(text: string, map: Map<number, number>): string {
  return [...map].reduce(
    (out, [from, to]) => out.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to)),
    text,
  );
}

/** Runs `script` in bash in its own process group; everything it started is gone afterwards. */
async function bash(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const shell = spawn('bash', ['-c', script], { cwd: ROOT, env, detached: true });
  let stdout = '';
  let stderr = '';
  shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => killGroup(shell), BLOCK_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => shell.once('exit', resolve));
  clearTimeout(timer);
  killGroup(shell);
  if (stderr.trim()) stdout += `\n[stderr] ${stderr.trim()}`;
  if (code !== 0) stdout += `\n[exit ${code}]`;
  return stdout;
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGTERM');
  } catch {
    // the group is already gone
  }
}

/** `npm start` as the README's first command leaves it running, on this run's ports. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(`"msg":"${READY_MESSAGE}"`)) resolve();
    };
    npm.stdout.on('data', collect);
    npm.stderr.on('data', collect);
    npm.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
  });
  return npm;
}

async function stop(npm: ChildProcess): Promise<void> {
  if (npm.exitCode !== null) return;
  const exited = new Promise((resolve) => npm.once('exit', resolve));
  killGroup(npm);
  await exited;
}

beforeAll(() => ensureBuilt());

describe.each(documents())('%s', (file) => {
  const blocks = shellBlocks(file);
  const run = blocks.filter((block) => block.notRun === undefined);
  let ports: Map<number, number>;
  let service: ChildProcess | undefined;

  beforeAll(async () => {
    ports = new Map();
    const free = await freePorts(DOCUMENTED_PORTS.length);
    DOCUMENTED_PORTS.forEach((port, i) => ports.set(port, free[i]!));
  });
  afterAll(async () => {
    if (service) await stop(service);
  });

  it('every shell block shows its output, or says why it is not run', () => {
    const unchecked = run.filter((block) => block.output === undefined);
    expect(unchecked.map((block) => `${file}:${block.line}`)).toEqual([]);
  });

  const runnable = run.filter((block): block is ShellBlock & { output: string } =>
    Boolean(block.output),
  );
  if (runnable.length === 0) return;
  it.each(runnable.map((block) => [block.line, block] as const))(
    'the block at line %i prints what the page shows',
    async (_line, block) => {
      const env = readerEnv(ports);
      if (!/\bnpm start\b/.test(block.code)) service ??= await npmStart(env);
      const actual = await bash(swapPorts(block.code, ports), env);
      const back = new Map([...ports].map(([documented, real]) => [real, documented]));
      const { shown, actual: got } = alignOutput(block.output, swapPorts(actual, back));
      expect(got).toEqual(shown);
    },
    BLOCK_TIMEOUT_MS + 30_000,
  );
});

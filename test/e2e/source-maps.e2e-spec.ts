/**
 * Stack traces of rampart's own code point at its .ts sources in a process started the way
 * `npm start` and the image start it (the bundle's telemetry bootstrap preloaded), without the
 * `--enable-source-maps` flag or Node's own support: the bootstrap installs
 * telemetry/stack-trace.mapper.ts, which reads the maps of rampart's code
 * (scripts/bundle-stack-maps.mjs) on the first stack formatted. The error read here is a real
 * one: start-up against a database port nobody listens on finds it away, and the service logs
 * the error with its stack as it starts without it (database/schema.startup.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../support/child-process.js';
import { PRELOAD } from '../support/traced-child.js';

/** The warning logged, with the error's stack, when the database is away at start-up. */
const STARTED_WITHOUT_DATABASE = '"database unavailable at start-up';

describe('stack traces in a process started as npm start starts it', () => {
  let stack: string;
  let support: Record<string, boolean>;

  beforeAll(async () => {
    ensureBuilt();
    const child = spawn(process.execPath, [...PRELOAD, 'dist/bundle/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        OTEL_SDK_DISABLED: 'true',
        PORT: '0',
        ADMIN_PORT: '0',
        PROBE_PORT: '0',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const warning = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.includes(STARTED_WITHOUT_DATABASE));
          if (line) resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before:\n${out}`)));
      });
      stack = (JSON.parse(warning) as { err: { stack: string } }).err.stack;
    } finally {
      child.kill('SIGKILL');
    }
    const probe = spawnSync(
      process.execPath,
      [
        ...PRELOAD,
        '--input-type=module',
        '--eval',
        "import { getSourceMapsSupport } from 'node:module'; " +
          'console.log(JSON.stringify(getSourceMapsSupport()))',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, OTEL_SDK_DISABLED: 'true' }, encoding: 'utf8' },
    );
    support = JSON.parse(probe.stdout.trim().split('\n').at(-1)!) as typeof support;
  });

  it("maps a frame of rampart's code to the .ts line that made the error", () => {
    const frame = /at classifyConnectError \((\/[^:]+\.ts):(\d+):(\d+)\)/.exec(stack);
    expect(frame?.[1]).toBe(join(ROOT, 'src/database/driver-error.classifier.ts'));
    const line = readFileSync(frame![1]!, 'utf8').split('\n')[Number(frame![2]) - 1];
    expect(line).toContain('new DbUnavailableError');
  });

  it("keeps V8's own frame text around the mapped location", () => {
    expect(stack).toMatch(
      /at async DatabaseService\d*\.onModuleInit \(\/\S+\/src\/database\/database\.service\.ts:\d+:\d+\)/,
    );
    expect(stack).toMatch(
      /at async SchemaStartup\.start \(\/\S+\/src\/database\/schema\.startup\.ts:\d+:\d+\)/,
    );
  });

  it('leaves third-party frames at their place in the bundle, and no map to Node', () => {
    expect(stack).toMatch(
      /at async _?NestApplication\.\w+ \(file:\/\/\/\S+\/dist\/bundle\/main\.js:\d+:\d+\)/,
    );
    expect(support.enabled).toBe(false);
  });
});

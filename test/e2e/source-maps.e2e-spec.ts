/**
 * Stack traces of rampart's own code point at its .ts sources in a process started the way
 * `npm start` and the image start it (the bundle's telemetry bootstrap preloaded), without the
 * `--enable-source-maps` flag or Node's own support: the bootstrap installs
 * telemetry/stack-trace.mapper.ts, which reads the maps of rampart's code
 * (scripts/bundle-stack-maps.mjs) on the first stack formatted. The error read here is a real
 * one: start-up against a database port nobody listens on fails, and main.ts logs the failure
 * with its stack.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../support/child-process.js';
import { PRELOAD } from '../support/traced-child.js';

describe('stack traces in a process started as npm start starts it', () => {
  let stack: string;
  let support: Record<string, boolean>;

  beforeAll(() => {
    ensureBuilt();
    const run = spawnSync(process.execPath, [...PRELOAD, 'dist/bundle/main.js'], {
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
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const failure = run.stdout
      .split('\n')
      .filter((line) => line.includes('"start-up failed"'))
      .map((line) => JSON.parse(line) as { err: { stack: string } })[0];
    stack = failure!.err.stack;
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
    const frame = /at classifyDriverError \((\/[^:]+\.ts):(\d+):(\d+)\)/.exec(stack);
    expect(frame?.[1]).toBe(join(ROOT, 'src/database/driver-error.classifier.ts'));
    const line = readFileSync(frame![1]!, 'utf8').split('\n')[Number(frame![2]) - 1];
    expect(line).toContain('new DbUnavailableError');
  });

  it("keeps V8's own frame text around the mapped location", () => {
    expect(stack).toMatch(
      /at async DatabaseService\d*\.onModuleInit \(\/\S+\/src\/database\/database\.service\.ts:\d+:\d+\)/,
    );
    expect(stack).toMatch(/at async startApp \(\/\S+\/src\/app\.factory\.ts:\d+:\d+\)/);
  });

  it('leaves third-party frames at their place in the bundle, and no map to Node', () => {
    expect(stack).toMatch(
      /at async _?NestApplication\.init \(file:\/\/\/\S+\/dist\/bundle\/main\.js:\d+:\d+\)/,
    );
    expect(support.enabled).toBe(false);
  });
});

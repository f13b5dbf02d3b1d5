/**
 * Stack traces of rampart's own code point at its .ts sources in a process started the way
 * `npm start` and the image start it (the telemetry bootstrap preloaded), without the
 * `--enable-source-maps` flag: the bootstrap turns source maps on for the application's files and
 * leaves node_modules' maps unread (telemetry.bootstrap.ts says what that saves at start-up).
 */
import { spawnSync } from 'node:child_process';
import { ensureBuilt, ROOT } from '../support/child-process.js';
import { PRELOAD } from '../support/traced-child.js';

// An invalid query throws from rampart's contract parser (src/openapi/contract.input.ts).
const PROBE = `
import { getSourceMapsSupport } from 'node:module';
const { parseInput } = await import('./dist/openapi/contract.input.js');
const { helloQuery } = await import('./dist/hello/hello.contract.js');
let stack = '';
try { parseInput(helloQuery, { delay: 5 }); } catch (error) { stack = error.stack; }
console.log(JSON.stringify({ support: getSourceMapsSupport(), stack }));
`;

describe('source maps in a process started as npm start starts it', () => {
  let result: { support: Record<string, boolean>; stack: string };

  beforeAll(() => {
    ensureBuilt();
    const run = spawnSync(process.execPath, [...PRELOAD, '--input-type=module', '--eval', PROBE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, OTEL_SDK_DISABLED: 'true' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as typeof result;
  });

  it("maps rampart's frames to its .ts sources", () => {
    expect(result.stack).toMatch(/at parseInput \(.*src\/openapi\/contract\.input\.ts:\d+:\d+\)/);
    expect(result.stack).not.toMatch(/dist\/openapi\/contract\.input\.js/);
  });

  it("leaves node_modules' source maps unread, and generated code unmapped", () => {
    expect(result.support).toEqual({ enabled: true, nodeModules: false, generatedCode: false });
  });
});

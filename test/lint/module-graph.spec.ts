import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/child-process.js';

// `npm run lint` runs dependency-cruiser with .dependency-cruiser.cjs over src/. These run the
// same checker, same rules, on a throwaway src/ holding one deliberate violation each.

const CHECKER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Runs the checker in a fresh directory holding `files` (path → source); exit code and report. */
function cruise(files: Record<string, string>): { status: number | null; report: string } {
  const dir = mkdtempSync(join(tmpdir(), 'module-graph-'));
  try {
    const all = { 'tsconfig.json': '{"compilerOptions":{"module":"nodenext"}}', ...files };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(process.execPath, [CHECKER, 'src', '--config', CONFIG], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { status: run.status, report: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the module graph check (npm run lint)', () => {
  it('passes a graph that follows the layers', () => {
    const { status, report } = cruise({
      'src/logging/logger.ts':
        "import { x } from '../request-context/store.js';\nexport const y = x;\n",
      'src/request-context/store.ts': 'export const x = 1;\n',
      'src/hello/hello.service.ts':
        "import { y } from '../logging/logger.js';\nexport const z = y;\n",
    });
    expect(report).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('fails on an import cycle', () => {
    const { status, report } = cruise({
      'src/metrics/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/metrics/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(status).not.toBe(0);
    expect(report).toContain('no-circular');
  });

  it('fails when infrastructure imports a feature', () => {
    const { status, report } = cruise({
      'src/metrics/metrics.service.ts':
        "import { h } from '../hello/hello.service.js';\nexport const m = h;\n",
      'src/hello/hello.service.ts': 'export const h = 1;\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain('infrastructure-not-to-feature');
  });

  it('fails when a folder imports one of a higher layer', () => {
    const { status, report } = cruise({
      'src/logging/logger.ts':
        "import { m } from '../metrics/metrics.service.js';\nexport const l = m;\n",
      'src/metrics/metrics.service.ts': 'export const m = 1;\n',
    });
    expect(status).not.toBe(0);
    expect(report).toContain('layer-logging');
  });
});

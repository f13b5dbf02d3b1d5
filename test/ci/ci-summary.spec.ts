import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/child-process.js';

// .ci/run's closing line comes from .ci/summary.sh; these feed it jest and smoke-test logs of the
// shapes jest 30 and scripts/container-smoke.sh really print, without running CI.

const PASSING = `PASS test/a.spec.ts
PASS test/b.spec.ts

Test Suites: 2 passed, 2 total
Tests:       7 passed, 7 total
Snapshots:   0 total
Time:        1.2 s
`;

/** One failing test, one suite that throws at import, one that does not compile. */
const BROKEN = `FAIL test/b.spec.ts
  ● bad

    expect(received).toBe(expected) // Object.is equality

PASS test/a.spec.ts
FAIL test/d.spec.ts
  ● Test suite failed to run

    boom at import

FAIL test/c.spec.ts
  ● Test suite failed to run

    SyntaxError: test/c.spec.ts: Unexpected token (1:21)

Summary of all failing tests
FAIL test/b.spec.ts
  ● bad

FAIL test/d.spec.ts
  ● Test suite failed to run

FAIL test/c.spec.ts
  ● Test suite failed to run

Test Suites: 3 failed, 1 passed, 4 total
Tests:       1 failed, 2 passed, 3 total
`;

interface Step {
  kind: 'jest' | 'lines' | 'step';
  status: number;
  log?: string;
}

/** Sources .ci/summary.sh, counts the steps as .ci/run does, returns ci_finish's line and status. */
function summarize(steps: Step[]): { line: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ci-summary-'));
  try {
    const script = [`source ${JSON.stringify(join(ROOT, '.ci/summary.sh'))}`];
    steps.forEach((step, i) => {
      const log = join(dir, `${i}.log`);
      if (step.log !== undefined) writeFileSync(log, step.log);
      const fn = { jest: 'ci_count_jest', lines: 'ci_count_lines', step: 'ci_count_step' }[
        step.kind
      ];
      script.push(step.kind === 'step' ? `${fn} ${step.status}` : `${fn} ${step.status} ${log}`);
    });
    script.push('ci_finish');
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script.join('\n')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    return { line: run.stdout.trim().split('\n').at(-1) ?? '', status: run.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('.ci/run closing line', () => {
  it('counts every passing test and exits 0 when all steps pass', () => {
    const result = summarize([
      { kind: 'jest', status: 0, log: PASSING },
      { kind: 'step', status: 0 },
      { kind: 'step', status: 0 },
    ]);
    expect(result).toEqual({ line: '9 passed, 0 failed', status: 0 });
  });

  it('counts a suite that failed to run as a failure, once even when jest re-prints it', () => {
    const result = summarize([{ kind: 'jest', status: 1, log: BROKEN }]);
    expect(result).toEqual({ line: '2 passed, 3 failed', status: 1 });
  });

  it('reads a log jest coloured', () => {
    const coloured = BROKEN.replace(/^FAIL/gm, '\x1b[1m\x1b[41mFAIL\x1b[49m\x1b[22m').replace(
      /^Tests:/m,
      '\x1b[1mTests:\x1b[22m',
    );
    expect(summarize([{ kind: 'jest', status: 1, log: coloured }]).line).toBe('2 passed, 3 failed');
  });

  it('counts a test run that crashed before its summary (or whose install failed) as one failure', () => {
    expect(summarize([{ kind: 'jest', status: 1, log: 'npm ERR! ci failed\n' }])).toEqual({
      line: '0 passed, 1 failed',
      status: 1,
    });
    expect(summarize([{ kind: 'jest', status: 1 }]).line).toBe('0 passed, 1 failed');
  });

  it('counts a run that exited 0 before its summary (process.exit in a test) as one failure', () => {
    const cut = `PASS test/a.spec.ts\n  ●  process.exit called with "0"\n\n      at exit (src/x.ts:1:1)\n`;
    expect(summarize([{ kind: 'jest', status: 0, log: cut }])).toEqual({
      line: '0 passed, 1 failed',
      status: 1,
    });
  });

  it('a passing container smoke test does not hide a test failure', () => {
    const result = summarize([
      { kind: 'jest', status: 1, log: BROKEN },
      { kind: 'lines', status: 0, log: 'PASS image builds\n12 passed, 0 failed\n' },
    ]);
    expect(result).toEqual({ line: '14 passed, 3 failed', status: 1 });
  });

  it('adds the smoke test own failures, or one when it died without its line', () => {
    const failing = summarize([
      { kind: 'jest', status: 0, log: PASSING },
      { kind: 'lines', status: 1, log: 'FAIL podman run failed\n0 passed, 1 failed\n' },
    ]);
    expect(failing).toEqual({ line: '7 passed, 1 failed', status: 1 });
    const died = summarize([
      { kind: 'jest', status: 0, log: PASSING },
      { kind: 'lines', status: 137, log: 'building...\n' },
    ]);
    expect(died).toEqual({ line: '7 passed, 1 failed', status: 1 });
  });

  it('counts a failing lint or typecheck step as a failure', () => {
    const result = summarize([
      { kind: 'jest', status: 0, log: PASSING },
      { kind: 'step', status: 1 },
      { kind: 'step', status: 0 },
    ]);
    expect(result).toEqual({ line: '8 passed, 1 failed', status: 1 });
  });
});

describe('.ci/run', () => {
  const run = readFileSync(join(ROOT, '.ci/run'), 'utf8');
  const commands = run
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');

  it("runs the README's test command verbatim and installs only through it", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('\nnpm ci && npm test\n');
    expect(commands).toContain('npm ci && npm test 2>&1 | tee .ci/test.log');
    expect(commands.match(/npm ci\b/g)).toHaveLength(1);
  });

  it('is valid bash and ends with the closing line', () => {
    execFileSync('bash', ['-n', join(ROOT, '.ci/run')]);
    expect(commands.trimEnd().split('\n').at(-1)).toBe('ci_finish');
  });
});

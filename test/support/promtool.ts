import { spawnSync } from 'node:child_process';

/** promtool ships with Debian's `prometheus` package; .ci/run installs it. */
export const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/**
 * Lint findings `promtool check metrics` is allowed to report, each documented in the README
 * (observability → metric names). Anything else fails the tests.
 */
export const PROMTOOL_EXCEPTIONS: Readonly<Record<string, string>> = {
  // The OTel database semantic convention db.client.connection.count, exactly as the OTel
  // Prometheus exporter names it; promtool reserves `_count` for histograms and summaries.
  db_client_connection_count:
    'non-histogram and non-summary metrics should not have "_count" suffix',
};

/**
 * Runs `promtool check metrics` on an exposition and returns its findings that are not
 * documented exceptions (empty = clean). Exit 3 means "findings", listed one per line.
 */
export function promtoolFindings(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 3) throw new Error(`promtool failed: ${run.stderr}`);
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .filter((line) => {
      const [name, ...rest] = line.split(' ');
      return PROMTOOL_EXCEPTIONS[name ?? ''] !== rest.join(' ');
    });
}

// `npm run bench [-- scenario ...]`: runs the scenarios (all by default), prints a table and
// writes the figures to bench/results/<timestamp>.json and bench/results/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadTool } from './lib/load.js';
import { settings } from './lib/settings.js';

process.chdir(new URL('..', import.meta.url).pathname);
const available = [];
for (const file of readdirSync('bench/scenarios')
  .filter((f) => f.endsWith('.js'))
  .sort()) {
  available.push(await import(`./scenarios/${file}`));
}
const wanted = process.argv.slice(2);
// Scenarios marked `optIn` (minutes under valgrind) run only when named.
const chosen = wanted.length
  ? available.filter((s) => wanted.includes(s.name))
  : available.filter((s) => !s.optIn);
if (wanted.length && chosen.length !== wanted.length) {
  console.error(`unknown scenario; available: ${available.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  tool: loadTool,
  settings,
  scenarios: {},
};
for (const scenario of chosen) {
  console.log(`\n## ${scenario.name} — ${scenario.description}`);
  const started = Date.now();
  try {
    report.scenarios[scenario.name] = await scenario.run();
  } catch (error) {
    report.scenarios[scenario.name] = { error: String(error?.stack ?? error) };
  }
  console.log(format(report.scenarios[scenario.name]));
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
}

mkdirSync('bench/results', { recursive: true });
const json = JSON.stringify(report, null, 2);
writeFileSync(`bench/results/${report.date.replaceAll(':', '-')}.json`, json);
writeFileSync('bench/results/latest.json', json);
console.log('\nwritten: bench/results/latest.json');

// A scenario that threw (a server that never became ready, a load tool that failed) has no
// figures: say which, and exit non-zero so no script or CI step takes the run for a result.
const failed = Object.entries(report.scenarios).filter(([, result]) => result?.error);
if (failed.length > 0) {
  console.error(`\n${failed.length} scenario(s) failed: ${failed.map(([n]) => n).join(', ')}`);
  process.exitCode = 1;
}

function format(result) {
  const rows = Object.entries(result).map(([key, value]) =>
    typeof value === 'object' && value !== null
      ? `  ${key.padEnd(24)} ${Object.entries(value)
          .map(
            ([k, v]) =>
              `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : JSON.stringify(v)}`,
          )
          .join('  ')}`
      : `  ${key.padEnd(24)} ${value}`,
  );
  return rows.join('\n');
}

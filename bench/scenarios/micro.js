// The micro-benchmarks that stand beside each optimisation (src/**/*.bench.ts, built to dist/;
// bench/micro/*.bench.mjs for the build's own, scripts/bundle.mjs): each prints ns per operation
// for the optimised code and the plain alternative it replaced.
// Run one at a time, pinned to the server core, so the figures compare within a file.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_CPU, pinned } from '../lib/processes.js';

export const name = 'micro';
export const description = 'ns/op of each optimisation against the plain alternative (*.bench.ts)';

export async function run() {
  const results = {};
  for (const file of [...benchFiles('dist'), ...benchFiles('bench/micro')]) {
    const [command, args] = pinned(SERVER_CPU, process.execPath, [file]);
    const output = execFileSync(command, args, { encoding: 'utf8' });
    process.stdout.write(`${file}\n${output}`);
    const figures = {};
    for (const line of output.split('\n')) {
      const match = /^\s+(.+?)\s+(\d+(?:\.\d+)?) ns\/\w+$/.exec(line);
      if (match) figures[match[1]] = Number(match[2]);
    }
    results[file.replace(/^dist\//, '').replace(/\.m?js$/, '')] = figures;
  }
  return results;
}

function benchFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.bench\.m?js$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

// Closed-loop POST load on one counter: `connections` clients, each sending its next increment
// when the last one answers, for a warm-up and then a measured phase. Each phase stops sending
// at its end and waits for the answers still due, so every increment the server may have applied
// is counted (wrk abandons those in flight, which would make the final value unverifiable).
// Prints a JSON summary with every 200's returned value checked for uniqueness. Run as a child
// process, pinned to the load core. 127.0.0.1 only.
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

const [url, connectionsArg, durationArg, warmupArg] = process.argv.slice(2);
if (!url.startsWith('http://127.0.0.1')) throw new Error('127.0.0.1 only');
const connections = Number(connectionsArg);
const target = new URL(url);
const pool = new Pool(target.origin, { connections, pipelining: 1 });
const values = [];
const statuses = {};
let errors = 0;

async function phase(seconds, latencies) {
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  const client = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const res = await pool.request({ path: target.pathname, method: 'POST' });
        const body = await res.body.json();
        // Problem+json answers are counted by their code, plain ones by their status.
        const key = body.code ? `${res.statusCode} ${body.code}` : res.statusCode;
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (res.statusCode === 200) {
          ok++;
          values.push(body.value);
          latencies?.push(performance.now() - sent);
        }
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, client));
  return { ok, elapsedS: (performance.now() - started) / 1000 };
}

await phase(Number(warmupArg), undefined);
const latencies = [];
const cpuBefore = process.cpuUsage();
const schedBefore = schedstat();
const measured = await phase(Number(durationArg), latencies);
const cpu = process.cpuUsage(cpuBefore);
const sched = schedstat();
await pool.close();

latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
values.sort((a, b) => a - b);
let distinct = values.length > 0 ? 1 : 0;
for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1]) distinct++;
process.stdout.write(
  JSON.stringify({
    incrementsPerS: Math.round(measured.ok / measured.elapsedS),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    measuredOk: measured.ok,
    totalOk: values.length,
    distinctValues: distinct,
    maxValue: values.at(-1) ?? 0,
    statuses,
    errors,
    // The client's own cost and its wait for its core: a starved client caps the figure too.
    clientCpuUsPerRequest: Math.round((cpu.user + cpu.system) / Math.max(1, latencies.length)),
    clientCpuWaitShare:
      Math.round(
        ((sched[1] - schedBefore[1]) / (sched[0] - schedBefore[0] + sched[1] - schedBefore[1])) *
          100,
      ) / 100,
  }),
);

/** This process's main-thread run and run-queue wait times, ns (Linux; NaN elsewhere). */
function schedstat() {
  try {
    return readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
  } catch {
    return [NaN, NaN];
  }
}

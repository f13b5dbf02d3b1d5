// Fires N simultaneous requests (one socket each) and prints a JSON summary. Run as a child
// process so its event loop does not share the runner's.
import http from 'node:http';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!url.startsWith('http://127.0.0.1')) throw new Error('127.0.0.1 only');
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

const started = performance.now();
let ok = 0;
let failed = 0;
const statuses = {};
await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise((resolve) => {
        const req = http.get(url, { agent, timeout: 60_000 }, (res) => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (error) => {
          const key = error.code ?? error.message;
          statuses[key] = (statuses[key] ?? 0) + 1;
          failed++;
          resolve();
        });
      }),
  ),
);
const elapsedMs = Math.round(performance.now() - started);
process.stdout.write(JSON.stringify({ count, ok, failed, statuses, elapsedMs }));

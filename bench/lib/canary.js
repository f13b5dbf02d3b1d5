// A new client arriving during an overload, measured by a process that is not itself
// saturated. The open-loop generator shares a core with PostgreSQL at 2-3x saturation and runs
// tens of milliseconds late (its `generatorLateP99Ms`); that lag delays its reading of every
// answer too, so its refusal latencies are the generator's as much as the server's. The canary
// sends one GET every 5-15 ms (about 100/s, far below any level's rate) on a fresh connection
// from the bench's own mostly idle process, the way the probe poller does, and records how it was
// answered; its own timer lateness is reported beside it as the floor of what it can resolve.
import http from 'node:http';

/** Starts sending; `stop()` resolves with the records and the canary's own lateness. */
export function startCanary(url, { timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  const records = [];
  const lateness = [];
  let stopped = false;
  let outstanding = 0;

  const once = () => {
    const sent = performance.now();
    outstanding++;
    let recorded = false;
    const record = (outcome) => {
      if (recorded) return;
      recorded = true;
      outstanding--;
      records.push({ offsetMs: sent - started, outcome, ms: performance.now() - sent });
    };
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const outcome = res.statusCode === 200 ? 'ok' : res.statusCode === 503 ? 'refused' : 'other';
      res.on('end', () => record(outcome));
      res.on('error', () => record('dropped'));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    // Refused or reset by the server's kernel (its port held): a refusal the client sees at once.
    req.on('error', (error) =>
      record(['ECONNREFUSED', 'ECONNRESET'].includes(error.code) ? 'dropped' : 'other'),
    );
  };

  let timer;
  const tick = (dueAt) => {
    if (stopped) return;
    lateness.push(performance.now() - dueAt);
    once();
    const delay = 5 + Math.random() * 10;
    const next = performance.now() + delay;
    timer = setTimeout(() => tick(next), delay);
  };
  tick(performance.now());

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const until = performance.now() + timeoutMs + 500;
      while (outstanding > 0 && performance.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      return { records, lateness };
    },
  };
}

// A kubelet stand-in: every `intervalMs`, GET each path on a fresh connection (the kubelet does
// not reuse probe connections) with the probes' timeout; anything but a 200 in time is a miss.
import http from 'node:http';

export function pollProbes(
  baseUrl,
  { paths = ['/healthz', '/readyz'], intervalMs = 500, timeoutMs = 2_000 } = {},
) {
  const answers = [];
  let timer;
  let outstanding = 0;
  const once = (path) => {
    const started = performance.now();
    outstanding++;
    let recorded = false;
    const record = (status) => {
      if (recorded) return;
      recorded = true;
      outstanding--;
      answers.push({ path, status, ms: performance.now() - started });
    };
    const req = http.get(`${baseUrl}${path}`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => record(res.statusCode));
      res.on('error', () => record(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => record(0));
  };
  const tick = () => {
    for (const path of paths) once(path);
    timer = setTimeout(tick, intervalMs);
  };
  tick();
  return {
    /** Stops polling and waits for the probes still out; returns { probes, misses, maxMs }. */
    async stop() {
      clearTimeout(timer);
      const until = Date.now() + timeoutMs + 500;
      while (outstanding > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const misses = answers.filter((a) => a.status !== 200 || a.ms >= timeoutMs).length;
      const maxMs = Math.round(Math.max(0, ...answers.map((a) => a.ms)));
      return { probes: answers.length, misses, maxMs };
    },
  };
}

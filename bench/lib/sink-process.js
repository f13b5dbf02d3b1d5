// The OTLP receiver (otlp-sink.js) as a child process on the load core, for the scenarios that
// export spans: its URL, its running counts, and stop() with what it decoded.
import { spawn } from 'node:child_process';
import { LOAD_CPU, freePort, pinned } from './processes.js';

export async function startSink() {
  const port = await freePort();
  const [cmd, args] = pinned(LOAD_CPU, process.execPath, ['bench/lib/otlp-sink.js']);
  const child = spawn(cmd, args, {
    env: { PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  let stopped;
  /** Stops the receiver once; resolves with what it decoded ({ requests, spans, bytes }). */
  const stop = () =>
    (stopped ??= new Promise((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.once('exit', () => resolve(JSON.parse(out.trim().split('\n').at(-1) || '{}')));
      child.kill('SIGTERM');
    }));
  const url = `http://127.0.0.1:${port}`;
  const counts = async () => (await fetch(`${url}/counts`)).json();
  return { url, stop, counts };
}

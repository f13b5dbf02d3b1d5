import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './child-process.js';

export interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open and accepted, nothing answers (a hung server). */
  freeze(): void;
  /** SIGCONT: answers again. */
  thaw(): void;
}

/**
 * A Redis of the test's own on 127.0.0.1 (no persistence), for state no other suite may touch:
 * the machine's Redis is shared, and rate-limit buckets keyed by 127.0.0.1 would collide.
 * redis-server cannot report a port it picked, so a free port is chosen and the start retried
 * if another process took it first. `args` go to redis-server after rampart's own (e.g.
 * `['--replicaof', '127.0.0.1', '<port>']` for a read-only replica).
 */
export async function startThrowawayRedis(
  args: string[] = [],
  attempts = 3,
): Promise<ThrowawayRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (await accepting(server)) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          if (server.exitCode === null) {
            server.kill('SIGCONT');
            server.kill('SIGTERM');
          }
          await exited;
        },
        freeze: () => server.kill('SIGSTOP'),
        thaw: () => server.kill('SIGCONT'),
      };
    }
    if (attempt >= attempts) throw new Error(`redis-server did not start in ${attempts} attempts`);
  }
}

/** Resolves true once redis-server logs that it accepts connections, false if it exits first. */
function accepting(server: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let output = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    server.once('exit', () => resolve(false));
    server.once('error', () => resolve(false));
  });
}

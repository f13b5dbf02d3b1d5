import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './child-process.js';

export interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open and accepted, nothing answers (a hung server). */
  freeze(): void;
  /** SIGCONT: answers again. */
  thaw(): void;
  /** SIGKILL: gone at once, every connection reset, its data lost (no persistence). */
  kill(): Promise<void>;
  /** A new redis-server on the same port, after kill(): a restart, or a failover to an empty one. */
  restart(): Promise<void>;
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
    let server = launch(port, args);
    if (await accepting(server)) {
      let exited = exitOf(server);
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
        kill: async () => {
          server.kill('SIGKILL');
          await exited;
        },
        restart: async () => {
          server = launch(port, args);
          exited = exitOf(server);
          if (!(await accepting(server)))
            throw new Error(`redis-server did not restart on ${port}`);
        },
      };
    }
    if (attempt >= attempts) throw new Error(`redis-server did not start in ${attempts} attempts`);
  }
}

function launch(port: number, args: string[]): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function exitOf(server: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => server.once('exit', () => resolve()));
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

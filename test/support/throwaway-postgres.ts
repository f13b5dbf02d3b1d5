import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-process.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL binary as the `postgres` user: initdb refuses root. */
async function asPostgres(command: string, args: string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]]
    : [join(BIN, command), args];
  const { stdout } = await run(file, argv, { timeout: 60_000 });
  return stdout;
}

/**
 * A PostgreSQL cluster of the test's own, on a free port, that the test may kill, restart or
 * freeze — fault tests must never touch the machine's shared server, which other suites use.
 * `fsync=off`: durability across an OS crash is not what these tests are about.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  /** initdb into a fresh directory, then start; takes a couple of seconds. */
  static async create(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-pg-'));
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
    const dataDir = join(dir, 'data');
    await asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    const pg = new ThrowawayPostgres(dataDir, await freePort());
    await pg.start();
    return pg;
  }

  /** Starts (again) on the same port and data directory; resolves once it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c fsync=off -k ${this.dataDir}`;
    await asPostgres('pg_ctl', [
      'start',
      '-w',
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      `${this.dataDir}/log`,
    ]);
  }

  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash or a failover. */
  async stopImmediate(): Promise<void> {
    await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', this.dataDir]);
  }

  /** SIGSTOP (or SIGCONT) to the postmaster and every child: the server stops answering, while
   * the kernel keeps its sockets open and accepting — a hung server, not a dead one. */
  async signalAll(signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const postmaster = Number(
      readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
    const pids = [
      postmaster,
      ...stdout
        .split('\n')
        .map(Number)
        .filter((p) => p > 0),
    ];
    // Children first on STOP (nothing forks mid-way), postmaster first on CONT.
    const order = signal === 'SIGSTOP' ? pids.reverse() : pids;
    for (const pid of order) {
      try {
        process.kill(pid, signal);
      } catch {
        // a backend that exited meanwhile
      }
    }
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Stops it (continuing it first if frozen) and deletes its files. */
  async destroy(): Promise<void> {
    await this.signalAll('SIGCONT').catch(() => undefined);
    await this.stopImmediate().catch(() => undefined);
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())),
    run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())),
  ]);
  return { uid, gid };
}

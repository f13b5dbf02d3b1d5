import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcceptQueue, acceptQueueLength, readListeners } from './accept.queue.js';

// Two lines of a real /proc/net/tcp: a listener on 127.0.0.1:18090 (0x46AA) with 512 queued,
// and an established connection whose remote port is 18090 as well.
const TABLE = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:C350 0100007F:46AA 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0',
  '   1: 0100007F:46AA 00000000:0000 0A 00000000:00000200 00:00000000 00000000     0        0 2 1 0',
  '',
].join('\n');

describe('acceptQueueLength', () => {
  it("reads the listening socket's rx_queue, not a connection's with the same remote port", () => {
    expect(acceptQueueLength(TABLE, 18090)).toBe(512);
    expect(acceptQueueLength(TABLE, 50000)).toBeUndefined(); // 0xC350 is not listening
    expect(acceptQueueLength(TABLE, 8080)).toBeUndefined();
  });

  it('reads /proc/net/tcp6 listeners (32-digit addresses)', () => {
    const line = `   0: ${'0'.repeat(32)}:1F90 ${'0'.repeat(32)}:0000 0A 00000000:00000003 00:0 0 0 0 1`;
    expect(acceptQueueLength(line, 8080)).toBe(3);
  });
});

describe('AcceptQueue', () => {
  const queueOf = (lengths: (number | undefined)[]) => {
    const tables = lengths.map((n) =>
      n === undefined ? undefined : TABLE.replace('00000200', n.toString(16).padStart(8, '0')),
    );
    return new AcceptQueue(18090, false, () => tables.shift());
  };
  /** What `count` readings in a row say. */
  const samples = (queue: AcceptQueue, count: number) =>
    Array.from({ length: count }, () => queue.sample());

  it('stands after three non-empty readings that did not shrink', () => {
    expect(samples(queueOf([511, 512, 512, 512]), 4)).toEqual([false, false, true, true]);
  });

  it('does not stand for a few clients waiting: a busy node, not an overload', () => {
    expect(samples(queueOf([3, 5, 15, 15, 31]), 5)).toEqual([false, false, false, false, false]);
    expect(samples(queueOf([15, 32, 40, 40]), 4)).toEqual([false, false, false, true]);
  });

  it('does not stand while a burst drains, nor after an empty or unreadable reading', () => {
    expect(samples(queueOf([900, 600, 300, 100]), 4)).toEqual([false, false, false, false]);
    expect(samples(queueOf([500, 500, 0, 500, 500]), 5)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(samples(queueOf([500, undefined, 500, 500]), 4)).toEqual([false, false, false, false]);
  });

  it("reads the kernel's queue of a real listener that accepts nothing", async () => {
    // A child listens, then stops its thread: the kernel completes the handshakes and queues
    // them, and nobody accepts.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(0, '127.0.0.1', function () {
         console.log(this.address().port);
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);
       });`,
    ]);
    const sockets: Socket[] = [];
    try {
      const port = Number(
        await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(`${d}`))),
      );
      for (let i = 0; i < 40; i++) {
        const socket = connect({ host: '127.0.0.1', port });
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      expect(samples(new AcceptQueue(port, false), 3)).toEqual([false, false, true]);
    } finally {
      for (const socket of sockets) socket.destroy();
      child.kill('SIGKILL');
    }
  });
});

describe('readListeners', () => {
  const [header, connection, listener] = TABLE.split('\n');
  const dir = mkdtempSync(join(tmpdir(), 'accept-queue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a table's listeners and stops at the first connection, however many follow", () => {
    // As the kernel writes it: listening sockets first, then 50,000 connections (~7.5 MB).
    const path = join(dir, 'tcp');
    const table = [header, listener, ...Array.from({ length: 50_000 }, () => connection), ''];
    writeFileSync(path, table.join('\n'));
    const head = readListeners(path)!;
    expect(head.length).toBeLessThanOrEqual(16 * 1024);
    expect(acceptQueueLength(head, 18090)).toBe(512);
  });

  it('reads a table of listeners only to its end, and says undefined for no table', () => {
    const path = join(dir, 'listeners');
    writeFileSync(path, [header, listener, ''].join('\n'));
    expect(acceptQueueLength(readListeners(path)!, 18090)).toBe(512);
    expect(readListeners(join(dir, 'missing'))).toBeUndefined();
  });

  it("finds this process's own listener in the head of the machine's table", async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      expect(acceptQueueLength(readListeners('/proc/net/tcp')!, port)).toBe(0);
    } finally {
      server.close();
    }
  });
});

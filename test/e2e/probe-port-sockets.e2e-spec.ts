/**
 * The probe port's thread (health/probe.worker.ts) holds what a kubelet needs and no more: a
 * connection that sends no request is closed within the headers timeout (5 s; Node's defaults
 * held one 66 s), and past 128 connections new ones are closed at once, so silent sockets cannot
 * take every file descriptor the process has. Once they are gone, probes answer as before.
 */
import { connect, type Socket } from 'node:net';
import { startChild, type Child } from '../support/child-process.js';

const SILENT = 200;
const CAP = 128;

/** A connection that sends nothing; resolves how it ended: closed by the server or not at all. */
function silentSocket(port: number): { socket: Socket; closed: Promise<boolean> } {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<boolean>((resolve) => {
    socket.on('close', () => resolve(true));
    socket.on('error', () => undefined);
  });
  // Read what the server says (its 408): a paused socket never sees the end that follows it.
  socket.resume();
  return { socket, closed };
}

describe('probe port: silent connections are bounded in number and in time', () => {
  let child: Child;

  beforeAll(async () => {
    child = await startChild({});
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
  });

  it(`holds at most ${CAP}, closes the rest at once and every silent one within its timeout`, async () => {
    const port = Number(new URL(child.probeUrl!).port);
    const sockets: ReturnType<typeof silentSocket>[] = [];
    for (let i = 0; i < SILENT; i++) {
      const one = silentSocket(port);
      await new Promise((resolve) => one.socket.once('connect', resolve).once('close', resolve));
      sockets.push(one);
    }
    // Connects complete in the kernel; the thread closes what it accepts past its cap.
    let closedAtOnce = 0;
    const settle = Date.now() + 3_000;
    while (Date.now() < settle) {
      closedAtOnce = sockets.filter((s) => s.socket.destroyed).length;
      if (closedAtOnce >= SILENT - CAP) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(closedAtOnce).toBeGreaterThanOrEqual(SILENT - CAP);
    // The ones it holds are closed by the server too (headers timeout), none kept for good.
    const all = await Promise.race([
      Promise.all(sockets.map((s) => s.closed)),
      new Promise<'still open'>((r) => setTimeout(() => r('still open'), 20_000)),
    ]);
    expect(all).not.toBe('still open');
    const healthz = await fetch(`${child.probeUrl!}/healthz`);
    expect(healthz.status).toBe(200);
  }, 40_000);
});

/**
 * Server CPU per turned-away request, for the three ways a Node listener can turn one away: a
 * 503 after Node parsed it on a kept-alive connection (what admission.listener.ts does), a
 * connection closed at accept (`server.maxConnections`), and a connect to a port that is not
 * listening (what listener.pause.ts does during sustained CPU-bound overload). The figures are
 * the server process's own CPU time (user + system, so the kernel's TCP work it is charged
 * with counts), measured in a child process while this one makes the requests. If the refused
 * connect stops costing far less than the other two, holding connections buys nothing.
 *   npm run build && taskset -c 1 node dist/admission/listener.pause.bench.js
 */
import { fork } from 'node:child_process';
import { createServer, request, Agent } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

type Mode = 'parsed' | 'closed-at-accept' | 'not-listening';
const MODES: Array<[Mode, string]> = [
  ['parsed', '503 after parsing, kept-alive connection'],
  ['closed-at-accept', 'connection closed at accept (maxConnections)'],
  ['not-listening', 'connect refused, port not listening'],
];
const TURNED_AWAY = 10_000;

if (process.argv[2] === 'serve') serve(process.argv[3] as Mode);
else await main();

/** The child: a server in the given mode; reports its port, then its CPU time on request. */
function serve(mode: Mode): void {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
    res.end('{"code":"CONCURRENCY_LIMITED"}');
  });
  if (mode === 'closed-at-accept') server.maxConnections = 1;
  const keepAlive = setInterval(() => {}, 1_000);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    if (mode === 'not-listening') server.close();
    process.send!({ port });
  });
  process.on('message', (message) => {
    if (message === 'start') return void process.send!({ cpu: process.cpuUsage() });
    const usage = process.cpuUsage();
    process.send!({ cpu: usage }, () => {
      clearInterval(keepAlive);
      process.exit(0);
    });
  });
}

async function main(): Promise<void> {
  for (const [mode, label] of MODES) {
    const child = fork(fileURLToPath(import.meta.url), ['serve', mode]);
    const next = () =>
      new Promise<{ port?: number; cpu?: NodeJS.CpuUsage }>((resolve) =>
        child.once('message', resolve as (m: unknown) => void),
      );
    const { port } = await next();
    // One connection held open, so a cap of one turns every further connect away.
    const held = mode === 'closed-at-accept' ? await open(port!) : undefined;
    await turnAway(mode, port!, TURNED_AWAY / 10); // warm-up
    child.send('start');
    const before = (await next()).cpu!;
    await turnAway(mode, port!, TURNED_AWAY);
    child.send('stop');
    const after = (await next()).cpu!;
    held?.destroy();
    const cpuUs = after.user - before.user + (after.system - before.system);
    const ns = Math.round((cpuUs * 1000) / TURNED_AWAY);
    process.stdout.write(`  ${label.padEnd(48)} ${ns} ns/refusal\n`);
  }
}

function open(port: number): Promise<ReturnType<typeof connect>> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
  });
}

/** `count` requests turned away, 20 at a time. */
async function turnAway(mode: Mode, port: number, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      if (mode === 'parsed') await get(agent, port);
      else await refusedConnect(port);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  agent.destroy();
}

function get(agent: Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

function refusedConnect(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
  });
}

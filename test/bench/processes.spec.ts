import { createServer, type Server } from 'node:http';
import { freePort, ROOT } from '../support/child-process.js';
// @ts-expect-error -- plain ESM JavaScript without type declarations
import { listensOn, startServer } from '../../bench/lib/processes.js';

// A bench figure from a server that never started is worse than no figure: startServer must
// throw, with the server's own output, rather than time out quietly or measure someone else.

interface Started {
  url: string;
  stop(): Promise<void>;
}
const start = startServer as (o: {
  name: string;
  args: string[];
  env?: Record<string, string>;
  port: number;
  readyPath?: string;
  readyTimeoutMs?: number;
}) => Promise<Started>;

const node = (script: string): string[] => ['--input-type=module', '-e', script];

describe('bench startServer', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(ROOT));
  afterAll(() => process.chdir(cwd));

  it('resolves once the ready path answers 200 from the server it started', async () => {
    const server = await start({
      name: 'raw-fastify',
      args: ['bench/baseline/hello.js'],
      port: await freePort(),
    });
    try {
      expect((await fetch(`${server.url}/hello`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('throws with the exit status and the output when the server exits first', async () => {
    const failing = start({
      name: 'broken',
      args: node(
        `console.log('listening soon'); console.error('bad config: PORT'); process.exit(78);`,
      ),
      port: await freePort(),
    });
    await expect(failing).rejects.toThrow(/broken: exited \(78\)[\s\S]*bad config: PORT/);
  });

  it('throws, naming the last answer, when the server is never ready', async () => {
    const port = await freePort();
    const failing = start({
      name: 'stuck',
      args: node(
        `import http from 'node:http';
         http.createServer((q, s) => { s.statusCode = 503; s.end(); }).listen(${port}, '127.0.0.1');
         console.log('starting forever');`,
      ),
      port,
      // Long enough for a child to start on a busy machine (a CI run's took over 1 s and was
      // refused before it listened); the test waits all of it.
      readyTimeoutMs: 5_000,
    });
    await expect(failing).rejects.toThrow(
      /stuck: \/hello not 200 after 5000 ms \(last: HTTP 503\)[\s\S]*starting forever/,
    );
  });

  it('throws when another process answers on the port the server could not bind', async () => {
    const squatter: Server = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      // The baseline fails with EADDRINUSE; the squatter answers 200 meanwhile.
      const failing = start({ name: 'raw-fastify', args: ['bench/baseline/hello.js'], port });
      await expect(failing).rejects.toThrow(
        /raw-fastify: (exited|port \d+ answered, but another process holds it)/,
      );
      expect(listensOn(process.pid, port)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});

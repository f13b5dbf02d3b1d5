import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { listenLocal } from './listen-local.js';

// Every stand-in server of the e2e specs (backends, proxies, OTLP receivers) starts through
// listenLocal: its URL is where the service under test is pointed.

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('listenLocal', () => {
  it('resolves with the bound port on 127.0.0.1 and its URL, which answers', async () => {
    const server = createHttpServer((_req, res) => res.end('here'));
    const { port, url } = await listenLocal(server);
    try {
      const address = server.address();
      expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
      expect(typeof address === 'object' && address?.port).toBe(port);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(url)).text()).toBe('here');
    } finally {
      await close(server);
    }
  });

  it('rejects when the listen fails, and leaves later errors to the server', async () => {
    const taken = createServer();
    const { port } = await listenLocal(taken);
    const second = createServer();
    // listenLocal asks for port 0, which the kernel never refuses here; this server asks for
    // the port `taken` holds instead, so the kernel's refusal is real.
    const listen = second.listen.bind(second);
    second.listen = ((_port: number, host: string, cb: () => void) =>
      listen(port, host, cb)) as typeof second.listen;
    try {
      await expect(listenLocal(second)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(second.listenerCount('error')).toBe(0);
      expect(taken.listenerCount('error')).toBe(0);
    } finally {
      await close(taken);
    }
  });
});

import type { Server } from 'node:net';

/** Where a test server listens: its port on 127.0.0.1, and `http://127.0.0.1:<port>`. */
export interface LocalAddress {
  port: number;
  url: string;
}

/**
 * Listens on a port the kernel picks on 127.0.0.1 (an http.Server is a net.Server too) and
 * resolves once the server is listening. A failed listen (EADDRINUSE, EMFILE on a loaded
 * machine) rejects, where a bare `listen(0, host, resolve)` left the test waiting for its hook
 * timeout; the one-shot error listener is removed once listening, so later errors stay the
 * server's own.
 */
export function listenLocal(server: Server): Promise<LocalAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (typeof address !== 'object' || !address) {
        reject(new Error(`listening on ${String(address)}, not a TCP port`));
        return;
      }
      resolve({ port: address.port, url: `http://127.0.0.1:${address.port}` });
    });
  });
}

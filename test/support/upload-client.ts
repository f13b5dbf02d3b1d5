import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One 64 KiB chunk of a chunked body. */
export const CHUNK = (() => {
  const data = Buffer.alloc(64 * 1024, 'a');
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
})();

/** 64 KiB of a body framed by Content-Length. */
export const PLAIN = Buffer.alloc(64 * 1024, 'a');

export interface Upload {
  /** Everything the client read. */
  text: string;
  /** The error its socket met, if any (EPIPE, ECONNRESET: the server reset the connection). */
  error?: string;
}

/**
 * A client that sends its headers, waits, then uploads `bytes` of body in `piece`s as fast as
 * its socket takes them, ends with `tail`, and reads only once it has sent them all, as a client
 * that writes its whole request before reading its answer does (or one that sends its body
 * without waiting for the `100 Continue` it asked for, which RFC 9110 §10.1.1 allows).
 */
export function uploadThenRead(
  port: number,
  head: string,
  bytes: number,
  body: { piece: Buffer; tail: string } = { piece: CHUNK, tail: '0\r\n\r\n' },
): Promise<Upload> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const upload: Upload = { text: '' };
    socket.on('error', (error: NodeJS.ErrnoException) => (upload.error ??= error.code));
    socket.on('close', () => resolve(upload));
    socket.write(head);
    void (async () => {
      await sleep(50);
      for (let sent = 0; sent < bytes && !socket.destroyed; sent += body.piece.length) {
        if (!socket.write(body.piece)) await waitForDrain(socket);
      }
      if (socket.destroyed) return;
      socket.on('data', (chunk: Buffer) => (upload.text += chunk.toString('latin1')));
      socket.end(body.tail);
    })();
  });
}

export const waitForDrain = (socket: Socket) =>
  new Promise<void>((resolve) => {
    socket.once('drain', resolve);
    socket.once('close', resolve);
  });

/** The answer's status, headers and body, and whether the body is all there. */
export function answerOf(text: string) {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, Math.max(end, 0)).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = text.slice(end + 4);
  return {
    status: Number(statusLine.split(' ')[1]),
    connection: headers.connection,
    type: headers['content-type'],
    complete: end !== -1 && Buffer.byteLength(body) === Number(headers['content-length']),
    code: end !== -1 && body.startsWith('{') ? (JSON.parse(body) as { code: string }).code : '',
  };
}

import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased header names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after this answer. */
  closed: boolean;
}

interface Parsed extends Omit<RawResponse, 'closed'> {
  complete: boolean;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection and reads one HTTP/1.1 answer.
 * An HTTP client would normalise a malformed request away (duplicate Host, obs-fold, both
 * Content-Length and Transfer-Encoding); this does not. Resolves when the answer's body is
 * complete and the server has either closed the socket or kept it open for `lingerMs`; an answer
 * to HEAD has no body (`head: true`). `later` is sent `afterMs` after the request, or once `after`
 * resolves (a body that arrives in a later packet than its headers).
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  {
    lingerMs = 300,
    head = false,
    later,
  }: {
    lingerMs?: number;
    head?: boolean;
    later?: { data: string | Buffer } & ({ afterMs: number } | { after: Promise<unknown> });
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let parsed: Parsed | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (parsed) {
        const { status, headers, body } = parsed;
        resolve({ status, headers, body, closed });
      } else {
        reject(new Error(`no answer; got: ${JSON.stringify(data.toString('latin1'))}`));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      parsed = parse(data, head);
      if (parsed?.complete) setTimeout(() => finish(false), lingerMs).unref();
    });
    socket.on('close', () => finish(true));
    // A reset after the answer was read still counts as a close.
    socket.on('error', () => finish(true));
    socket.write(request);
    if (later) {
      const send = () => void (settled || socket.write(later.data));
      if ('after' in later) void later.after.then(send);
      else setTimeout(send, later.afterMs);
    }
  });
}

function parse(data: Buffer, head: boolean): Parsed | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = head ? 0 : Number(headers['content-length'] ?? 0);
  const body = data.subarray(end + 4, end + 4 + length);
  return {
    status: Number(statusLine?.split(' ')[1]),
    headers,
    body: body.toString('utf8'),
    complete: body.length >= length,
  };
}

/**
 * Everything the server writes on one connection, as latin1 text, until it closes it or `waitMs`
 * pass without a byte: several answers to pipelined requests, or a `100 Continue` before a final
 * status. `until` ends it as soon as the text holds what the caller waits for (a connection the
 * server keeps open), instead of on a quiet spell a busy machine can stretch.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  { waitMs = 2_000, until }: { waitMs?: number; until?: (text: string) => boolean } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = true;
    const done = () => resolve({ text, closed });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until?.(text)) {
        closed = false;
        socket.destroy();
      }
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.setTimeout(waitMs, () => {
      closed = false;
      socket.destroy();
    });
    socket.write(request);
  });
}

/** The status of each answer in `text`, in order (a status line may follow a body directly). */
export const statusesOf = (text: string): number[] =>
  [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

import { Readable } from 'node:stream';

/**
 * A response body dribbled out `chunkBytes` at a time, `intervalMs` apart: what a client meets
 * behind a slow upstream or a congested link. Without a Content-Length the answer goes out with
 * chunked transfer encoding, one chunk per write. Destroying the stream (the client left)
 * clears its timer.
 *
 * When any of `hurry` aborts (the fault was stopped, the request's deadline passed) the rest goes
 * out at once, in one chunk: a body in progress holds its request's admission slot, so a dribble
 * at 1 byte a minute held its slot for the better part of an hour, and stopping the fault freed
 * none of them.
 */
export function slowBody(
  payload: Buffer,
  chunkBytes: number,
  intervalMs: number,
  hurry: readonly AbortSignal[] = [],
): Readable {
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  let hurried = hurry.some((signal) => signal.aborted);
  const stream = new Readable({
    // One timer at a time: the stream asks again (read) after each push while it wants more.
    read() {
      if (timer) return;
      if (hurried) return pushRest();
      if (offset >= payload.length) return finish();
      // The first chunk goes at once, with the headers; each later one waits its interval.
      timer = setTimeout(
        () => {
          timer = undefined;
          const chunk = payload.subarray(offset, offset + chunkBytes);
          offset += chunk.length;
          stream.push(chunk);
          if (offset >= payload.length) finish();
        },
        offset === 0 ? 0 : intervalMs,
      );
    },
    destroy(error, callback) {
      end();
      callback(error);
    },
  });
  const pushRest = (): void => {
    if (offset < payload.length) stream.push(payload.subarray(offset));
    offset = payload.length;
    finish();
  };
  const finish = (): void => {
    stream.push(null);
    end();
  };
  // A pending interval is cut short; otherwise the next read() pushes the rest.
  const onHurry = (): void => {
    hurried = true;
    if (!timer) return;
    clearTimeout(timer);
    timer = undefined;
    pushRest();
  };
  const end = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const signal of hurry) signal.removeEventListener('abort', onHurry);
  };
  if (!hurried) for (const signal of hurry) signal.addEventListener('abort', onHurry);
  return stream;
}

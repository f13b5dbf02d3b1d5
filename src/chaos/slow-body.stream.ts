import { Readable } from 'node:stream';

/**
 * A response body dribbled out `chunkBytes` at a time, `intervalMs` apart: what a client meets
 * behind a slow upstream or a congested link. Without a Content-Length the answer goes out with
 * chunked transfer encoding, one chunk per write. Destroying the stream (the client left)
 * clears its timer.
 */
export function slowBody(payload: Buffer, chunkBytes: number, intervalMs: number): Readable {
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Readable({
    // One timer at a time: the stream asks again (read) after each push while it wants more.
    read() {
      if (timer) return;
      if (offset >= payload.length) {
        this.push(null);
        return;
      }
      // The first chunk goes at once, with the headers; each later one waits its interval.
      timer = setTimeout(
        () => {
          timer = undefined;
          const chunk = payload.subarray(offset, offset + chunkBytes);
          offset += chunk.length;
          this.push(chunk);
          if (offset >= payload.length) this.push(null);
        },
        offset === 0 ? 0 : intervalMs,
      );
    },
    destroy(error, callback) {
      if (timer) clearTimeout(timer);
      callback(error);
    },
  });
}

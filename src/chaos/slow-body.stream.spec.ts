import { slowBody } from './slow-body.stream.js';

describe('slowBody', () => {
  it('yields the payload in chunkBytes pieces, each after the previous one, and ends', async () => {
    const payload = Buffer.from('0123456789abcdefghij'); // 20 bytes: 7 + 7 + 6
    const pieces: string[] = [];
    for await (const chunk of slowBody(payload, 7, 1)) pieces.push((chunk as Buffer).toString());
    expect(pieces).toEqual(['0123456', '789abcd', 'efghij']);
  });

  it('an empty payload ends at once', async () => {
    const pieces: unknown[] = [];
    for await (const chunk of slowBody(Buffer.alloc(0), 4, 1)) pieces.push(chunk);
    expect(pieces).toEqual([]);
  });

  it('destroying it (the client left) stops the dribble: no chunk after destroy', async () => {
    const stream = slowBody(Buffer.alloc(100, 1), 1, 5);
    let after = 0;
    let destroyed = false;
    stream.on('data', () => {
      if (destroyed) after++;
      else {
        destroyed = true;
        stream.destroy();
      }
    });
    await new Promise((resolve) => stream.once('close', resolve));
    await new Promise((r) => setTimeout(r, 30)); // several intervals
    expect(after).toBe(0);
  });

  it('a hurry signal (fault stopped, deadline passed) sends the rest at once, in one chunk', async () => {
    const hurry = new AbortController();
    // A minute between chunks: only the abort can end this within the test.
    const stream = slowBody(Buffer.from('abcdef'), 2, 60_000, [
      new AbortController().signal,
      hurry.signal,
    ]);
    const pieces: string[] = [];
    stream.on('data', (chunk: Buffer) => {
      pieces.push(chunk.toString());
      if (pieces.length === 1) hurry.abort();
    });
    await new Promise((resolve) => stream.once('end', resolve));
    expect(pieces).toEqual(['ab', 'cdef']);
  });

  it('a signal already aborted sends the whole payload at once', async () => {
    const pieces: string[] = [];
    for await (const chunk of slowBody(Buffer.from('abcdef'), 1, 60_000, [AbortSignal.abort()])) {
      pieces.push((chunk as Buffer).toString());
    }
    expect(pieces).toEqual(['abcdef']);
  });
});

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
});

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { clientText } from './client-text.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// One full collection per reading: each walks jest's whole heap (seconds in a long run), and the
// strings measured here are unreachable or held, nothing a second pass would settle.
function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** A 12 KB header value of its own, as the HTTP parser makes one per request. */
const header = (i: number) => `agent-${i}-`.padEnd(12 * 1024, 'x');

describe('clientText', () => {
  it('keeps a short value as it is, and cuts a long one to the limit', () => {
    const value = 'curl/8.5.0';
    expect(clientText(value, 1024)).toBe(value);
    expect(clientText(header(1), 1024)).toBe(header(1).slice(0, 1024));
    expect(clientText('/api/items?x=1'.slice(0, 10), 1024, false)).toBe('/api/items');
  });

  it('holds only what it shows: 2,000 cuts of 12 KB headers keep ~2 MB, not ~24 MB', () => {
    const kept: string[] = [];
    const before = heapAfterGc();
    for (let i = 0; i < 2_000; i++) kept.push(clientText(header(i), 1024));
    const grown = heapAfterGc() - before;
    expect(kept).toHaveLength(2_000);
    // 2,000 x 1 KB of text; the headers themselves (2,000 x 12 KB) would be 24 MB.
    expect(grown).toBeLessThan(2_000 * 3 * 1024);
  });

  it('holds only what it shows for a cut made before it (a path sliced off its query)', () => {
    const kept: string[] = [];
    const before = heapAfterGc();
    for (let i = 0; i < 2_000; i++) {
      const url = `/api/items/${i}?q=`.padEnd(12 * 1024, 'y');
      kept.push(clientText(url.slice(0, url.indexOf('?')), 1024, false));
    }
    const grown = heapAfterGc() - before;
    expect(kept[7]).toBe('/api/items/7');
    expect(grown).toBeLessThan(2_000 * 3 * 1024);
  });
});

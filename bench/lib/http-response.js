// The minimal HTTP/1.1 response reader of the raw-socket load generators (open-loop.js,
// increments.js): enough for rampart's answers (content-length framed, no chunking), and far
// cheaper per response than a full client, which on this two-core machine would compete with
// the server it measures.

/**
 * The first complete response in `buffer`, or undefined while it is still arriving.
 * `rest` is what follows it (the next response's first bytes, if any).
 * @param {Buffer} buffer
 * @returns {{ status: number, body: Buffer, close: boolean, rest: Buffer } | undefined}
 */
export function takeResponse(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buffer.subarray(0, end).toString('latin1');
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  if (buffer.length < end + 4 + length) return undefined;
  return {
    status: Number(head.slice(9, 12)),
    body: buffer.subarray(end + 4, end + 4 + length),
    close: /\r\nconnection:\s*close/i.test(head),
    rest: buffer.subarray(end + 4 + length),
  };
}

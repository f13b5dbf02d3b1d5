import { methodNotImplementedDetail, unknownMethod } from './unknown-method.js';

/** What Node's 'clientError' carries for a method llhttp refused at `at` in `packet`. */
const refused = (packet: string, at: number) => ({
  code: 'HPE_INVALID_METHOD',
  rawPacket: Buffer.from(packet, 'latin1'),
  bytesParsed: at,
});

describe('unknownMethod: the method of the request line the parser refused, if it is one', () => {
  it.each([
    ['get / HTTP/1.1\r\n\r\n', 0, 'get'],
    ['GETX / HTTP/1.1\r\n\r\n', 3, 'GETX'],
    // Pipelined behind a request it parsed: the line it stopped in, not the packet's first.
    ['GET / HTTP/1.1\r\n\r\nFOO / HTTP/1.1\r\n\r\n', 20, 'FOO'],
    // Empty lines before a request line are skipped by the parser, and here.
    ['\r\nBREW /pot HTTP/1.1\r\n\r\n', 3, 'BREW'],
  ])('%j (stopped at %d) → %s', (packet, at, method) => {
    expect(unknownMethod(refused(packet, at))).toBe(method);
  });

  it.each([
    ['a TLS hello', '\x16\x03\x01\x02\x00', 0],
    ['a tab for the space', 'GET\t/ HTTP/1.1\r\n\r\n', 3],
    ['a space first', ' GET / HTTP/1.1\r\n\r\n', 0],
    ['no space in the packet yet', 'FO', 1],
    ['garbage after a parsed request', 'GET / HTTP/1.1\r\n\r\n\x01X / HTTP/1.1\r\n\r\n', 18],
  ])('%s → undefined (a 400, not a 501)', (_name, packet, at) => {
    expect(unknownMethod(refused(packet, at))).toBeUndefined();
  });

  it('reads only the parser’s method error, with its packet', () => {
    expect(unknownMethod({ ...refused('get / ', 0), code: 'HPE_INVALID_URL' })).toBeUndefined();
    expect(unknownMethod({ code: 'HPE_INVALID_METHOD' })).toBeUndefined();
  });
});

describe('methodNotImplementedDetail', () => {
  it('names the method meant when only its case is wrong', () => {
    expect(methodNotImplementedDetail('get')).toBe(
      'get is not implemented here (methods are case-sensitive: send GET).',
    );
    expect(methodNotImplementedDetail('FOO')).toBe('FOO is not implemented here.');
  });

  it('cuts a long method', () => {
    expect(methodNotImplementedDetail('X'.repeat(1_000))).toBe(
      `${'X'.repeat(40)}… is not implemented here.`,
    );
  });
});

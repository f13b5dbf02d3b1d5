import type { Socket } from 'node:net';
import {
  LONGEST_METHOD_READ,
  methodNotImplementedDetail,
  RefusedMethodReader,
} from './unknown-method.js';

/** What Node's 'clientError' carries for a method llhttp refused at `at` in `packet`. */
const refused = (packet: string, at = 0) => ({
  code: 'HPE_INVALID_METHOD',
  rawPacket: Buffer.from(packet, 'latin1'),
  bytesParsed: at,
});

/** A connection that has read `bytesRead` bytes (the packets so far) and written nothing. */
const connection = (bytesRead: number, bytesWritten = 0) =>
  ({ bytesRead, bytesWritten }) as unknown as Socket;

/** One packet, the connection's first, read alone. */
const readOne = (packet: string, at: number) =>
  new RefusedMethodReader().read(refused(packet, at), connection(packet.length));

describe('RefusedMethodReader: the method of the request line the parser refused, if it is one', () => {
  it.each([
    ['get / HTTP/1.1\r\n\r\n', 0, 'get'],
    ['GETX / HTTP/1.1\r\n\r\n', 3, 'GETX'],
    // Pipelined behind a request it parsed: the line it stopped in, not the packet's first.
    ['GET / HTTP/1.1\r\n\r\nFOO / HTTP/1.1\r\n\r\n', 20, 'FOO'],
    // Empty lines before a request line are skipped by the parser, and here.
    ['\r\nBREW /pot HTTP/1.1\r\n\r\n', 3, 'BREW'],
  ])('%j (stopped at %d) → %s', (packet, at, method) => {
    expect(readOne(packet, at)).toEqual({ kind: 'method', method, partial: false });
  });

  it.each([
    ['a TLS hello', '\x16\x03\x01\x02\x00', 0],
    ['a tab for the space', 'GET\t/ HTTP/1.1\r\n\r\n', 3],
    ['a space first', ' GET / HTTP/1.1\r\n\r\n', 0],
    ['garbage after a parsed request', 'GET / HTTP/1.1\r\n\r\n\x01X / HTTP/1.1\r\n\r\n', 18],
  ])('%s → not a method (a 400, not a 501)', (_name, packet, at) => {
    expect(readOne(packet, at)).toEqual({ kind: 'not-a-method' });
  });

  it('reads only the parser’s method error, with its packet', () => {
    const reader = new RefusedMethodReader();
    const socket = connection(6);
    expect(reader.read({ ...refused('get / ', 0), code: 'HPE_INVALID_URL' }, socket)).toBe(
      undefined,
    );
    expect(reader.read({ code: 'HPE_INVALID_METHOD' }, socket)).toBeUndefined();
  });

  // The parser stays failed and reports each later packet again, with the stale position.
  it('reads a method whose end is in a later packet on in it, as in one packet', () => {
    const reader = new RefusedMethodReader();
    const socket = connection(2);
    expect(reader.read(refused('BR', 1), socket)).toEqual({ kind: 'unfinished' });
    Object.assign(socket, { bytesRead: 4 });
    expect(reader.read(refused('EW', 1), socket)).toEqual({ kind: 'unfinished' });
    Object.assign(socket, { bytesRead: 20 });
    expect(reader.read(refused(' /pot HTTP/1.1\r\n', 1), socket)).toEqual({
      kind: 'method',
      method: 'BREW',
      partial: false,
    });
  });

  it('a later packet that breaks the token makes it no method', () => {
    const reader = new RefusedMethodReader();
    const socket = connection(2);
    expect(reader.read(refused('FO', 1), socket)).toEqual({ kind: 'unfinished' });
    expect(reader.read(refused('O\t/ HTTP/1.1\r\n', 1), socket)).toEqual({ kind: 'not-a-method' });
  });

  it('keeps each connection’s unfinished method apart', () => {
    const reader = new RefusedMethodReader();
    const [a, b] = [connection(2), connection(3)];
    expect(reader.read(refused('BR', 1), a)).toEqual({ kind: 'unfinished' });
    expect(reader.read(refused('get', 0), b)).toEqual({ kind: 'unfinished' });
    expect(reader.read(refused(' / HTTP/1.1\r\n'), b)).toMatchObject({ method: 'get' });
    expect(reader.read(refused('EW / HTTP/1.1\r\n'), a)).toMatchObject({ method: 'BREW' });
  });

  // The bytes before the packet were taken by the parser: `F` of `FOO`, refused at the `O`.
  it('a method refused on its packet’s first line, bytes read before it and nothing answered → partial', () => {
    const reader = new RefusedMethodReader();
    expect(reader.read(refused('OO / HTTP/1.1\r\n\r\n'), connection(19))).toEqual({
      kind: 'method',
      method: 'OO',
      partial: true,
    });
    // A space at once: the method was all before it.
    expect(reader.read(refused(' / HTTP/1.1\r\n\r\n'), connection(17))).toEqual({
      kind: 'method',
      method: '',
      partial: true,
    });
  });

  it('after an answer, bytes before the packet were an earlier request: not partial', () => {
    const reader = new RefusedMethodReader();
    expect(reader.read(refused('FOO / HTTP/1.1\r\n\r\n'), connection(60, 200))).toEqual({
      kind: 'method',
      method: 'FOO',
      partial: false,
    });
  });

  it('a method of 5,000 characters across two packets keeps enough of it to be cut', () => {
    const method = 'ABCDEFGHIJ'.repeat(500);
    const reader = new RefusedMethodReader();
    const socket = connection(3_000);
    expect(reader.read(refused(method.slice(0, 3_000)), socket)).toEqual({ kind: 'unfinished' });
    const reading = reader.read(refused(`${method.slice(3_000)} / HTTP/1.1\r\n\r\n`), socket);
    expect(reading).toEqual({ kind: 'method', method: method.slice(0, 201), partial: false });
  });

  it('a method past the header limit → too long, across packets too', () => {
    const long = 'X'.repeat(LONGEST_METHOD_READ + 1);
    expect(readOne(`${long} / HTTP/1.1\r\n\r\n`, 0)).toEqual({ kind: 'too-long' });
    const reader = new RefusedMethodReader();
    const socket = connection(LONGEST_METHOD_READ);
    const half = 'X'.repeat(LONGEST_METHOD_READ);
    expect(reader.read(refused(half), socket)).toEqual({ kind: 'unfinished' });
    expect(reader.read(refused('X /'), socket)).toEqual({ kind: 'too-long' });
  });
});

describe('methodNotImplementedDetail', () => {
  it('names the method meant when only its case is wrong', () => {
    expect(methodNotImplementedDetail('get')).toBe(
      'get is not implemented here (methods are case-sensitive: send GET).',
    );
    expect(methodNotImplementedDetail('FOO')).toBe('FOO is not implemented here.');
  });

  // The one rule for the client's text (errors/client-text.ts): a method was cut at 40.
  it('a method of 5,000 characters → its first 200, then …', () => {
    const method = 'ABCDEFGHIJ'.repeat(500);
    expect(methodNotImplementedDetail(method)).toBe(
      `${method.slice(0, 200)}… is not implemented here.`,
    );
    expect(methodNotImplementedDetail(method.slice(0, 200))).toBe(
      `${method.slice(0, 200)} is not implemented here.`,
    );
  });

  it('says a partial method is one, with no guess at its case', () => {
    expect(methodNotImplementedDetail('et', true)).toBe('The method …et is not implemented here.');
  });
});

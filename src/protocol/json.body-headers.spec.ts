import type { AppError } from '../errors/app.error.js';
import { jsonHeadersProblem, repeatedTypeProblem, unsupportedType } from './json.body-headers.js';

/** A request as the parsers see its headers: `lines` as sent, the first of each name kept. */
function request(lines: [string, string][], method = 'POST') {
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) headers[name.toLowerCase()] ??= value;
  return { headers, method, raw: { rawHeaders: lines.flat() } };
}

/** What a refusal answers: status, code, detail and the headers it sets. */
function said(error: Error | undefined) {
  if (error === undefined) return undefined;
  const { status, code, message, headers } = error as AppError;
  return { status, code, detail: message, headers };
}

describe('jsonHeadersProblem: what a JSON body must declare before it is read', () => {
  it.each([
    [[['Content-Type', 'application/json']]],
    [[['content-type', 'Application/JSON; charset=UTF-8']]],
    [[['content-type', 'application/json; charset="utf-8"']]],
    [
      [
        ['content-type', 'application/json'],
        ['content-encoding', 'identity'],
      ],
    ],
    [
      [
        ['content-type', 'application/json'],
        ['content-encoding', ' '],
      ],
    ],
  ] as [string, string][][][])('takes %j', (lines) => {
    expect(jsonHeadersProblem(request(lines))).toBeUndefined();
  });

  it('refuses two Content-Type lines, in either order, first', () => {
    for (const types of [
      ['application/json', 'text/plain'],
      ['text/plain', 'application/json'],
    ]) {
      const lines = types.map((type): [string, string] => ['Content-Type', type]);
      lines.push(['content-encoding', 'gzip']);
      expect(said(jsonHeadersProblem(request(lines)))).toMatchObject({
        status: 400,
        detail: 'More than one Content-Type header.',
      });
      expect(said(repeatedTypeProblem(request(lines)))).toMatchObject({ status: 400 });
    }
  });

  it('refuses a content coding with 415 and Accept-Encoding: identity', () => {
    const lines: [string, string][] = [
      ['content-type', 'application/json'],
      ['content-encoding', 'GZIP'],
    ];
    expect(said(jsonHeadersProblem(request(lines)))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Content-Encoding GZIP is not accepted; send it unencoded.',
      headers: { 'accept-encoding': 'identity' },
    });
  });

  it.each([
    ['application/json; charset=latin1', 'charset latin1 is not accepted; use utf-8.'],
    ['application/json; charset=""', 'an empty charset is not accepted; use utf-8.'],
    [
      'application/json; charset=utf-8; charset=latin1',
      'charset is given more than once; use utf-8.',
    ],
    [
      'application/json; charset=utf-8; CHARSET=utf-8',
      'charset is given more than once; use utf-8.',
    ],
  ])('refuses %j with 415: %s', (type, detail) => {
    expect(said(jsonHeadersProblem(request([['content-type', type]], 'PATCH')))).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail,
      headers: { accept: 'application/json', 'accept-patch': 'application/json' },
    });
  });
});

describe('unsupportedType: a body that is not JSON', () => {
  it('names the type sent, or its absence, and says what to send', () => {
    expect(said(unsupportedType(request([['content-type', 'text/plain']])))).toMatchObject({
      status: 415,
      detail: 'Content-Type text/plain is not accepted; send Content-Type: application/json.',
    });
    expect(said(unsupportedType(request([])))).toMatchObject({
      status: 415,
      detail: 'The request has a body but no Content-Type; send Content-Type: application/json.',
    });
  });
});

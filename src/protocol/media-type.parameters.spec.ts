import { parametersOf } from './media-type.parameters.js';

describe('parametersOf', () => {
  it.each([
    ['application/json', []],
    ['application/json; charset=UTF-8', [['charset', 'UTF-8']]],
    ['application/json;CHARSET = "utf-8" ;', [['charset', 'utf-8']]],
    ['application/json; charset=""', [['charset', '']]],
    ['application/json; charset', []],
    // A `;` inside a quoted value is part of it, not the start of a parameter.
    ['application/json; profile="a;charset=latin1"', [['profile', 'a;charset=latin1']]],
    [
      'application/json; a="x;y"; charset=utf-8',
      [
        ['a', 'x;y'],
        ['charset', 'utf-8'],
      ],
    ],
    // A quoted-pair stands for the octet it escapes (RFC 9110 §5.6.4).
    ['application/json; charset="utf\\-8"', [['charset', 'utf-8']]],
    ['application/json; a="say \\"hi\\""', [['a', 'say "hi"']]],
    // Not quoted-strings: kept as written, so nothing takes them for a valid value.
    ['application/json; charset="utf-8', [['charset', '"utf-8']]],
    ['application/json; charset="utf-8"x', [['charset', '"utf-8"x']]],
  ])('%s', (header, expected) => {
    expect(parametersOf(header)).toEqual(expected);
  });
});

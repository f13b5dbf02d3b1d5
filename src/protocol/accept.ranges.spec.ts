import { acceptRanges, preference, specificity, type MediaType } from './accept.ranges.js';

const PAGE: MediaType = {
  type: 'text',
  subtype: 'html',
  parameters: new Map([['charset', 'utf-8']]),
};

describe('acceptRanges: the media ranges of an Accept field (RFC 9110 §12.5.1)', () => {
  it('reads type, subtype and parameters, lower-cased, quoted values unquoted, q apart', () => {
    expect(acceptRanges('Text/HTML ; Level="1,\\"2" ;Q=0.5, */*')).toEqual([
      { type: 'text', subtype: 'html', parameters: [['level', '1,"2']], weight: 0.5 },
      { type: '*', subtype: '*', parameters: [], weight: 1 },
    ]);
  });

  it.each([
    [
      'a q that is no qvalue',
      'text/html;q=1.5, text/html;q=abc, text/html;q=.5, text/html;q=0.5000',
    ],
    ['a q above 1, a signed or quoted one', 'text/html;q=1.001, text/html;q=+1, text/html;q="1"'],
    ['a range that is no type/subtype', 'text, text/, /html, */html, text/html/x, te xt/html'],
    ['a parameter that is no name=value', 'text/html;level, text/html;level =1, text/html;a=b c'],
  ])('leaves out %s', (_what, field) => {
    expect(acceptRanges(`${field}, application/json`)).toEqual([
      { type: 'application', subtype: 'json', parameters: [], weight: 1 },
    ]);
  });

  it('takes each qvalue of the grammar, empty elements and parameters too', () => {
    const weights = acceptRanges(
      'a/a;q=0, a/b;q=0., a/c;q=0.123, a/d;q=1., a/e;q=1.000,, a/f;;',
    ).map((r) => r.weight);
    expect(weights).toEqual([0, 0, 0.123, 1, 1, 1]);
  });

  it('reads a quote left open to the end of the field, as one range that is none', () => {
    expect(acceptRanges('text/html;a="b, application/json')).toEqual([]);
  });

  it('ignores what follows q (RFC 7231 accept-ext)', () => {
    expect(acceptRanges('text/html;q=0.5;ext=1')).toEqual([
      { type: 'text', subtype: 'html', parameters: [], weight: 0.5 },
    ]);
  });
});

describe('preference: the weight of the most specific range that matches', () => {
  const weigh = (field: string) => preference(acceptRanges(field), PAGE).weight;

  it.each([
    ['text/*;q=0.3, */*;q=0.1', 0.3],
    ['text/html;q=0.7, text/*;q=0.3', 0.7],
    ['text/html, text/html;charset=utf-8;q=0.2', 0.2],
    ['text/html;charset=UTF-8;q=0.4', 0.4],
    ['text/html;charset=latin1, */*;q=0.1', 0.1],
    ['text/html;level=1', 0],
    ['text/html;q=0.6, text/html;q=0.9', 0.6],
    ['application/json', 0],
  ])('%s weighs a UTF-8 page %s', (field, weight) => {
    expect(weigh(field)).toBe(weight);
  });

  it('ranks */* below type/*, below type/subtype, below one with parameters', () => {
    const [any, text, html, utf8] = acceptRanges('*/*, text/*, text/html, text/html;charset=utf-8');
    expect(specificity(any!)).toBeLessThan(specificity(text!));
    expect(specificity(text!)).toBeLessThan(specificity(html!));
    expect(specificity(html!)).toBeLessThan(specificity(utf8!));
  });
});

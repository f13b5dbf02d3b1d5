import { prefersHtml } from './home.accept.js';

describe('prefersHtml: the type of the highest weight (RFC 9110 §12.5.1), the page on a tie', () => {
  // Changed by RFC 9110 §12.5.1 read whole: text/* matches the page, a range's parameters must
  // match it (the page has no level), and q=7 is no qvalue, so its range is not counted.
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['Text/Html', true],
    ['application/json, text/html;level=1', false],
    ['application/json;q=0.8, text/html;q=0.8', true],
    ['application/json;q=0.2, */*, text/html;q=0.3', true],
    ['text/html;q=0.5', true],
    ['image/png, text/html;q=0.1', true],
    ['text/html, application/json;q=x', true],
    ['text/html;q=0.5, application/json;q=7', true],
    ['text/html;q=7, application/json;q=0.5', false],
    ['application/json, text/html;q=0.9', false],
    ['application/json;q=0.5, text/html;q=0.1', false],
    ['text/html;q=0.4, application/*;q=0.5', false],
    ['text/html;q=0, application/json', false],
    ['TEXT/HTML ; Q=0.000, */*', false],
    ['text/html;q=x', false],
    ['*/*', false],
    ['text/*', true],
    ['text/*, application/json', false],
    ['application/*, text/html', true],
    ['text/*;q=0.9, text/html;q=0.1, application/json;q=0.5', false],
    ['text/html;charset=UTF-8', true],
    ['text/html;charset=latin1', false],
    ['image/png', false],
    ['', false],
  ])('%s → page: %s', (accept, page) => {
    expect(prefersHtml(accept)).toBe(page);
  });
});

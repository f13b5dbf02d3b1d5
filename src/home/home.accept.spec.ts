import { prefersHtml } from './home.accept.js';

describe('prefersHtml: the type of the highest weight (RFC 9110 §12.5.1), the page on a tie', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['Text/Html', true],
    ['application/json, text/html;level=1', true],
    ['application/json;q=0.8, text/html;q=0.8', true],
    ['application/json;q=0.2, */*, text/html;q=0.3', true],
    ['text/html;q=0.5', true],
    ['image/png, text/html;q=0.1', true],
    ['text/html, application/json;q=x', true],
    ['text/html;q=0.5, application/json;q=7', false],
    ['application/json, text/html;q=0.9', false],
    ['application/json;q=0.5, text/html;q=0.1', false],
    ['text/html;q=0.4, application/*;q=0.5', false],
    ['text/html;q=0, application/json', false],
    ['TEXT/HTML ; Q=0.000, */*', false],
    ['text/html;q=x', false],
    ['*/*', false],
    ['text/*', false],
    ['image/png', false],
    ['', false],
  ])('%s → page: %s', (accept, page) => {
    expect(prefersHtml(accept)).toBe(page);
  });
});

import { targetProblem, withEmptyPathAsSlash } from './request-target.js';

describe('withEmptyPathAsSlash: an absolute-form target with an empty path is `/`', () => {
  it.each([
    ['http://x?a/hello', '/?a/hello'],
    ['https://x:8443?q=1', '/?q=1'],
    ['HTTP://x', '/'],
    ['http://[::1]?a', '/?a'],
  ])('%s → %s', (target, origin) => {
    expect(withEmptyPathAsSlash(target)).toBe(origin);
  });

  // A path, or a target the protocol checks refuse, is theirs as sent.
  it.each([
    '/hello?x',
    'http://x/hello?a/b',
    'http://u@x?a/hello',
    'http://x?a#frag',
    'http://?a',
    'ftp://x?a',
    '*',
    '*hello',
  ])('%s is left as sent', (target) => {
    expect(withEmptyPathAsSlash(target)).toBe(target);
  });
});

describe('targetProblem', () => {
  it('refuses a URL of a scheme other than http or https, in any case', () => {
    expect(targetProblem('ftp://x/hello')).toContain('http:// or https://');
    expect(targetProblem('ws://x/')).toContain('http:// or https://');
    expect(targetProblem('HTTPS://x/hello')).toBeUndefined();
    expect(targetProblem('http://x?a/hello')).toBeUndefined();
  });
});

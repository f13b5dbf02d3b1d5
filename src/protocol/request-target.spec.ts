import { pathAsSent } from '../errors/client-text.js';
import { originForm, targetAuthority } from '../errors/target-form.js';
import { targetProblem, validHost, withEmptyPathAsSlash } from './request-target.js';

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
    'http://x:99999?a',
    'http://[::1?a',
    'ftp://x?a',
    '*',
    '*hello',
  ])('%s is left as sent', (target) => {
    expect(withEmptyPathAsSlash(target)).toBe(target);
  });
});

describe('targetProblem', () => {
  it('refuses a URL of a scheme other than http or https, in any case', () => {
    expect(targetProblem('ftp://x/hello', 'GET')?.detail).toContain('http:// or https://');
    expect(targetProblem('ws://x/', 'GET')?.detail).toContain('http:// or https://');
    expect(targetProblem('HTTPS://x/hello', 'GET')).toBeUndefined();
    expect(targetProblem('http://x?a/hello', 'GET')).toBeUndefined();
  });

  // The WHATWG URL parser's verdict, which the router (find-my-way) refuses a target by.
  it.each([
    'http://a:99999/hello',
    'http://a:x/hello',
    'http:///hello',
    'http://:80/hello',
    'http://[::1/hello',
    'http://[::1]:65536/',
    'http://a%20b/',
    'https://1.2.3.4.5/',
  ])('%s: a host or port that is none → MALFORMED_URL', (target) => {
    expect(targetProblem(target, 'GET')?.code).toBe('MALFORMED_URL');
  });

  it.each(['http://a:65535/hello', 'http://a:/hello', 'http://[::1]:80/', 'http://%61/hello'])(
    '%s: a host[:port] the router reads → served',
    (target) => {
      expect(targetProblem(target, 'GET')).toBeUndefined();
    },
  );

  it('takes * from OPTIONS alone', () => {
    expect(targetProblem('*', 'OPTIONS')).toBeUndefined();
    expect(targetProblem('*', 'GET')).toEqual({
      code: 'BAD_REQUEST',
      detail: 'The target * is only for OPTIONS, not GET.',
    });
  });
});

// A problem's `instance` (pathAsSent) and the router's reading here (originForm, which both call
// from errors/target-form.ts) must find one path, less the query.
describe("pathAsSent reads the path originForm's target has", () => {
  it.each([
    '/hello',
    '/a%2Fb?x=1',
    'http://x/hello?a/b',
    'http://user:pass@x:8080/api/items/1?q',
    'HTTPS://x?a/hello',
    'http://x',
    'http://[::1]:80/p',
    'http:///x',
    'ftp://x/hello',
    '*',
    '*hello?x',
  ])('%s', (target) => {
    expect(pathAsSent(target)).toBe(originForm(target).split('?', 1)[0]);
  });
});

describe("targetAuthority: an absolute-form target's host[:port], for the server span", () => {
  it.each([
    ['http://abs.example:8081/hello?q', 'abs.example:8081'],
    ['https://x?a/hello', 'x'],
    ['http://[::1]:9000', '[::1]:9000'],
    ['http://user:s3cret@host/a@b', 'host'],
  ])('%s → %s', (target, authority) => {
    expect(targetAuthority(target)).toBe(authority);
  });

  it.each(['/hello', '/a://b', '*', '*hello'])('%s has none', (target) => {
    expect(targetAuthority(target)).toBeUndefined();
  });
});

describe("validHost: a Host value is the target URI's authority, read as an absolute-form target's", () => {
  it.each([
    '',
    'a',
    'rampart.example.com:8080',
    'a:',
    'a:65535',
    '[::1]',
    '[::ffff:1.2.3.4]:80',
    'a%41',
    "a!$&'()*+,;=b",
  ])('%j is valid', (host) => {
    expect(validHost(host)).toBe(true);
  });

  it.each([
    'a:65536',
    'a:99999999999',
    ':80',
    'a:+80',
    'a:1:2',
    '[...]',
    '[:]',
    '[::1',
    '[v1.x]',
    'a%zz',
    'a%00b',
    'a%2Fb',
    '1.2.3.256',
    'u@a',
    'a b',
    'a/b',
    'bücher.de',
  ])('%j is not', (host) => {
    expect(validHost(host)).toBe(false);
  });
});

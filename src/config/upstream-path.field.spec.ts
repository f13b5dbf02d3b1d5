import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

describe('UPSTREAM_PATH', () => {
  it.each([
    '/api/fanout',
    '/',
    '/api/fanout?depth=2&mode=a/b?c',
    '/a%2Fb',
    "/x:y@z!$&'()*+,;=-._~",
  ])('takes %j, an origin-form target, as given', (value) => {
    expect(loadConfig({ UPSTREAM_PATH: value }).UPSTREAM_PATH).toBe(value);
  });

  // A fragment is never sent (a client keeps it to itself), and a rampart backend answers a
  // target holding one 400: `/api/fanout#x` started and then degraded every backend's entry.
  it.each(['/api/fanout#x', '/api/fanout?q=1#top', '/#'])('refuses %j: a fragment', (value) => {
    expect(configProblems({ UPSTREAM_PATH: value })?.split('\n').slice(1)).toEqual([
      '  UPSTREAM_PATH: must not hold a fragment (#…): it is never sent, and a backend may ' +
        `refuse it (got ${JSON.stringify(value)})`,
    ]);
  });

  it.each([
    ['/a b', 'a space'],
    ['/a"b', 'a quote'],
    ['/a{b}', 'braces'],
    ['/a[1]', 'brackets'],
    ['/a|b', 'a bar'],
    ['/a\\b', 'a backslash'],
    ['/a%zz', 'a % without two hex digits'],
    ['/é', 'not ASCII'],
  ])('refuses %j (%s): not a target as written', (value) => {
    expect(configProblems({ UPSTREAM_PATH: value })).toContain(
      'UPSTREAM_PATH: expected a path of RFC 3986 characters',
    );
  });

  it('refuses a target that is no path', () => {
    expect(configProblems({ UPSTREAM_PATH: 'api/fanout' })).toContain(
      'UPSTREAM_PATH: expected a path starting with /',
    );
  });
});

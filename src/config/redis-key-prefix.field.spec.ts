import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

describe('REDIS_KEY_PREFIX', () => {
  it('defaults to rampart: (the names before it existed), an empty value too', () => {
    expect(loadConfig({}).REDIS_KEY_PREFIX).toBe('rampart:');
    expect(loadConfig({ REDIS_KEY_PREFIX: '' }).REDIS_KEY_PREFIX).toBe('rampart:');
  });

  it.each(['staging:', 'prod:rampart:', 'rampart-blue.v2_1:', ':', `${'a'.repeat(127)}:`])(
    'takes %j as given',
    (value) => {
      expect(loadConfig({ REDIS_KEY_PREFIX: value }).REDIS_KEY_PREFIX).toBe(value);
    },
  );

  it.each([
    ['staging', 'no trailing colon: names would run into it (stagingitems:invalidate)'],
    ['stag ing:', 'a space'],
    ['staging*:', 'a glob character (KEYS, PSUBSCRIBE and ACL patterns read it)'],
    ['{tenant}:', 'braces'],
    ['prod/rampart:', 'a slash'],
    ['é:', 'not ASCII'],
    [`${'a'.repeat(128)}:`, '129 characters'],
  ])('refuses %j (%s), naming the variable', (value) => {
    expect(configProblems({ REDIS_KEY_PREFIX: value })).toContain(
      'REDIS_KEY_PREFIX: expected 1-128 letters, digits or . _ : -, ending in ":"',
    );
  });

  it.each([
    [' ', 'must not be blank'],
    ['staging:\n', 'must not start or end with whitespace'],
  ])('refuses %j as every variable does: %s', (value, said) => {
    expect(configProblems({ REDIS_KEY_PREFIX: value })).toContain(`REDIS_KEY_PREFIX: ${said}`);
  });
});

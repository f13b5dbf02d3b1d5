import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

/** The message loadConfig throws for this TRUST_PROXY, or undefined when it parses. */
const problemWith = (value: string): string | undefined => configProblems({ TRUST_PROXY: value });

describe('TRUST_PROXY', () => {
  it('is off by default and for off, false, 0 or an empty value', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    for (const value of ['off', 'OFF', 'false', '0', '', ' off ']) {
      expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toBe(false);
    }
  });

  it('refuses a blank value rather than reading it as off (a hop count lost in a template)', () => {
    expect(problemWith('  ')).toContain('TRUST_PROXY: must not be blank');
  });

  it('reads a hop count', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: ' 2 ' }).TRUST_PROXY).toBe(2);
  });

  it('reads a comma-separated list of IPv4 and IPv6 addresses, CIDRs and named ranges', () => {
    const value = '10.0.0.0/8, 192.168.1.7,fd00::/8 , ::1, ::ffff:10.1.0.0/112,uniquelocal';
    expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      '::1',
      '::ffff:10.1.0.0/112',
      'uniquelocal',
    ]);
  });

  it.each([
    ['banana', '"banana" is not an IP address or CIDR'],
    ['10.0.0.0/99', 'prefix /99 is out of range for an IPv4 address (1-32)'],
    ['fd00::/129', 'prefix /129 is out of range for an IPv6 address (1-128)'],
    ['10.0.0.0/0', 'prefix /0 is out of range'],
    ['::ffff:10.0.0.0/8', 'an IPv4-mapped range needs a prefix from /97'],
    ['::FFFF:10.0.0.0/96', 'an IPv4-mapped range needs a prefix from /97'],
    ['10.0.0.0/8a', 'prefix /8a is out of range'],
    ['10.0.0.0/255.0.0.0', 'prefix /255.0.0.0 is out of range'],
    ['10.0.0.0/', 'prefix / is out of range'],
    ['10.0.0.256', '"10.0.0.256" is not an IP address or CIDR'],
    ['fe80::1%eth0', '"fe80::1%eth0" is not an IP address or CIDR'],
    ['10.0.0.1,,10.0.0.2', 'entry 2 is empty'],
    ['11', '11 hops is more than 10'],
    ['-1', '"-1" is not an IP address or CIDR'],
    ['true', 'trusting every hop lets a client pick its own address'],
  ])('refuses %j at boot, naming the variable', (value, reason) => {
    const message = problemWith(value);
    expect(message).toContain(`TRUST_PROXY: `);
    expect(message).toContain(reason);
    expect(message).toContain('expected off, a hop count');
    expect(message).toContain(`(got ${JSON.stringify(value)})`);
  });

  it('names every bad entry of a list, not just the first', () => {
    const message = problemWith('10.0.0.0/8, banana, 10.0.0.0/99');
    expect(message).toContain('"banana" is not an IP address');
    expect(message).toContain('"10.0.0.0/99": prefix /99');
    expect(message).not.toContain('"10.0.0.0/8"');
  });
});

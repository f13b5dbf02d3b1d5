import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

/**
 * HOST and ADMIN_HOST are checked with the rest of the configuration, not by listen(): a port
 * in HOST (`0.0.0.0:8080`) passed, and start-up failed after the migrations with "the host name
 * does not resolve".
 */
describe('HOST and ADMIN_HOST: a host name or an IP literal', () => {
  it.each([
    '0.0.0.0',
    '127.0.0.1',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    'fe80::1%eth0',
    'localhost',
    'localhost.',
    'rampart-0.rampart.prod.svc.cluster.local',
    'xn--bcher-kva.example',
    `${'a'.repeat(63)}.example`,
    '0xg.example',
    'rampart.0xfg',
  ])('%j is taken, as given', (value) => {
    const config = loadConfig({ HOST: value, ADMIN_HOST: value });
    expect([config.HOST, config.ADMIN_HOST]).toEqual([value, value]);
  });

  it.each([
    ['0.0.0.0:8080', 'a port'],
    ['[::1]', 'an IPv6 literal in brackets'],
    ['[::]:8080', 'brackets and a port'],
    ['http://0.0.0.0', 'a URL'],
    ['127.1', 'a short IPv4 form the resolver reads as 127.0.0.1'],
    ['0x7f000001', 'a hexadecimal number the resolver reads as 127.0.0.1'],
    ['0X1', 'a hexadecimal number in capitals, 0.0.0.1 to the resolver'],
    ['rampart.0xff', 'a name whose last label is a hexadecimal number'],
    ['256.0.0.1', 'no IPv4 address, and a name does not end in digits'],
    ['01.2.3.4', 'a leading zero'],
    ['my_host', 'an underscore'],
    ['-rampart', 'a leading hyphen'],
    ['a..b', 'an empty label'],
    [`${'a'.repeat(64)}.example`, 'a label of 64 characters'],
    ['\u200b', 'an invisible character'],
    ['\u0663', 'an Arabic-Indic digit'],
    ['bücher.example', 'not ASCII (an IDN goes in its xn-- form)'],
  ])('%j (%s) is refused, naming the variable and where a port goes', (value) => {
    const lines = configProblems({ HOST: value, ADMIN_HOST: value })?.split('\n').slice(1);
    expect(lines).toEqual([
      `  HOST: expected a host name, an IPv4 address or an IPv6 address, without brackets or a port (the port is PORT) (got ${JSON.stringify(value)})`,
      `  ADMIN_HOST: expected a host name, an IPv4 address or an IPv6 address, without brackets or a port (the port is ADMIN_PORT) (got ${JSON.stringify(value)})`,
    ]);
  });

  it('whitespace around a host is said as for every variable, once', () => {
    expect(configProblems({ HOST: '127.0.0.1 ' })?.split('\n').slice(1)).toEqual([
      '  HOST: must not start or end with whitespace (got "127.0.0.1 ")',
    ]);
  });
});

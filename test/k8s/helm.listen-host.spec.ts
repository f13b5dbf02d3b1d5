/**
 * config.HOST and config.ADMIN_HOST in values.schema.json take what the app takes
 * (src/config/listen-host.field.ts): `HOST: 0.0.0.0:8080` rendered, and every pod stopped at
 * start (exit 78). The rule is built from named parts (listen-host.pattern.ts) and checked here
 * against the app over a few hundred values; helm.config-names.spec.ts runs samples through the
 * real Helm, whose validator reads the patterns as JavaScript does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.loader.js';
import { CHART_DIR } from './helm.render.js';
import { listenHostRule, satisfies, type StringRule } from './listen-host.pattern.js';

const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
const rules = schema.properties.config.properties as Record<string, StringRule>;

function appTakes(value: string): boolean {
  try {
    loadConfig({ HOST: value });
    return true;
  } catch {
    return false;
  }
}

const ADDRESSES = [
  ...['0.0.0.0', '127.0.0.1', '255.255.255.255', '256.0.0.1', '127.1', '01.2.3.4', '1.2.3.4.5'],
  ...[
    '::',
    '::1',
    'fe80::1%eth0',
    'fe80::1%eth0.5:x-y',
    'fe80::1%',
    'fe80::1%e_1',
    '::ffff:1.2.3.4',
  ],
  ...['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', ':::', '[::1]', '[::]:8080'],
];
const NAMES = [
  ...['localhost', 'localhost.', 'a', 'A1', '1a', 'a-1', '1-1', 'x.1-2', 'x.1', 'x.1.', '-a', 'a-'],
  ...['my_host', 'a..b', '.a', 'a.', 'xn--bcher-kva.example', 'bücher.example', '\u200b', '\u0663'],
  ...['rampart-0.rampart.prod.svc.cluster.local', 'http://a', 'a b', 'a:8080', '0.0.0.0:8080'],
  // A last label the resolver reads as a hexadecimal number, and names that only look like one.
  ...['0x7f000001', '0X1', '0x', '0x.', 'a.0xff', 'a.0xff.', '0xg', 'a.0xfg', 'a.0xg1', '00x1'],
  ...['x0x1', '0xa.b', 'a.0', 'a.0.', '0a', 'a.0-1', '0x-1', '0x1-', 'a.0x'],
  `${'a'.repeat(63)}.x`,
  `${'a'.repeat(64)}.x`,
  `${'1'.repeat(30)}-${'1'.repeat(32)}`,
  `${'1'.repeat(31)}-${'1'.repeat(32)}`,
  // 253 characters, then 254, with and without a trailing dot.
  ...[253, 254].flatMap((length) => {
    const name = `${'a'.repeat(62)}.`.repeat(4) + 'b'.repeat(length - 252);
    return [name, `${name}.`];
  }),
];
const CORPUS = [...ADDRESSES, ...NAMES, ''];

describe('config.HOST and config.ADMIN_HOST in values.schema.json', () => {
  it.each(['HOST', 'ADMIN_HOST'])('%s holds the rule listen-host.pattern.ts builds', (name) => {
    expect(rules[name]).toEqual(listenHostRule());
  });

  it(`takes exactly the values the app takes, over ${CORPUS.length} values`, () => {
    const rule = listenHostRule();
    const disagree = CORPUS.filter((value) => satisfies(rule, value) !== appTakes(value)).map(
      (value) =>
        `${JSON.stringify(value)}: app ${appTakes(value)}, chart ${satisfies(rule, value)}`,
    );
    expect(disagree).toEqual([]);
    expect(CORPUS.filter(appTakes).length).toBeGreaterThan(CORPUS.length / 4);
  });
});

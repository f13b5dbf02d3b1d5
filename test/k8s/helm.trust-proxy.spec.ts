/**
 * config.TRUST_PROXY in values.schema.json takes what the app takes (src/config/trust-proxy.field.ts),
 * CIDR prefixes included: `10.0.0.0/33` passed the chart and stopped every pod at start (exit 78),
 * so the rollout never ended. The pattern is built from named parts (trust-proxy.pattern.ts) and
 * checked here against the app over a few thousand values; helm.config-names.spec.ts runs samples
 * through the real Helm, whose validator reads the pattern as JavaScript does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.loader.js';
import { CHART_DIR } from './helm.render.js';
import { trustProxyPattern } from './trust-proxy.pattern.js';

const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
const textRule = (schema.properties.config.properties.TRUST_PROXY.anyOf as { pattern?: string }[])
  .map((rule) => rule.pattern)
  .find((pattern) => pattern !== undefined)!;

function appTakes(value: string): boolean {
  try {
    loadConfig({ TRUST_PROXY: value });
    return true;
  } catch {
    return false;
  }
}

const V4 = [
  '10.0.0.0',
  '192.168.1.7',
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '10.0.0',
  '01.2.3.4',
  '1.2.3.4.5',
];
const V6 = [
  '::',
  '::1',
  'fe80::',
  'FD00::',
  '2001:db8::1',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::',
  '1:2:3:4:5:6:1.2.3.4',
  '0:0:0:0:0:ffff:10.0.0.0',
  '1::1.2.3.4',
  '::1.2.3.4',
  '::ffff:10.0.0.0',
  '::FFFF:10.0.0.0',
  '::ffff:a00:0',
  '::ffff:1',
  '::ffff:1:2:3:4:5:6',
  '::ffff',
  '::fffe:1',
  '::ffff:abcd:1.2.3.4',
  '::ffff:1:1.2.3.4',
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  '12345::',
  'g::1',
  'fe80::1%eth0',
];
const PREFIXES = ['', '/0', '/00', '/1', '/01', '/001', '/8', '/32', '/032', '/0032', '/33', '/64'];
const PREFIXES_V6 = [...PREFIXES, '/96', '/097', '/97', '/104', '/128', '/129', '/1000', '/', '/x'];

/** Single entries, lists, spaces, names, hop counts and the words for off. */
const CORPUS = [
  ...V4.flatMap((a) => PREFIXES.map((p) => a + p)),
  ...V6.flatMap((a) => PREFIXES_V6.map((p) => a + p)),
  ...['loopback', 'LinkLocal', 'uniquelocal', 'localhost', 'private'],
  ...['', ' ', 'off', 'OFF', 'false', 'true', '0', '00', '1', ' 2 ', '10', '010', '11', '-1'],
  ...['10.0.0.0/8, ::1', '10.0.0.0/8,10.0.0.0/33', '::ffff:10.0.0.0/104 ,loopback', '10.0.0.0/8,'],
  ...[',10.0.0.0/8', '10.0.0.0/8 fd00::/8', '\t10.0.0.0/8\t', '10.0.0.0/ 8', '1.2'],
];

describe('config.TRUST_PROXY in values.schema.json', () => {
  it('is the pattern trust-proxy.pattern.ts builds', () => {
    expect(textRule).toBe(trustProxyPattern());
  });

  it(`takes exactly the text the app takes, over ${CORPUS.length} values`, () => {
    const pattern = new RegExp(textRule);
    const disagree = CORPUS.filter((value) => pattern.test(value) !== appTakes(value)).map(
      (value) => `${JSON.stringify(value)}: app ${appTakes(value)}, chart ${pattern.test(value)}`,
    );
    expect(disagree).toEqual([]);
    // Both sides are exercised: the corpus is not all refusals.
    expect(CORPUS.filter(appTakes).length).toBeGreaterThan(CORPUS.length / 4);
  });
});

/**
 * ns per request for the Host check, with and without the remembered last valid value, on a
 * typical ingress request (eight headers). Each request gets a fresh Host string, as from the
 * HTTP parser. If the memo stops winning clearly, read the value every time.
 *   npm run build && taskset -c 1 node dist/protocol/host-header.check.bench.js
 */
import { HostHeaderCheck } from './host-header.check.js';

const HOST = Buffer.from('rampart.example.com:8080', 'latin1');
const OTHERS = [
  'User-Agent',
  'curl/8.5',
  'Accept',
  '*/*',
  'Accept-Encoding',
  'gzip',
  'X-Request-Id',
];

function headers(): string[] {
  return ['Host', HOST.toString('latin1'), ...OTHERS, 'abc', 'traceparent', '00-a-b-01'];
}

/** A check that forgets what it saw: the value read on every request. */
class Unmemoised extends HostHeaderCheck {
  override problem(rawHeaders: readonly string[], httpVersion: string): string | undefined {
    const problem = super.problem(rawHeaders, httpVersion);
    this.lastValid = undefined;
    return problem;
  }
}

function nsPerCheck(check: HostHeaderCheck): number {
  const requests = Array.from({ length: 1_000 }, headers);
  let sink = 0;
  const rounds = 500;
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const raw of requests) if (check.problem(raw, '1.1') === undefined) sink += 1;
  }
  const ns = Number(process.hrtime.bigint() - started) / (rounds * requests.length);
  if (sink === 0) throw new Error('unreachable: keeps the checks alive');
  return ns;
}

for (const [name, check] of [
  ['regex every time', new Unmemoised()],
  ['last valid host remembered', new HostHeaderCheck()],
] as const) {
  nsPerCheck(check); // warm-up
  const best = Math.min(...[1, 2, 3].map(() => nsPerCheck(check)));
  process.stdout.write(`  ${name.padEnd(30)} ${best.toFixed(0).padStart(6)} ns/request\n`);
}

import { alignOutput, normalise } from './doc-blocks.js';

// What the documentation check forgives and what it does not: the output shown in a page
// matches a run that differs only in ids, clocks and measured durations, and no other.
describe('comparing shown output with a run', () => {
  const shown = [
    '{"id":"1","requestId":"18098382-7bc2-4cbc-95eb-a27d23311685","traceId":"c1c42f583962bd3e5941f4c9c7972c21"}',
    '{"createdAt":"2026-12-02T16:43:10.509Z","latencyMs":4.51}',
    'upstream_calls_total{backend="127.0.0.1:8082",outcome="failed"} 4',
  ].join('\n');

  it('forgives ids, trace ids, timestamps and decimal durations', () => {
    const run = [
      '{"id":"1","requestId":"0a756cb3-1111-4222-8333-944445555666","traceId":"0123456789abcdef0123456789abcdef"}',
      '{"createdAt":"2027-01-01T00:00:00.000Z","latencyMs":0.18}',
      'upstream_calls_total{backend="127.0.0.1:8082",outcome="failed"} 4',
    ].join('\n');
    const { shown: expected, actual } = alignOutput(shown, run);
    expect(actual).toEqual(expected);
  });

  it.each([
    ['a count', shown.replace('} 4', '} 5')],
    ['an id', shown.replace('"id":"1"', '"id":"2"')],
    ['an address', shown.replace('127.0.0.1', '127.0.0.2')],
    ['a missing line', shown.split('\n').slice(0, 2).join('\n')],
    ['an extra line', `${shown}\n[exit 1]`],
  ])('fails on %s', (_what, run) => {
    const { shown: expected, actual } = alignOutput(shown, run);
    expect(actual).not.toEqual(expected);
  });

  it('lets a shown line hold … for any text', () => {
    const { shown: expected, actual } = alignOutput('pid … ready', 'pid 4242 is ready');
    expect(actual).toEqual(expected);
    expect(alignOutput('pid … ready', 'pid 4242 is gone').actual).not.toEqual(expected);
  });

  it('keeps dotted versions exact', () => {
    expect(normalise('"version":"0.1.0"')).toEqual(['"version":"0.1.0"']);
  });
});

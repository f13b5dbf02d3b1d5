import { resourceAttributes } from './resource-attributes.field.js';

/** The problems the field reports for `raw`, or [] when the SDK would read every entry. */
const problems = (raw: string): string[] => {
  const result = resourceAttributes().safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe('OTEL_RESOURCE_ATTRIBUTES: refused where the SDK would drop the whole value', () => {
  it.each([
    'deployment.environment.name=prod',
    'a=b, c = d',
    'team=payments%2Cbilling', // a comma, percent-encoded
  ])('%s is read as given', (raw) => {
    expect(problems(raw)).toEqual([]);
  });

  it.each([
    ['garbage', 'entry 1: expected key=value'],
    // The SDK skips an empty entry; refused as in every list, a value a template lost.
    ['a=b,,c=d', 'entry 2 is empty'],
    ['a=b,', 'entry 2 is empty'],
    ['env=prod,team', 'entry 2: expected key=value'],
    ['a=b=c', 'entry 1: expected key=value'],
    ['=prod', 'entry 1: the key is empty'],
    ['a=%ZZ', 'entry 1: not percent-decodable'],
    [`a=${'x'.repeat(256)}`, 'entry 1: a key or value longer than 255 characters'],
    // The detector kept the last: `team=a` was never exported.
    ['team=a, env=prod, team=b', 'entries 1 and 3 set one attribute, team: set it once'],
    ['a=1,%61=2', 'entries 1 and 2 set one attribute, a: set it once'], // as decoded
  ])('%s is refused', (raw, said) => {
    expect(problems(raw)).toEqual([expect.stringContaining(said)]);
  });
});

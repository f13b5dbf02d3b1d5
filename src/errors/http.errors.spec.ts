import { InvalidInputError } from './http.errors.js';

describe('InvalidInputError', () => {
  it('names every problem when there are few', () => {
    const error = new InvalidInputError([
      { field: 'name', message: 'required' },
      { field: 'desciption', message: 'unknown field' },
    ]);
    expect(error.message).toBe('name: required; desciption: unknown field');
    expect(error.errors).toHaveLength(2);
    expect(error.extensions).toBeUndefined();
  });

  it('lists the first 20 of many, counts the rest, and cuts long texts', () => {
    const problems = Array.from({ length: 120_000 }, (_, i) => ({
      field: i === 0 ? 'k'.repeat(10_000) : `k${i}`,
      message: 'unknown field',
    }));
    const error = new InvalidInputError(problems);
    expect(error.errors).toHaveLength(20);
    expect(error.extensions).toEqual({ moreErrors: 119_980 });
    expect(error.errors?.[0]?.field).toBe(`${'k'.repeat(200)}…`);
    expect(error.message.endsWith('; and 119980 more')).toBe(true);
    expect(error.message.length).toBeLessThan(1_000);
  });

  it('lists a problem reported twice once', () => {
    const twice = { field: 'by', message: 'expected a safe integer' };
    const error = new InvalidInputError([twice, { ...twice }, { field: 'by', message: 'other' }]);
    expect(error.errors).toEqual([twice, { field: 'by', message: 'other' }]);
    expect(error.message).toBe('by: expected a safe integer; by: other');
  });
});

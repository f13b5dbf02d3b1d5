import type { z } from 'zod';
import { bool, otelBool } from './config.fields.js';

const read = (field: z.ZodType<boolean>, value: string) => {
  const result = field.safeParse(value);
  return result.success ? result.data : result.error.issues.map((issue) => issue.message);
};

describe('bool and otelBool', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('read %s as %s', (value, expected) => {
    expect(read(bool(), value)).toBe(expected);
    expect(read(otelBool(), value)).toBe(expected);
  });

  it('otelBool reads any case; bool only lower case', () => {
    expect(read(otelBool(), 'TRUE')).toBe(true);
    expect(read(otelBool(), 'False')).toBe(false);
    expect(read(bool(), 'TRUE')).toEqual(['expected true or false']);
  });

  it('refuse another word, a blank value and whitespace around one, each with its one message', () => {
    for (const field of [bool(), otelBool()]) {
      expect(read(field, 'yes')).toEqual(['expected true or false']);
      expect(read(field, ' ')).toEqual(['must not be blank (whitespace only)']);
      expect(read(field, 'true ')).toEqual(['must not start or end with whitespace']);
    }
  });
});

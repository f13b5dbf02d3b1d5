import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

const problemWith = (value: string): string | undefined =>
  configProblems({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: value });

describe('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS', () => {
  it("defaults to the semantic conventions' methods: RFC 9110's, PATCH and QUERY", () => {
    expect([...loadConfig({}).OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS].sort()).toEqual([
      'CONNECT',
      'DELETE',
      'GET',
      'HEAD',
      'OPTIONS',
      'PATCH',
      'POST',
      'PUT',
      'QUERY',
      'TRACE',
    ]);
  });

  it('replaces the defaults (not added to them), trimmed, duplicates dropped', () => {
    expect(
      loadConfig({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: ' GET,PROPFIND , MKCOL,GET' })
        .OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS,
    ).toEqual(['GET', 'PROPFIND', 'MKCOL']);
  });

  it.each([
    // Case-sensitive, as the conventions say: `get` would have made every GET `_OTHER`.
    ['GET,post', '"post" is no method'],
    ['FOO', '"FOO" is no method'],
    ['_OTHER', '"_OTHER" is no method'],
    ['GET,,POST', 'entry 2 is empty'],
    ['GET,', 'entry 2 is empty'],
    ['  ', 'must not be blank'],
  ])('refuses %j naming the variable', (value, message) => {
    const problem = problemWith(value);
    expect(problem).toContain('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: ');
    expect(problem).toContain(message);
  });
});

import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

/** The variable's line alone (problem lines are `  NAME: …`), or undefined when it parses. */
const lines = (env: Record<string, string>) => configProblems(env)?.split('\n').slice(1);

/**
 * A key listed twice was read one-wins without a word: BACKEND_URLS kept the first of two
 * entries naming one backend (its scheme too), the OTLP headers the last of two values. Now
 * start-up stops naming the variable and the key (a header's value never: it is often a key).
 */
describe('a key repeated in a list is refused, naming the variable and the key', () => {
  it.each([
    ['http://b:2,http://b:2', 'entries 1 and 2 are one backend, b:2'],
    // The URL parser's spelling: host in lower case, default port and trailing slash left out.
    ['http://a:1, http://B:2/, http://b:2', 'entries 2 and 3 are one backend, b:2'],
    ['http://b, http://b:80/', 'entries 1 and 2 are one backend, b'],
    // One name, two schemes: the second was dropped, and https with it.
    ['http://b:8443/api, https://b:8443/api/', 'entries 1 and 2 are one backend, b:8443/api'],
    ['http://a:1,http://b:2,http://a:1,http://a:1', 'entries 1, 3 and 4 are one backend, a:1'],
  ])('BACKEND_URLS=%j', (value, said) => {
    expect(lines({ BACKEND_URLS: value })).toEqual([
      `  BACKEND_URLS: ${said} (its name in metrics and logs): list it once`,
    ]);
  });

  it('BACKEND_URLS names each repeated backend, beside its other problems', () => {
    expect(
      lines({ BACKEND_URLS: 'http://a:1,ftp://x,http://b:2/p,http://a:1,http://b:2/p/' }),
    ).toEqual([
      '  BACKEND_URLS: entry 2: expected a URL with protocol http: or https:; ' +
        'entries 1 and 4 are one backend, a:1 (its name in metrics and logs): list it once; ' +
        'entries 3 and 5 are one backend, b:2/p (its name in metrics and logs): list it once',
    ]);
  });

  it('BACKEND_URLS takes one host under two prefixes, or on two ports: two backends', () => {
    const urls = 'http://gw:80/a, http://gw:80/b, http://gw:81/a, http://gw:80/A';
    expect(loadConfig({ BACKEND_URLS: urls }).BACKEND_URLS).toHaveLength(4);
  });

  it.each(['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'])(
    '%s with one header name twice, in any case, is refused naming the header, not a value',
    (name) => {
      const value = 'api-key=first-secret, x-tenant=acme, API-Key=second-secret';
      const said = lines({ [name]: value });
      expect(said).toEqual([
        `  ${name}: entries 1 and 3 set one header, api-key (names are case-insensitive): set it once`,
      ]);
      expect(said?.join('\n')).not.toContain('secret');
    },
  );

  it('a header set in both OTLP headers variables is no repetition: the traces one wins', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'Api-Key=traces',
    });
    expect(config.OTEL_EXPORTER_OTLP_TRACES_HEADERS).toEqual({ 'api-key': 'traces' });
  });
});

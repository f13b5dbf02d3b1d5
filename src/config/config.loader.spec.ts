import { configProblems } from '../../test/support/config-problems.js';
import { CHAOS_STATUS_MESSAGE } from './chaos-status.field.js';
import { UNPARSABLE_URL_MESSAGE } from './config.fields.js';
import { loadConfig } from './config.loader.js';
import { configKeys } from './config.schema.js';

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.ADMIN_PORT).toBe(9090);
    expect(config.HELLO_MAX_DELAY_MS).toBe(30_000);
    expect(config.BACKEND_URLS).toEqual([]);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable, not just the first', () => {
    const message = configProblems({
      PORT: 'eighty',
      SHUTDOWN_TIMEOUT_MS: '-5',
      BACKEND_URLS: 'ftp://x',
    });
    expect(message).toContain('PORT');
    expect(message).toContain('SHUTDOWN_TIMEOUT_MS');
    expect(message).toContain('BACKEND_URLS');
  });

  it('an empty value is unset: the default applies (PORT= used to listen on a random port)', () => {
    const config = loadConfig({
      PORT: '',
      HTTP_MAX_CONNECTIONS: '',
      OTEL_TRACES_SAMPLER_ARG: '',
      EVENT_LOOP_MAX_DELAY_MS: '',
    });
    expect(config.PORT).toBe(8080);
    expect(config.HTTP_MAX_CONNECTIONS).toBe(4_000);
    expect(config.OTEL_TRACES_SAMPLER_ARG).toBe(0.1);
    expect(config.EVENT_LOOP_MAX_DELAY_MS).toBe(1_000);
  });

  it.each([
    ['PORT', ' '],
    ['PORT', '0x4a64'],
    ['ADMIN_PORT', '1e3'],
    ['HTTP_MAX_CONNECTIONS', '1_000'],
    ['OTEL_TRACES_SAMPLER_ARG', '0x1'],
    ['CHAOS_ERROR_RATE', ' '],
    // Signs: PORT=-0 listened on a random port; no setting takes a negative number.
    ['PORT', '-0'],
    ['ADMIN_PORT', '+19191'],
    ['SHUTDOWN_DRAIN_DELAY_MS', '+5'],
    ['OTEL_TRACES_SAMPLER_ARG', '-0'],
    ['CHAOS_ERROR_RATE', '+0.5'],
  ])('%s=%j is refused, naming the variable (no blank-is-zero, no hex, no sign)', (name, value) => {
    expect(configProblems({ [name]: value })).toContain(name);
  });

  it.each([
    ['SERVICE_VERSION', ' '],
    ['OTEL_SERVICE_NAME', ' '],
    ['DB_APPLICATION_NAME', ' '],
    ['HOST', '\t'],
  ])('%s=%j (only whitespace) is refused as blank, not taken as a name', (name, value) => {
    expect(configProblems({ [name]: value })).toContain(`${name}: must not be blank`);
  });

  // Optional strings took a blank value as given: POD_NAME='   ' was the pod's name everywhere.
  it.each([
    ['POD_NAME', '   '],
    ['POD_NAMESPACE', ' '],
    ['NODE_NAME', '\t'],
    ['KUBERNETES_SERVICE_HOST', ' '],
    ['DATA_DIR', ' '],
    ['OTEL_RESOURCE_ATTRIBUTES', '  '],
    ['UI_MESSAGE', ' \n '],
    ['UI_COLOR', ' '],
    ['DATABASE_URL', ' '],
    ['REDIS_URL', ' '],
    ['ADMIN_TOKEN', ' '.repeat(20)],
    ['DEBUG_TOKEN', ' '],
    ['OTEL_EXPORTER_OTLP_HEADERS', ' '],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', ' '],
    ['TRUST_PROXY', '  '],
    ['BACKEND_URLS', ' '],
    ['POD_NAME', '\u0085'],
  ])('optional %s=%j (only whitespace) is refused as blank, once', (name, value) => {
    const lines =
      configProblems({ [name]: value })
        ?.split('\n')
        .slice(1) ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trim()).toMatch(new RegExp(`^${name}: must not be blank`));
  });

  it('no variable takes a blank value: each one refuses it, naming itself', () => {
    const taken = configKeys().filter((name) => !configProblems({ [name]: ' ' })?.includes(name));
    expect(taken).toEqual([]);
  });

  it('BACKEND_URLS of only commas and spaces is refused, not taken for a leaf', () => {
    for (const value of [' , ', ',', ',,']) {
      expect(configProblems({ BACKEND_URLS: value })).toMatch(
        /BACKEND_URLS: lists no URL \(only commas and whitespace\)/,
      );
    }
  });

  // A template that lost one of its values: `http://a,,http://b` started with two backends where
  // three were meant, and a trailing comma was skipped the same way.
  it.each([
    ['BACKEND_URLS', 'http://a:1,,http://b:2', 'entry 2 is empty'],
    ['BACKEND_URLS', 'http://a:1, http://b:2,', 'entry 3 is empty'],
    ['BACKEND_URLS', ',http://a:1, ,http://b:2', 'entries 1 and 3 are empty'],
    ['TRUST_PROXY', '10.0.0.0/8,,192.168.1.7', 'entry 2 is empty'],
    ['OTEL_PROPAGATORS', 'tracecontext,baggage,', 'entry 3 is empty'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'api-key=abc,,x-tenant=acme', 'entry 2 is empty'],
    ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'api-key=abc,', 'entry 2 is empty'],
    ['OTEL_RESOURCE_ATTRIBUTES', 'team=payments,,env=prod', 'entry 2 is empty'],
  ])('%s=%j (an empty entry) is refused, naming the variable, once', (name, value, said) => {
    const lines =
      configProblems({ [name]: value })
        ?.split('\n')
        .slice(1) ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trim()).toMatch(
      new RegExp(`^${name}: ${said} \\(two commas in a row, or one at either end\\)`),
    );
  });

  // ioredis sends the path (else ?db=) as SELECT's argument on every connection: a name there
  // started fine and failed each connection's SELECT while readiness said Redis was up.
  it.each(['redis://127.0.0.1:6379/abc', 'redis://127.0.0.1:6379/1/2', 'redis://h:6379?db=x'])(
    'REDIS_URL=%j (a database that is no number) is refused, naming it',
    (value) => {
      expect(configProblems({ REDIS_URL: value })).toMatch(
        /REDIS_URL: the database, as the path \(redis:\/\/host:6379\/2\) or \?db=, must be a number/,
      );
    },
  );

  // The database check ran on a URL of another scheme and added its own problem to the line.
  it.each([
    ['REDIS_URL', 'http://127.0.0.1:6379/abc', 'expected a URL with protocol redis: or rediss:'],
    ['BACKEND_URLS', 'ftp://user:pw@b:21', 'entry 1: expected a URL with protocol http: or https:'],
  ])('%s=%j (another scheme) is said once: the scheme', (name, value, said) => {
    expect(
      configProblems({ [name]: value })
        ?.split('\n')
        .slice(1),
    ).toEqual([expect.stringMatching(new RegExp(`^  ${name}: ${said}( \\(got .*\\))?$`))]);
  });

  // A URL's value is never shown when it may carry credentials, and one the URL parser could not
  // read (a port one digit too long) was told "expected a URL with protocol postgres: or
  // postgresql:", the one part that was right.
  it.each([
    ['DATABASE_URL', 'postgres://app:secretpw@db:543210/x', ''],
    ['DATABASE_URL', 'postgres://app:secretpw@[::1/x', ''],
    ['REDIS_URL', 'redis://:secretpw@redis:99999', ''],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://', ' (got "http://")'],
    ['BACKEND_URLS', 'http://a:1, http://b:123456', ''],
  ])(
    '%s=%j (a URL that does not parse) is said not to parse, not to need its scheme',
    (name, value, shown) => {
      const entry = name === 'BACKEND_URLS' ? 'entry 2: ' : '';
      expect(
        configProblems({ [name]: value })
          ?.split('\n')
          .slice(1),
      ).toEqual([`  ${name}: ${entry}${UNPARSABLE_URL_MESSAGE}${shown}`]);
    },
  );

  it('REDIS_URL with no database, or a number as the path or ?db=, is taken', () => {
    for (const value of [
      'redis://h:6379',
      'redis://h:6379/',
      'redis://h:6379/15',
      'rediss://h?db=2',
    ])
      expect(loadConfig({ REDIS_URL: value }).REDIS_URL).toBe(value);
  });

  // A version and a message kept it as given: SERVICE_VERSION='1.4.2 ' was reported with its
  // space in /api/info and on every span; a message's is collapsed by the page anyway.
  it.each([
    ['SERVICE_VERSION', '1.4.2 '],
    ['UI_MESSAGE', ' canary '],
    ['OTEL_SERVICE_NAME', 'payments '],
    ['DB_APPLICATION_NAME', ' rampart'],
  ])('%s=%j (whitespace around a version, a name or a message) is refused', (name, value) => {
    expect(
      configProblems({ [name]: value })
        ?.split('\n')
        .slice(1),
    ).toEqual([`  ${name}: must not start or end with whitespace (got ${JSON.stringify(value)})`]);
  });

  describe('whitespace around a value, for every variable', () => {
    /** A list: whitespace around its entries is its syntax (`a, b`), so around it too. */
    const LISTS = new Set([
      'BACKEND_URLS',
      'TRUST_PROXY',
      'OTEL_PROPAGATORS',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
      'OTEL_RESOURCE_ATTRIBUTES',
      'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
    ]);
    /** A valid value of each variable without a default a string can say. */
    const EXAMPLES: Record<string, string> = {
      POD_NAME: 'rampart-7d9f8-abcde',
      POD_NAMESPACE: 'payments',
      NODE_NAME: 'node-1',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.7',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      DATA_DIR: '/data',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      BACKEND_URLS: 'http://a:1, http://b:2',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc, x-tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=abc',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      OTEL_PROPAGATORS: 'tracecontext, b3',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments, env=prod',
      OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET, PROPFIND',
      ADMIN_TOKEN: '0123456789abcdef',
      DEBUG_TOKEN: '0123456789abcdef',
      UI_COLOR: '#336699',
      UI_MESSAGE: 'canary release',
    };
    const defaults = loadConfig({}) as unknown as Record<string, unknown>;
    const example = (name: string): string => EXAMPLES[name] ?? String(defaults[name]);

    it('each example and default is a valid value', () => {
      const refused = configKeys().filter((name) => configProblems({ [name]: example(name) }));
      expect(refused).toEqual([]);
    });

    // HOST='127.0.0.1 ' failed at listen as a host that does not resolve; PORT=' 8080' was "not
    // a whole number", LOG_LEVEL='info ' "not one of" the levels, UI_COLOR='red ' "not a colour".
    it.each(configKeys().filter((name) => !LISTS.has(name)))(
      '%s with whitespace around a valid value is refused, saying so, once',
      (name) => {
        // U+0085 (NEL) is whitespace to Unicode, not to trim(): it passed as trimmed.
        for (const value of [` ${example(name)}`, `${example(name)}\n`, `${example(name)}\u0085`]) {
          const lines =
            configProblems({ [name]: value })
              ?.split('\n')
              .slice(1) ?? [];
          expect(lines.map((line) => line.trim())).toEqual([
            expect.stringMatching(new RegExp(`^${name}: must not start or end with whitespace`)),
          ]);
        }
      },
    );

    it.each([...LISTS])('%s, a list, takes whitespace around it as around its entries', (name) => {
      expect(configProblems({ [name]: ` ${example(name)}\t` })).toBeUndefined();
    });
  });

  // A quoting slip in a template: DATA_DIR='/data ' opened a directory beside the volume, and a
  // URL with spaces around it passed the URL check (the parser trims) and reached the driver.
  it.each([
    ['DATA_DIR', '/data '],
    ['POD_NAME', 'pod-a '],
    ['POD_NAMESPACE', ' prod'],
    ['NODE_NAME', 'node-1\t'],
    ['KUBERNETES_SERVICE_HOST', '10.0.0.1 '],
    ['DATABASE_URL', ' postgres://postgres@127.0.0.1:5432/test'],
    ['REDIS_URL', 'redis://127.0.0.1:6379 '],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector:4318\n'],
  ])('%s=%j (whitespace around a URL, a path or a name) is refused, once', (name, value) => {
    const lines =
      configProblems({ [name]: value })
        ?.split('\n')
        .slice(1) ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trim()).toMatch(new RegExp(`^${name}: must not start or end with whitespace`));
  });

  it('an export timeout within the batch processor wait is taken, the traces one in effect', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '5000',
    });
    expect(config.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT).toBe(5_000);
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_TIMEOUT: '30000', OTEL_BSP_EXPORT_TIMEOUT: '30000' })
        .OTEL_EXPORTER_OTLP_TIMEOUT,
    ).toBe(30_000);
  });

  it('numbers in plain decimal still parse, a ratio with an exponent too', () => {
    const config = loadConfig({ PORT: '18080', OTEL_TRACES_SAMPLER_ARG: '5e-1' });
    expect(config.PORT).toBe(18_080);
    expect(config.OTEL_TRACES_SAMPLER_ARG).toBe(0.5);
  });

  it.each([
    [{ PORT: '8080', ADMIN_PORT: '8080' }, 'ADMIN_PORT: must differ from PORT'],
    [{ ADMIN_PORT: '9090', PROBE_PORT: '9090' }, 'PROBE_PORT: must differ from ADMIN_PORT'],
    [{ ADMISSION_MIN_LIMIT: '500', ADMISSION_MAX_LIMIT: '10' }, 'ADMISSION_MIN_LIMIT'],
    // Moved to the nearest bound without a word before.
    [{ ADMISSION_INITIAL_LIMIT: '5000' }, 'ADMISSION_INITIAL_LIMIT: must be within'],
    [{ ADMISSION_INITIAL_LIMIT: '1' }, 'ADMISSION_INITIAL_LIMIT: must be within'],
    [{ HELLO_DELAY_MS: '3000', HELLO_MAX_DELAY_MS: '100' }, 'HELLO_DELAY_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '3000' }, 'SHUTDOWN_TIMEOUT_MS: must exceed SHUTDOWN_DRAIN_DELAY_MS'],
    [{ DB_QUERY_TIMEOUT_MS: '200' }, 'DB_QUERY_TIMEOUT_MS: must exceed DB_STATEMENT_TIMEOUT_MS'],
    [
      { UPSTREAM_DEADLINE_MARGIN_MS: '5000', REQUEST_TIMEOUT_MS: '1000' },
      'UPSTREAM_DEADLINE_MARGIN_MS: must be below REQUEST_TIMEOUT_MS',
    ],
    [
      { UPSTREAM_RETRY_BASE_DELAY_MS: '5000', UPSTREAM_RETRY_MAX_DELAY_MS: '10' },
      'UPSTREAM_RETRY_BASE_DELAY_MS: must not exceed UPSTREAM_RETRY_MAX_DELAY_MS (10 as set)',
    ],
    [
      { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '5000', OTEL_BSP_MAX_QUEUE_SIZE: '10' },
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must not exceed OTEL_BSP_MAX_QUEUE_SIZE (10 as set)',
    ],
  ])('contradicting settings %j are refused at parse time', (env, problem) => {
    expect(configProblems(env)).toContain(problem);
  });

  // A contradiction is reported under the variable the user set, the other's value beside it:
  // SHUTDOWN_DRAIN_DELAY_MS=30000 alone used to name SHUTDOWN_TIMEOUT_MS, which nobody had set.
  it.each([
    [{ PORT: '9090' }, 'PORT: must differ from ADMIN_PORT (9090 by default) (got "9090")'],
    [{ ADMIN_PORT: '8080' }, 'ADMIN_PORT: must differ from PORT (8080 by default) (got "8080")'],
    [
      { ADMISSION_MAX_LIMIT: '10' },
      'ADMISSION_MAX_LIMIT: must not be below ADMISSION_MIN_LIMIT (20 by default) (got "10")',
    ],
    [
      { ADMISSION_MIN_LIMIT: '2000' },
      'ADMISSION_MIN_LIMIT: must not exceed ADMISSION_MAX_LIMIT (1000 by default) (got "2000")',
    ],
    [
      { ADMISSION_MIN_LIMIT: '200' },
      'ADMISSION_MIN_LIMIT: must not exceed ADMISSION_INITIAL_LIMIT (100 by default) (got "200")',
    ],
    [
      { ADMISSION_MAX_LIMIT: '50' },
      'ADMISSION_MAX_LIMIT: must not be below ADMISSION_INITIAL_LIMIT (100 by default) (got "50")',
    ],
    [
      { ADMISSION_INITIAL_LIMIT: '5000' },
      'ADMISSION_INITIAL_LIMIT: must be within ADMISSION_MIN_LIMIT (20 by default) and ' +
        'ADMISSION_MAX_LIMIT (1000 by default) (got "5000")',
    ],
    [
      { HELLO_DELAY_MS: '40000' },
      'HELLO_DELAY_MS: must not exceed HELLO_MAX_DELAY_MS (30000 by default) (got "40000")',
    ],
    [
      { UPSTREAM_RETRY_MAX_DELAY_MS: '10' },
      'UPSTREAM_RETRY_MAX_DELAY_MS: must not be below UPSTREAM_RETRY_BASE_DELAY_MS (50 by default) (got "10")',
    ],
    [
      { UPSTREAM_RETRY_BASE_DELAY_MS: '5000' },
      'UPSTREAM_RETRY_BASE_DELAY_MS: must not exceed UPSTREAM_RETRY_MAX_DELAY_MS (1000 by default) (got "5000")',
    ],
    [
      { OTEL_BSP_MAX_QUEUE_SIZE: '100' },
      'OTEL_BSP_MAX_QUEUE_SIZE: must not be below OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512 by default) (got "100")',
    ],
    [
      { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20000' },
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must not exceed OTEL_BSP_MAX_QUEUE_SIZE (16384 by default) (got "20000")',
    ],
    [
      { SHUTDOWN_DRAIN_DELAY_MS: '30000' },
      'SHUTDOWN_DRAIN_DELAY_MS: must be below SHUTDOWN_TIMEOUT_MS (25000 by default) (got "30000")',
    ],
    [
      { SHUTDOWN_TIMEOUT_MS: '3000' },
      'SHUTDOWN_TIMEOUT_MS: must exceed SHUTDOWN_DRAIN_DELAY_MS (5000 by default) (got "3000")',
    ],
    [
      { DB_STATEMENT_TIMEOUT_MS: '10000' },
      'DB_STATEMENT_TIMEOUT_MS: must be below DB_QUERY_TIMEOUT_MS (6000 by default), or be 0 (got "10000")',
    ],
    [
      { DB_QUERY_TIMEOUT_MS: '200' },
      'DB_QUERY_TIMEOUT_MS: must exceed DB_STATEMENT_TIMEOUT_MS (5000 by default), or be 0 (got "200")',
    ],
    [
      { REQUEST_TIMEOUT_MS: '40' },
      'REQUEST_TIMEOUT_MS: must exceed UPSTREAM_DEADLINE_MARGIN_MS (50 by default) (got "40")',
    ],
    // The batch processor gave up on an export the exporter still ran: counted failed, and the
    // next one started beside it. The traces' own timeout is the one in effect when set.
    [
      { OTEL_EXPORTER_OTLP_TIMEOUT: '30000' },
      'OTEL_EXPORTER_OTLP_TIMEOUT: must not exceed OTEL_BSP_EXPORT_TIMEOUT (10000 by default) (got "30000")',
    ],
    [
      { OTEL_BSP_EXPORT_TIMEOUT: '5000' },
      'OTEL_BSP_EXPORT_TIMEOUT: must not be below OTEL_EXPORTER_OTLP_TIMEOUT (10000 by default) (got "5000")',
    ],
    [
      { OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '20000' },
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: must not exceed OTEL_BSP_EXPORT_TIMEOUT (10000 by default) (got "20000")',
    ],
    // Both set: the relation's own variable, the other's value as set.
    [
      { SHUTDOWN_TIMEOUT_MS: '3000', SHUTDOWN_DRAIN_DELAY_MS: '4000' },
      'SHUTDOWN_TIMEOUT_MS: must exceed SHUTDOWN_DRAIN_DELAY_MS (4000 as set) (got "3000")',
    ],
    [
      { UPSTREAM_DEADLINE_MARGIN_MS: '5000', REQUEST_TIMEOUT_MS: '1000' },
      'UPSTREAM_DEADLINE_MARGIN_MS: must be below REQUEST_TIMEOUT_MS (1000 as set) (got "5000")',
    ],
  ])('%j: the contradiction is named under the variable set', (env, problem) => {
    const lines = configProblems(env)?.split('\n').slice(1) ?? [];
    expect(lines.map((line) => line.trim())).toEqual([problem]);
  });

  it.each([
    [{ SHUTDOWN_DRAIN_DELAY_MS: '1e9' }, ['SHUTDOWN_DRAIN_DELAY_MS']],
    [{ DB_STATEMENT_TIMEOUT_MS: '9e9' }, ['DB_STATEMENT_TIMEOUT_MS']],
    [{ ADMISSION_MAX_LIMIT: '5e1' }, ['ADMISSION_MAX_LIMIT']],
    [
      { UPSTREAM_DEADLINE_MARGIN_MS: '30000', REQUEST_TIMEOUT_MS: '1000' },
      ['UPSTREAM_DEADLINE_MARGIN_MS'],
    ],
    [{ ADMIN_PORT: 'x', PROBE_PORT: 'x' }, ['ADMIN_PORT', 'PROBE_PORT']],
    // The generic timeout is not in effect for spans when the traces' own does not parse.
    [
      { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1e4', OTEL_EXPORTER_OTLP_TIMEOUT: '30000' },
      ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'],
    ],
    // Bounds that contradict each other are one problem, not also the initial limit's.
    [{ ADMISSION_MIN_LIMIT: '500', ADMISSION_MAX_LIMIT: '10' }, ['ADMISSION_MIN_LIMIT']],
  ])(
    '%j: each problem once, naming %j (nothing compared with a value that did not parse)',
    (env, names) => {
      const lines = configProblems(env)?.split('\n').slice(1) ?? [];
      expect(lines.map((line) => line.trim().split(':')[0])).toEqual(names);
    },
  );

  // zod skips an object's refinements once a field's problem ended its parse: an enum's typo or
  // a blank name was the only line, and the contradiction came at the next start.
  it.each([
    [{ NODE_ENV: 'prod', PORT: '9090' }, ['NODE_ENV', 'PORT']],
    [
      { LOG_LEVEL: 'verbose', SHUTDOWN_DRAIN_DELAY_MS: '30000' },
      ['LOG_LEVEL', 'SHUTDOWN_DRAIN_DELAY_MS'],
    ],
    [{ POD_NAME: ' ', HELLO_DELAY_MS: '40000' }, ['POD_NAME', 'HELLO_DELAY_MS']],
    [{ DATA_DIR: '/data ', ADMISSION_MAX_LIMIT: '10' }, ['DATA_DIR', 'ADMISSION_MAX_LIMIT']],
  ])('%j: a contradiction is listed beside any other problem, once', (env, names) => {
    const lines = configProblems(env)?.split('\n').slice(1) ?? [];
    expect(lines.map((line) => line.trim().split(':')[0])).toEqual(names);
  });

  it('a timeout of 0 (none) contradicts nothing', () => {
    const config = loadConfig({ DB_QUERY_TIMEOUT_MS: '0', SHUTDOWN_DRAIN_DELAY_MS: '0' });
    expect(config.DB_QUERY_TIMEOUT_MS).toBe(0);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0', DB_QUERY_TIMEOUT_MS: '100' })).toBeTruthy();
  });

  it('equal bounds are no contradiction: a constant backoff, a batch the size of the queue', () => {
    const config = loadConfig({
      UPSTREAM_RETRY_BASE_DELAY_MS: '200',
      UPSTREAM_RETRY_MAX_DELAY_MS: '200',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_BSP_MAX_QUEUE_SIZE: '64',
    });
    expect(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE).toBe(64);
  });

  it('ports of 0 (any free port, as tests use) may repeat', () => {
    expect(loadConfig({ PORT: '0', ADMIN_PORT: '0', PROBE_PORT: '0' }).PORT).toBe(0);
  });

  it.each([
    ['DEBUG_TOKEN', 'short'],
    ['ADMIN_TOKEN', ' '.repeat(20)],
    ['ADMIN_TOKEN', ' a-token-of-enough-length'],
    ['ADMIN_TOKEN', '€'.repeat(16)],
    // Not an RFC 6750 b64token: the guard reads `Bearer <token>` up to the first space.
    ['ADMIN_TOKEN', 'a-token with-a-space-inside'],
    ['DEBUG_TOKEN', 'a-token with-a-space-inside'],
    ['ADMIN_TOKEN', 'a-token-with-a-comma,inside'],
    ['ADMIN_TOKEN', 'padding=only-at-the-end'],
  ])('%s=%j is refused: too short, or what a header would lose or cannot carry', (name, value) => {
    expect(configProblems({ [name]: value })).toContain(name);
  });

  it.each([
    ['BACKEND_URLS', 'http://user:secretpw@127.0.0.1:18800'],
    // Unparsable: the credentials check threw, a stack trace that printed the URL.
    ['BACKEND_URLS', 'http://user:secretpw@[::1'],
    ['UPSTREAM_PATH', '/a b'],
    // An injected 405 went out without the Allow header HTTP requires with it.
    ['CHAOS_ERROR_STATUS', '405'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'api-key=a%0d%0aX-Evil:%201'],
  ])('%s=%j is refused: it started, then leaked or failed every call', (name, value) => {
    const message = configProblems({ [name]: value });
    expect(message).toContain(name);
    expect(message).not.toContain('secretpw');
  });

  // The exclusions ran after a failed bound: `200` was too small and, on a second line, no 4xx.
  it.each(['200', '600', '0', '405'])(
    'CHAOS_ERROR_STATUS=%j is one line saying what the variable takes',
    (value) => {
      expect(configProblems({ CHAOS_ERROR_STATUS: value })?.split('\n').slice(1)).toEqual([
        `  CHAOS_ERROR_STATUS: ${CHAOS_STATUS_MESSAGE} (got "${value}")`,
      ]);
    },
  );

  it("a variable's problems are one line naming it, a list's entries by position", () => {
    expect(
      configProblems({ BACKEND_URLS: 'ftp://a:1,http://b:2,http://user:pw@c:3,ftp://d:4' })
        ?.split('\n')
        .slice(1),
    ).toEqual([
      '  BACKEND_URLS: entry 1: expected a URL with protocol http: or https:; ' +
        'entry 3: must not carry credentials (user:password@); ' +
        'entry 4: expected a URL with protocol http: or https:',
    ]);
  });

  it('CACHE_MAX_ITEMS is capped where the cache it reserves up front stays small (~4 MB)', () => {
    expect(loadConfig({ CACHE_MAX_ITEMS: '100000' }).CACHE_MAX_ITEMS).toBe(100_000);
    // Reserved ~420 MB of arrays at start, nothing cached: near the pod's 512 Mi limit.
    expect(configProblems({ CACHE_MAX_ITEMS: '10000000' })).toContain('CACHE_MAX_ITEMS');
    expect(configProblems({ CACHE_MAX_ITEMS: '100001' })).toContain('CACHE_MAX_ITEMS');
  });

  it('CACHE_TTL_MS=0 is refused: it turned the cache off without a word (CACHE_MAX_ITEMS=0 does)', () => {
    expect(configProblems({ CACHE_TTL_MS: '0' })).toContain('CACHE_TTL_MS');
    expect(loadConfig({ CACHE_MAX_ITEMS: '0' }).CACHE_MAX_ITEMS).toBe(0);
  });

  // Only the origin and the path are used: `http://gw/b?tenant=a` called `/b/api/fanout`.
  it.each(['http://gw:8080/b?tenant=a', 'http://gw:8080/b#blue', 'http://gw:8080?'])(
    'BACKEND_URLS=%j (a query or a fragment, dropped when called) is refused',
    (value) => {
      expect(
        configProblems({ BACKEND_URLS: `http://a:1,${value}` })
          ?.split('\n')
          .slice(1),
      ).toEqual([
        '  BACKEND_URLS: entry 2: must not carry a query or a fragment (only its origin and path ' +
          'are used; a query goes in UPSTREAM_PATH)',
      ]);
    },
  );

  // PostgreSQL shows any byte outside printable ASCII as `?`: `rampart-é` was `rampart-??` in
  // pg_stat_activity, where operators tell pods apart by it.
  it.each(['rampart-é', 'tab\there', 'pod-✓'])(
    'DB_APPLICATION_NAME=%j (not printable ASCII) is refused',
    (value) => {
      expect(configProblems({ DB_APPLICATION_NAME: value })).toContain(
        'DB_APPLICATION_NAME: expected printable ASCII (PostgreSQL shows any other character as ?)',
      );
    },
  );

  it('DB_APPLICATION_NAME of printable ASCII is taken, up to 63 characters', () => {
    const name = `rampart canary/${'x'.repeat(48)}`;
    expect(loadConfig({ DB_APPLICATION_NAME: name }).DB_APPLICATION_NAME).toBe(name);
    expect(configProblems({ DB_APPLICATION_NAME: `${name}x` })).toContain('DB_APPLICATION_NAME');
  });

  it('splits BACKEND_URLS on commas', () => {
    const config = loadConfig({ BACKEND_URLS: 'http://a:1, http://b:2' });
    expect(config.BACKEND_URLS).toEqual(['http://a:1', 'http://b:2']);
  });
});

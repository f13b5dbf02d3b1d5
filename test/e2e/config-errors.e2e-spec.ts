import { startChild, type Child } from '../support/child-process.js';

/** The child's exit code, or 'started' (and then it is stopped) if it got as far as ready. */
async function outcome(child: Child): Promise<number | null | 'started'> {
  const started = await child.ready.then(
    () => true,
    () => false,
  );
  if (!started) return child.exited;
  child.process.kill('SIGTERM');
  await child.exited;
  return 'started';
}

/** The compiled service refuses these at start-up, as the image runs it: exit 78, no stack. */
describe('configuration errors stop start-up, naming the variable', () => {
  it('a blank optional string (POD_NAME of spaces from a template) stops start-up (exit 78)', async () => {
    const child = await startChild({ POD_NAME: '   ', UI_MESSAGE: ' ' }, { waitReady: false });
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain('POD_NAME: must not be blank (whitespace only)');
    expect(child.output()).toContain('UI_MESSAGE: must not be blank (whitespace only)');
  });

  it('a contradiction names the variable set, not its unset partner (exit 78)', async () => {
    const child = await startChild({ SHUTDOWN_DRAIN_DELAY_MS: '30000' }, { waitReady: false });
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain(
      'SHUTDOWN_DRAIN_DELAY_MS: must be below SHUTDOWN_TIMEOUT_MS (25000 by default)',
    );
    expect(child.output()).not.toContain('SHUTDOWN_TIMEOUT_MS: must');
  });

  // zod skips an object's refinements once a field's problem ended its parse: the typo in
  // NODE_ENV was the only line, and the contradiction came at the next start.
  it('a contradiction is listed beside a bad enum value, not at the next start (exit 78)', async () => {
    const child = await startChild(
      { NODE_ENV: 'prod', SHUTDOWN_DRAIN_DELAY_MS: '30000' },
      { waitReady: false },
    );
    expect(await outcome(child)).toBe(78);
    expect(child.output().match(/^ {2}[A-Z_]+: .*$/gm)).toEqual([
      '  NODE_ENV: Invalid option: expected one of "development"|"production"|"test" (got "prod")',
      '  SHUTDOWN_DRAIN_DELAY_MS: must be below SHUTDOWN_TIMEOUT_MS (25000 by default) (got "30000")',
    ]);
  });

  // It went as given to listen(), which failed: "HOST=127.0.0.1 : cannot listen: the host name
  // does not resolve (ENOTFOUND)", the space invisible and not what was named.
  it('HOST with whitespace around it stops start-up saying so (exit 78)', async () => {
    const child = await startChild({ HOST: '127.0.0.1 ' }, { waitReady: false });
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain(
      'HOST: must not start or end with whitespace (got "127.0.0.1 ")',
    );
    expect(child.output()).not.toContain('does not resolve');
  });

  // listen() failed on it after the migrations ran: "HOST=0.0.0.0:8080: cannot listen: the host
  // name does not resolve (ENOTFOUND)". An invisible character was the resolver's EINVAL.
  it.each([
    ['HOST', '0.0.0.0:8080', 'PORT'],
    ['HOST', '\u200b', 'PORT'],
    ['ADMIN_HOST', '[::1]', 'ADMIN_PORT'],
  ])(
    '%s=%j, no host name or address, stops start-up before listening (exit 78)',
    async (name, value, port) => {
      const child = await startChild({ [name]: value }, { waitReady: false });
      expect(await outcome(child)).toBe(78);
      expect(child.output()).toContain(
        `${name}: expected a host name, an IPv4 address or an IPv6 address, without brackets ` +
          `or a port (the port is ${port}) (got ${JSON.stringify(value)})`,
      );
      expect(child.output()).not.toContain('cannot listen');
    },
  );

  // The empty entry was dropped: the service started calling two backends where three were meant.
  it('BACKEND_URLS with an empty entry stops start-up naming it (exit 78)', async () => {
    const child = await startChild(
      { BACKEND_URLS: 'http://127.0.0.1:1,,http://127.0.0.1:2' },
      { waitReady: false },
    );
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain(
      'BACKEND_URLS: entry 2 is empty (two commas in a row, or one at either end)',
    );
  });

  // Only a backend URL's origin and path are used: the query was dropped from every call.
  it('a BACKEND_URLS entry with a query stops start-up naming it (exit 78)', async () => {
    const child = await startChild(
      { BACKEND_URLS: 'http://127.0.0.1:1/gw?tenant=a' },
      { waitReady: false },
    );
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain('BACKEND_URLS: entry 1: must not carry a query or a fragment');
  });

  // Sent as written, and a rampart backend answers a target holding # 400: the service started
  // and every backend's entry came back degraded.
  it('UPSTREAM_PATH with a fragment stops start-up naming it (exit 78)', async () => {
    const child = await startChild({ UPSTREAM_PATH: '/api/fanout#x' }, { waitReady: false });
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain('UPSTREAM_PATH: must not hold a fragment (#…)');
  });

  // zod ran the exclusions after the failed bound: the one variable was reported twice, as too
  // small and as not a 4xx.
  it('CHAOS_ERROR_STATUS=200 is one line saying what the variable takes (exit 78)', async () => {
    const child = await startChild({ CHAOS_ERROR_STATUS: '200' }, { waitReady: false });
    expect(await outcome(child)).toBe(78);
    expect(child.output().match(/^ {2}CHAOS_ERROR_STATUS: .*$/gm)).toEqual([
      '  CHAOS_ERROR_STATUS: must be a 4xx or 5xx that needs no header of its own ' +
        '(not 401, 405, 407, 408, 416 or 426) (got "200")',
    ]);
  });

  // The SDK's detector dropped the whole value for one bad entry, at diag level debug: the pod
  // started and exported its spans without any of the attributes.
  it('OTEL_RESOURCE_ATTRIBUTES with an entry the SDK cannot read stops start-up (exit 78)', async () => {
    const child = await startChild(
      { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team' },
      { waitReady: false },
    );
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain('OTEL_RESOURCE_ATTRIBUTES: entry 2: expected key=value');
    expect(child.output()).not.toMatch(/^\s+at /m);
  });

  // Node.js 20's JSON.parse gives a reviver no source text; its service started and read a chaos
  // latency of 1e-400 as 0, where a supported Node.js refuses it (config/runtime.check.ts).
  it('a Node.js without what rampart relies on stops start-up naming it (exit 78)', async () => {
    const withoutSource =
      'const parse = JSON.parse; JSON.parse = (text, reviver) => ' +
      'parse(text, reviver && ((key, value) => reviver(key, value)));';
    const child = await startChild(
      {},
      {
        waitReady: false,
        args: [`--import=data:text/javascript,${encodeURIComponent(withoutSource)}`],
      },
    );
    expect(await outcome(child)).toBe(78);
    expect(child.output()).toContain(
      `Node.js ${process.version}: rampart needs Node.js 22.19 or later`,
    );
  });
});

import { startChild } from '../support/child-process.js';
import { PG_ADMIN_URL } from '../support/database.js';
import { ThrowawayPostgres } from '../support/throwaway-postgres.js';

/**
 * A DATABASE_URL the server refuses is a bad setting, not an outage: start-up stops with exit 78
 * and one line naming the variable and the server's reason, without the URL (it may carry a
 * password) and without a stack trace. A server that does not answer is an outage: the service
 * starts without it.
 */
describe('a DATABASE_URL the server refuses stops start-up naming the variable (exit 78)', () => {
  const base = new URL(PG_ADMIN_URL);

  const variant = (change: (url: URL) => void): string => {
    const url = new URL(base);
    change(url);
    return url.toString();
  };

  // [case, the URL's change, SQLSTATE or resolver code the line names]
  it.each([
    ['a database that does not exist', (u: URL) => (u.pathname = '/rampart_no_such_db'), '3D000'],
    ['a role that does not exist', (u: URL) => (u.username = 'rampart_no_such_role'), '28000'],
    ['a host name that does not resolve', (u: URL) => (u.hostname = 'nosuch.invalid'), 'ENOTFOUND'],
    // The URL's own options reach the server beside the pool's (database/pg.startup-options.ts).
    [
      'options naming a setting the server does not know',
      (u: URL) => u.searchParams.set('options', '-c rampart_no_such_setting=1'),
      '42704',
    ],
    [
      'options giving a setting a value it does not take',
      (u: URL) => u.searchParams.set('options', '-c statement_timeout=soon'),
      '22023',
    ],
    [
      'options naming a setting without a value',
      (u: URL) => u.searchParams.set('options', '-c statement_timeout'),
      '42601',
    ],
    [
      'options changing a setting only a restart changes',
      (u: URL) => u.searchParams.set('options', '-c data_directory=/elsewhere'),
      '55P02',
    ],
    ['a database that takes no connections', (u: URL) => (u.pathname = '/template0'), '55000'],
  ])('%s', async (_case, change, code) => {
    const url = variant((u) => {
      change(u);
      u.password = 's3cret-not-to-print';
    });
    const child = await startChild({ DATABASE_URL: url }, { waitReady: false });
    expect(await child.exited).toBe(78);
    const said = child
      .output()
      .split('\n')
      .find((line) => line.includes('DATABASE_URL: cannot connect'));
    expect(said).toContain(`(${code})`);
    expect(child.output()).not.toContain('s3cret-not-to-print');
    expect(child.output()).not.toMatch(/^\s+at /m);
  });

  it('sslmode=require against a server without SSL (a throwaway one, SSL off)', async () => {
    const server = await ThrowawayPostgres.create();
    try {
      const url = `${server.url()}?sslmode=require`;
      const child = await startChild({ DATABASE_URL: url }, { waitReady: false });
      expect(await child.exited).toBe(78);
      expect(child.output()).toContain('DATABASE_URL: cannot connect: the URL requires SSL');
      expect(child.output()).not.toMatch(/^\s+at /m);
    } finally {
      await server.destroy();
    }
  });

  // An outage is waited out in the background (src/database/schema.startup.ts): the process
  // starts, answers what needs no database, and refuses data routes at once.
  it('a server that refuses connections is an outage, not a setting: it starts and waits', async () => {
    const url = variant((u) => (u.port = '1'));
    const child = await startChild({ DATABASE_URL: url });
    try {
      expect((await fetch(`${child.baseUrl}/hello`)).status).toBe(200);
      const items = await fetch(`${child.baseUrl}/api/items`);
      expect(items.status).toBe(503);
      expect(((await items.json()) as { code: string }).code).toBe('DB_UNAVAILABLE');
      expect(child.output()).toContain('database unavailable at start-up');
      expect(child.output()).not.toContain('invalid configuration');
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });
});

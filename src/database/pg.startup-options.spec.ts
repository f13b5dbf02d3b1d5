import pg from 'pg';
import { sessionStartup } from './pg.startup-options.js';

const CHECK = '-c client_connection_check_interval=1000';

describe('sessionStartup', () => {
  it('asks for the check in the startup options, the URL as given', () => {
    const url = 'postgres://u:p%40ss@db:5432/app?sslmode=disable';
    expect(sessionStartup(url, 1_000)).toEqual({ connectionString: url, options: CHECK });
  });

  it('0 sends nothing: the URL, its own options and the server setting stand', () => {
    const url = 'postgres://db/app?options=-c%20search_path%3Dx';
    expect(sessionStartup(url, 0)).toEqual({ connectionString: url });
  });

  it("keeps the URL's own options, after the check (a later -c wins), and its other parameters", () => {
    const url = 'postgres://db/app?application_name=a&options=-c+search_path%3Dx&sslmode=disable';
    expect(sessionStartup(url, 1_000)).toEqual({
      connectionString: 'postgres://db/app?application_name=a&sslmode=disable',
      options: `${CHECK} -c search_path=x`,
    });
  });

  it('what node-postgres then sends: both, where the URL alone replaced the options beside it', () => {
    const url = 'postgres://db/app?options=-c%20search_path%3Dx';
    const startup = sessionStartup(url, 1_000);
    const sent = new pg.Client(startup) as unknown as { connectionParameters: { options: string } };
    expect(sent.connectionParameters.options).toBe(`${CHECK} -c search_path=x`);
    const alone = new pg.Client({ connectionString: url, options: CHECK }) as unknown as {
      connectionParameters: { options: string };
    };
    expect(alone.connectionParameters.options).toBe('-c search_path=x');
  });
});

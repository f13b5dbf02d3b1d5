import { ConfigError, loadConfig } from './config.loader.js';

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
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', SHUTDOWN_TIMEOUT_MS: '-5', BACKEND_URLS: 'ftp://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('SHUTDOWN_TIMEOUT_MS');
    expect(message).toContain('BACKEND_URLS');
  });

  it('splits BACKEND_URLS on commas', () => {
    const config = loadConfig({ BACKEND_URLS: 'http://a:1, http://b:2' });
    expect(config.BACKEND_URLS).toEqual(['http://a:1', 'http://b:2']);
  });
});

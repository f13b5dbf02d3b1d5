import { configProblems } from '../../test/support/config-problems.js';
import { loadConfig } from './config.loader.js';

describe('page settings (UI_COLOR, UI_MESSAGE, TRACEZ_*)', () => {
  it('defaults: trace view on with 4,096 spans, no colour, no message', () => {
    const config = loadConfig({});
    expect(config.TRACEZ_ENABLED).toBe(true);
    expect(config.TRACEZ_MAX_SPANS).toBe(4096);
    expect(config.UI_COLOR).toBeUndefined();
    expect(config.UI_MESSAGE).toBeUndefined();
  });

  it.each(['#34577c', '#fff', 'teal', 'RebeccaPurple'])('accepts UI_COLOR=%s', (color) => {
    expect(loadConfig({ UI_COLOR: color }).UI_COLOR).toBe(color);
  });

  it.each(['red;background:url(x)', '#12345', 'rgb(1,2,3)', '"><script>', '#ggg', 'notacolour'])(
    'refuses UI_COLOR=%s, naming the variable',
    (color) => {
      expect(configProblems({ UI_COLOR: color })).toContain('UI_COLOR');
    },
  );

  it('refuses a UI_MESSAGE over 500 characters and a TRACEZ_MAX_SPANS below 16', () => {
    const message = configProblems({ UI_MESSAGE: 'x'.repeat(501), TRACEZ_MAX_SPANS: '4' });
    expect(message).toContain('UI_MESSAGE');
    expect(message).toContain('TRACEZ_MAX_SPANS');
    expect(loadConfig({ UI_MESSAGE: '<b>canary</b>' }).UI_MESSAGE).toBe('<b>canary</b>');
  });
});

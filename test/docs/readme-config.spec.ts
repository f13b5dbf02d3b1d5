import { readFileSync } from 'node:fs';
import { configKeys } from '../../src/config/config.schema.js';
import { ROOT } from '../support/child-process.js';

describe('README configuration table', () => {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');

  it.each(configKeys())('documents %s', (key) => {
    expect(readme).toMatch(new RegExp(`\\|[^\\n]*\`${key}\`[^\\n]*\\|`));
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, ensureBuilt } from './child-process.js';

/** A build script's module (scripts/<name>), for the tests of what it exports. */
export async function importScript<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, 'scripts', name)).href)) as T;
}

/** Every JavaScript chunk of the built bundle (dist/bundle/), built first if it is stale. */
export function bundleChunks(): { name: string; text: string }[] {
  ensureBuilt();
  const dir = join(ROOT, 'dist/bundle');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

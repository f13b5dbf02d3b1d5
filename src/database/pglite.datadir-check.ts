import { constants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config/config.loader.js';

/**
 * Checks DATA_DIR before PGlite opens it: an existing directory this process may read and write,
 * or one PGlite can create. PGlite makes the last level only, so the parent must exist (creating
 * the whole path would turn a typo into a new, empty database). PGlite's own failures were a
 * stack trace and exit 1, read as an outage (`ENOENT: … mkdir`), or no words at all (a file
 * there: `ErrnoError` 54). Throws a ConfigError naming DATA_DIR (main.ts, exit 78).
 */
export async function checkDataDir(path: string): Promise<void> {
  const own = await statOrCode(path);
  if (typeof own !== 'string') {
    if (!own.isDirectory()) throw refused(path, 'it is not a directory', 'ENOTDIR');
    return readWrite(path, path, 'not permitted to read and write it');
  }
  if (own === 'ENOTDIR') throw refused(path, 'a part of its path is not a directory', own);
  if (own !== 'ENOENT') throw refused(path, 'cannot look it up', own);
  const parent = await statOrCode(dirname(path));
  if (parent === 'ENOENT') throw refused(path, 'its parent directory does not exist', 'ENOENT');
  if (typeof parent === 'string') throw refused(path, 'cannot look up its parent', parent);
  return readWrite(path, dirname(path), 'not permitted to create it in its parent');
}

async function statOrCode(path: string): Promise<Stats | string> {
  return stat(path).catch((error: NodeJS.ErrnoException) => error.code ?? 'EIO');
}

async function readWrite(path: string, checked: string, why: string): Promise<void> {
  await access(checked, constants.R_OK | constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    throw refused(path, why, error.code ?? 'EACCES');
  });
}

function refused(path: string, why: string, code: string): ConfigError {
  return new ConfigError([`DATA_DIR: cannot open ${path}: ${why} (${code})`]);
}

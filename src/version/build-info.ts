import { readFileSync } from 'node:fs';

/** What `npm run build` recorded (scripts/build-info.mjs): the commit this code came from. */
export interface BuildInfo {
  /** Full commit id, or "unknown" when the build had neither git nor GIT_COMMIT. */
  commit: string;
  /** The checkout had uncommitted changes: the commit alone does not say what runs. */
  dirty: boolean;
  /** package.json's version at build time. */
  version: string;
}

const UNKNOWN: BuildInfo = Object.freeze({ commit: 'unknown', dirty: false, version: 'unknown' });

/**
 * Reads dist/build-info.json (beside the compiled code: this file is dist/version/build-info.js).
 * Missing or unreadable (running from source, a build by bare tsc) means "unknown", never a
 * start-up failure: identity is for people and dashboards, not a reason to refuse to serve.
 */
export function readBuildInfo(
  file: URL = new URL('../build-info.json', import.meta.url),
): BuildInfo {
  let parsed: Partial<BuildInfo>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BuildInfo>;
  } catch {
    return UNKNOWN;
  }
  return Object.freeze({
    commit: typeof parsed.commit === 'string' ? parsed.commit : UNKNOWN.commit,
    dirty: parsed.dirty === true,
    version: typeof parsed.version === 'string' ? parsed.version : UNKNOWN.version,
  });
}

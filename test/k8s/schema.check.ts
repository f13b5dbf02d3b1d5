/**
 * Strict offline schema check: each rendered object becomes a typed constant in a generated
 * TypeScript file and `tsc` compiles it. Object-literal excess-property checks make any unknown
 * field (a typo, a field from another API version) an error at its exact path; `apiVersion`/`kind`
 * pairs are looked up in kubernetes-types, so a removed API version (policy/v1beta1,
 * autoscaling/v2beta2, …) has no type and is rejected before tsc runs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, type K8sObject } from './manifests.js';

const TYPES_DIR = join(ROOT, 'node_modules', 'kubernetes-types');
export const CHECK_DIR = join(ROOT, 'node_modules', '.cache', 'rampart-k8s-schema');

/** Custom resources rampart ships, with their strict local types. */
const CRD_TYPES: Record<string, { module: string; name: string }> = {
  'monitoring.coreos.com/v1/ServiceMonitor': {
    module: relative(CHECK_DIR, join(ROOT, 'test/k8s/servicemonitor.types.js')),
    name: 'ServiceMonitor',
  },
};

export interface TypeRef {
  module: string;
  name: string;
}

function dts(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return dts(path);
    return path.endsWith('.d.ts') ? [path] : [];
  });
}

let served: Map<string, TypeRef> | undefined;

/** `apiVersion/kind` → TypeScript type, for every kind kubernetes-types (one release) serves. */
export function servedKinds(): Map<string, TypeRef> {
  if (served) return served;
  served = new Map();
  for (const file of dts(TYPES_DIR)) {
    const module = `kubernetes-types/${relative(TYPES_DIR, file).replace(/\.d\.ts$/, '')}`;
    for (const block of readFileSync(file, 'utf8')
      .split(/\nexport interface /)
      .slice(1)) {
      const name = /^(\w+)/.exec(block)?.[1];
      const apiVersion = /\n\s+apiVersion\?: "([^"]+)";/.exec(block)?.[1];
      const kind = /\n\s+kind\?: "([^"]+)";/.exec(block)?.[1];
      if (name && apiVersion && kind === name)
        served.set(`${apiVersion}/${kind}`, { module, name });
    }
  }
  for (const [key, ref] of Object.entries(CRD_TYPES)) served.set(key, ref);
  return served;
}

/** Stable API versions only: alpha/beta kinds can vanish in a minor release. */
export function isStableVersion(apiVersion: string): boolean {
  return /^(.+\/)?v\d+$/.test(apiVersion);
}

export interface Generated {
  source: string;
  /** Objects that could not be typed (removed or unknown API version / kind). */
  problems: string[];
}

/** One `export const` per object, typed by its apiVersion/kind. */
export function generateTypedConstants(label: string, objs: K8sObject[]): Generated {
  const kinds = servedKinds();
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const problems: string[] = [];
  objs.forEach((obj, index) => {
    const id = `${obj.apiVersion}/${obj.kind}`;
    const ref = kinds.get(id);
    const where = `${label}: ${obj.kind}/${obj.metadata?.name}`;
    if (!ref) {
      problems.push(
        `${where}: apiVersion ${obj.apiVersion} does not serve kind ${obj.kind} (removed or unknown)`,
      );
      return;
    }
    if (!isStableVersion(obj.apiVersion)) {
      problems.push(`${where}: ${obj.apiVersion} is not a stable API version`);
    }
    const alias = `${ref.name}_${ref.module.replace(/\W+/g, '_')}`;
    imports.set(alias, `import type { ${ref.name} as ${alias} } from '${ref.module}';`);
    const constName = `${label.replace(/\W+/g, '_')}_${index}_${obj.kind}_${obj.metadata.name.replace(/\W+/g, '_')}`;
    lines.push(`export const ${constName}: ${alias} = ${JSON.stringify(obj, null, 2)};`);
  });
  return { source: `${[...imports.values()].join('\n')}\n\n${lines.join('\n\n')}\n`, problems };
}

export interface Diagnostic {
  file: string;
  line: number;
  message: string;
  /** The `export const` the error is in: names the object. */
  constant?: string;
}

/** Writes the files, runs tsc once over all of them, returns its diagnostics by file. */
export async function typecheck(files: Record<string, string>): Promise<Diagnostic[]> {
  mkdirSync(CHECK_DIR, { recursive: true });
  const paths = Object.entries(files).map(([name, source]) => {
    const path = join(CHECK_DIR, `${name}.ts`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    return path;
  });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    tsc,
    // TypeScript 6 refuses to compile files named on the command line beside a tsconfig.json.
    '--ignoreConfig',
    '--noEmit',
    '--pretty',
    'false',
    '--strict',
    '--exactOptionalPropertyTypes',
    '--target',
    'es2023',
    '--module',
    'preserve',
    '--moduleResolution',
    'bundler',
    '--types',
    'node',
    // The generated constants are what is checked: the declaration files they are typed by
    // (kubernetes-types, @types/node, the ES library) are not re-checked at each run, and the
    // DOM's are not loaded. Same diagnostics for the constants, ~1/3 of the CPU (7.7 -> 2.5 s).
    '--lib',
    'es2023',
    '--skipLibCheck',
    ...paths,
  ];
  const output = await promisify(execFile)(process.execPath, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  })
    .then(({ stdout }) => stdout)
    .catch((error: { stdout?: string; code?: number }) => {
      if (typeof error.stdout === 'string' && (error.code === 1 || error.code === 2))
        return error.stdout;
      throw error;
    });
  const unlocated = output.split('\n').filter((line) => /^error TS\d+/.test(line));
  if (unlocated.length > 0) throw new Error(`tsc failed before checking: ${unlocated.join('; ')}`);
  const sources = new Map(paths.map((p) => [p, readFileSync(p, 'utf8').split('\n')]));
  return output
    .split('\n')
    .map((line) => /^(.+?)\((\d+),\d+\): error (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const file = join(ROOT, m[1]!);
      const lineNo = Number(m[2]);
      const src = sources.get(file) ?? [];
      let constant: string | undefined;
      for (let i = lineNo - 1; i >= 0 && !constant; i--) {
        constant = /^export const (\w+)/.exec(src[i] ?? '')?.[1];
      }
      return { file: relative(CHECK_DIR, file), line: lineNo, message: m[3]!, constant };
    });
}

export interface Validatable {
  validate(): void;
}
export type ModelClass = new (data: unknown) => Validatable;

/** kubernetes-models' validator class for the object's apiVersion and kind, if it has one. */
export async function modelFor(obj: K8sObject): Promise<ModelClass | undefined> {
  try {
    const group = (await import(`kubernetes-models/${obj.apiVersion}`)) as Record<string, unknown>;
    return group[obj.kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

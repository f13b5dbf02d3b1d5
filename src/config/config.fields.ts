import { z } from 'zod';

/**
 * Field builders shared by every config fragment. Environment values are strings;
 * these convert them once at boot and reject anything ambiguous ("10abc", "yes-ish", " ",
 * "0x4a64", "1e3": `z.coerce.number` took a blank value for 0 and hex for a port).
 * No sign either: no setting takes a negative number, and `PORT=-0` passed as 0 (a random
 * port). The Helm chart refuses signs too (`^[0-9]+$`, charts/rampart/templates/_helpers.tpl).
 */
const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Refused for every variable: an empty value is unset (loadConfig), a blank one is not. */
export const BLANK_MESSAGE = 'must not be blank (whitespace only)';

/**
 * Whitespace at either end of a value: what `trim()` removes, and U+0085 (NEL), which it keeps
 * although Unicode counts it as whitespace (`HOST=$'127.0.0.1\u0085'` passed as trimmed).
 */
const EDGE_WHITESPACE = /^[\s\u0085]+|[\s\u0085]+$/g;
const withoutEdgeWhitespace = (v: string): string => v.replace(EDGE_WHITESPACE, '');

/** Whether `v` has something besides whitespace in it. */
export const notBlank = (v: string): boolean => withoutEdgeWhitespace(v) !== '';

/**
 * Refused for every variable but a list, whose entries may have whitespace around them (`a, b`,
 * as the OpenTelemetry lists are written): whitespace around a value cannot be meant, it is a
 * quoting slip in a template. `DATA_DIR='/data '` opened a directory beside the mounted volume;
 * `DATABASE_URL=' postgres://…'` passed the URL check (the URL parser trims it) and went to the
 * driver with its spaces; `HOST='127.0.0.1 '` failed at listen as a host that does not resolve;
 * `SERVICE_VERSION='1.4.2 '` was reported with its space. Not trimmed: the value would be read
 * otherwise than it was written, and the next reader of the template sees what it holds.
 */
export const UNTRIMMED_MESSAGE = 'must not start or end with whitespace';
const isTrimmed = (v: string | undefined): boolean =>
  v === undefined || v === withoutEdgeWhitespace(v);

/**
 * What every value but a list is first: not blank, no whitespace around it. Nothing later is
 * checked of a value that is either (`abort`): its one problem is said once, not also as "not a
 * number" or "not a colour" (the relations are checked on their own, config.schema.ts).
 */
const given = () =>
  z
    .string()
    .refine(notBlank, { message: BLANK_MESSAGE, abort: true })
    .refine(isTrimmed, { message: UNTRIMMED_MESSAGE, abort: true });

/**
 * A whole number from `min` to `max`. `outOfRange` replaces zod's "Too small"/"Too big" where a
 * field says in one message all it takes (chaos-status.field.ts).
 */
export const int = (min: number, max: number, outOfRange?: string) =>
  given()
    .regex(WHOLE, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min, outOfRange).max(max, outOfRange))
    // Read by the Helm chart's schema spec (test/k8s/helm.config-names.spec.ts): the chart
    // refuses at install what the app would refuse at start.
    .meta({ minimum: min, maximum: max });

/** A decimal number (a ratio, a rate), exponent allowed. */
export const decimal = (min: number, max: number) =>
  given()
    .regex(DECIMAL, 'expected a decimal number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

export const port = () => int(0, 65535);

/** One of `values`, as written (case and all). */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  given().pipe(z.enum(values));

/** ASCII letters in lower case, nothing else: the values compared with are ASCII. */
const asciiLower = (v: string): string => v.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * One of `values` (all lower case) in any case, given back as `values` spells it: the
 * OpenTelemetry environment variable specification says enum values SHOULD be read
 * case-insensitively (its "Enum value" section), and `OTEL_TRACES_SAMPLER=ALWAYS_ON` or
 * `OTEL_EXPORTER_OTLP_PROTOCOL=GRPC` stopped start-up.
 */
export const otelEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  given().transform(asciiLower).pipe(z.enum(values));

/** The words a boolean is written in, and which of them mean true: one rule for both fields. */
const booleanWord = () =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1');

export const bool = () => given().pipe(booleanWord());

/**
 * An OpenTelemetry boolean (OTEL_SDK_DISABLED): as bool(), in any case, as the specification
 * reads `true` ("the case-insensitive string").
 */
export const otelBool = () => given().transform(asciiLower).pipe(booleanWord());

/**
 * A name, a version, a host: not blank, no whitespace around it. An empty value is unset
 * (loadConfig) and takes the default; one of only whitespace is refused, as a blank number is:
 * `SERVICE_VERSION=' '` started and reported a version of one space.
 */
export const text = () => given();

/** A comma-separated list's entries, each without the whitespace around it (`a, b`). */
export const listEntries = (raw: string): string[] => raw.split(',').map((entry) => entry.trim());

/**
 * Why a list is refused for its empty entries (`a,,b`, `a,`), or undefined: an entry a template
 * lost, refused in every list rather than skipped (BACKEND_URLS took `http://a,,http://b` as two
 * backends where three were meant). Whitespace alone is an empty entry too.
 */
export function emptyEntriesProblem(entries: readonly string[]): string | undefined {
  const empty = entries.flatMap((entry, index) => (entry === '' ? [index + 1] : []));
  if (empty.length === 0) return undefined;
  const verb = empty.length === 1 ? 'is' : 'are';
  return `${entriesNamed(empty)} ${verb} empty (two commas in a row, or one at either end)`;
}

/** `entry 2`, `entries 1 and 3`, `entries 1, 2 and 4`: positions, counted from 1. */
function entriesNamed(positions: readonly number[]): string {
  return positions.length === 1
    ? `entry ${positions[0]}`
    : `entries ${positions.slice(0, -1).join(', ')} and ${positions.at(-1)}`;
}

/**
 * A list's entries that share a key (`keyOf`, undefined for an entry the list's own checks
 * refuse), one problem per repeated key: `entries 1 and 3 ${said(key)}`. A repeated key was
 * read last-one-wins or first-one-wins without a word, so one of two values set was not used.
 */
export function repeatedKeyProblems(
  keys: readonly (string | undefined)[],
  said: (key: string) => string,
): string[] {
  const positions = new Map<string, number[]>();
  keys.forEach((key, index) => {
    if (key !== undefined) positions.set(key, [...(positions.get(key) ?? []), index + 1]);
  });
  return [...positions]
    .filter(([, at]) => at.length > 1)
    .map(([key, at]) => `${entriesNamed(at)} ${said(key)}`);
}

/**
 * An optional list's value: an empty value (`FOO=`) is unset, a blank one refused. A blank
 * value is a template whose value was missing. Whitespace around the entries is the list's own
 * syntax, and each list field reads it (a blank entry is refused there).
 */
export const optionalList = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v))
    .refine((v) => v === undefined || notBlank(v), { message: BLANK_MESSAGE, abort: true });

/**
 * Optional string that treats an empty value (`FOO=`) as unset and refuses a blank one, or one
 * with whitespace around it, as text() does: `POD_NAME='   '` started, and the pod called itself
 * three spaces in /api/info and its spans; `DATA_DIR=' '` handed the embedded database a
 * directory named by a space. Nothing later is checked of such a value (`abort`): its one
 * problem is said once, not also as "too short" or "not a colour".
 */
export const optionalString = () =>
  optionalList().refine(isTrimmed, { message: UNTRIMMED_MESSAGE, abort: true });

/**
 * Said of a value the URL parser cannot read, apart from one of another scheme: the value of a
 * URL that may carry credentials is never shown (config.loader.ts), and
 * `DATABASE_URL=postgres://u:p@db:54320/x`, one digit too many, was told "expected a URL with
 * protocol postgres: or postgresql:", the one part that was right.
 */
export const UNPARSABLE_URL_MESSAGE =
  'does not parse as a URL (look at its host and port: a host missing or holding a space or ' +
  'an unclosed [, a port past 65535)';

/**
 * A URL of one of `protocols`. Nothing later is checked of one that is not (`abort`): REDIS_URL's
 * database check read `http://a/x`'s path and added "the database … must be a number".
 */
export const url = (protocols: string[]) =>
  given()
    .refine((v) => URL.canParse(v), { message: UNPARSABLE_URL_MESSAGE, abort: true })
    .refine((v) => protocols.includes(new URL(v).protocol), {
      message: `expected a URL with protocol ${protocols.join(' or ')}`,
      abort: true,
    });

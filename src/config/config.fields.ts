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

/**
 * A whole number from `min` to `max`. `outOfRange` replaces zod's "Too small"/"Too big" where a
 * field says in one message all it takes (chaos-status.field.ts).
 */
export const int = (min: number, max: number, outOfRange?: string) =>
  z
    .string()
    .regex(WHOLE, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min, outOfRange).max(max, outOfRange))
    // Read by the Helm chart's schema spec (test/k8s/helm.config-names.spec.ts): the chart
    // refuses at install what the app would refuse at start.
    .meta({ minimum: min, maximum: max });

/** A decimal number (a ratio, a rate), exponent allowed. */
export const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(DECIMAL, 'expected a decimal number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

export const port = () => int(0, 65535);

export const bool = () =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1');

/** Refused for every string variable: an empty value is unset (loadConfig), a blank one is not. */
export const BLANK_MESSAGE = 'must not be blank (whitespace only)';

/** Whether `v` has something besides whitespace in it. */
export const notBlank = (v: string): boolean => v.trim() !== '';

/**
 * A name, a version, a host: not blank. An empty value is unset (loadConfig) and takes the
 * default; one of only whitespace is refused, as a blank number is: `SERVICE_VERSION=' '`
 * started and reported a version of one space. Other whitespace is kept as given.
 */
export const text = () => z.string().refine(notBlank, { message: BLANK_MESSAGE });

/**
 * Optional string that treats an empty value (`FOO=`) as unset and refuses a blank one, as
 * text() does. A blank value is a template whose value was missing: `POD_NAME='   '` started,
 * and the pod called itself three spaces in /api/info and its spans; `DATA_DIR=' '` handed the
 * embedded database a directory named by a space. Nothing later is checked of a blank value
 * (`abort`): its one problem is said once, not also as "too short" or "not a colour".
 */
export const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v))
    .refine((v) => v === undefined || notBlank(v), { message: BLANK_MESSAGE, abort: true });

/**
 * Refused where whitespace around a value cannot be meant (a URL, a path, a Kubernetes name):
 * a quoting slip in a template. `DATA_DIR='/data '` opened a directory beside the mounted
 * volume, and `DATABASE_URL=' postgres://…'` passed the URL check (the URL parser trims it) and
 * went to the driver with its spaces.
 */
export const UNTRIMMED_MESSAGE = 'must not start or end with whitespace';
const isTrimmed = (v: string | undefined): boolean => v === undefined || v === v.trim();

/** optionalString() for a path or a name: no whitespace around it either. */
export const optionalName = () =>
  optionalString().refine(isTrimmed, { message: UNTRIMMED_MESSAGE, abort: true });

export const url = (protocols: string[]) =>
  z
    .string()
    .refine(isTrimmed, { message: UNTRIMMED_MESSAGE, abort: true })
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `expected a URL with protocol ${protocols.join(' or ')}` },
    );

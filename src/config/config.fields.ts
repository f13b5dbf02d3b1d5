import { z } from 'zod';

/**
 * Field builders shared by every config fragment. Environment values are strings;
 * these coerce them once at boot and reject anything ambiguous ("10abc", "yes-ish").
 */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const port = () => int(0, 65535);

export const bool = () =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1');

/** Optional string that treats an empty value (`FOO=`) as unset. */
export const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

export const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL with protocol ${protocols.join(' or ')}` },
  );

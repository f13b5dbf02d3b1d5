import { z } from 'zod';
import {
  BLANK_MESSAGE,
  emptyEntriesProblem,
  listEntries,
  notBlank,
  repeatedKeyProblems,
} from './config.fields.js';

/** An HTTP header name (RFC 9110 token); gRPC metadata keys are a subset in lower case. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** RFC 9110 §5.5: a field value holds no control character but horizontal tab. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS and its signal-specific sibling: `key=value` pairs separated by
 * commas, values percent-decoded (the W3C Baggage format without properties, as the OTLP
 * exporter specification defines it,
 * opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables).
 * Typically an API key for a hosted backend, so a malformed entry is named by position, never
 * echoed, and the loader keeps the value out of its error message.
 */
export const otlpHeaders = () =>
  z
    .string()
    .optional()
    .transform((raw, ctx): Readonly<Record<string, string>> | undefined => {
      if (raw === undefined || raw === '') return undefined;
      // Blank was read as "no headers": an API key missing from a template exported without it.
      if (!notBlank(raw)) {
        ctx.addIssue({ code: 'custom', message: BLANK_MESSAGE });
        return z.NEVER;
      }
      const headers: Record<string, string> = {};
      const empty = emptyEntriesProblem(listEntries(raw));
      if (empty !== undefined) ctx.addIssue({ code: 'custom', message: empty });
      // One name twice (in any case: HTTP field names are case-insensitive, RFC 9110 §5.1) kept
      // the last value, and the other, often an API key or a tenant, was never sent. The name is
      // said, never the values.
      const names = raw.split(',').map((entry) => {
        const at = entry.indexOf('=');
        const key = entry.slice(0, at).trim();
        return at > 0 && HEADER_NAME.test(key) ? key.toLowerCase() : undefined;
      });
      const repeated = repeatedKeyProblems(
        names,
        (name) => `set one header, ${name} (names are case-insensitive): set it once`,
      );
      for (const message of repeated) ctx.addIssue({ code: 'custom', message });
      raw.split(',').forEach((entry, index) => {
        if (entry.trim() === '') return; // said above
        const at = entry.indexOf('=');
        const key = entry.slice(0, at).trim();
        let value: string | undefined;
        try {
          value = decodeURIComponent(entry.slice(at + 1).trim());
        } catch {
          value = undefined;
        }
        // A value that decodes to a control character (`%0d%0a`) is no header value: every
        // export failed with ERR_INVALID_CHAR and dropped its spans, after a start that looked
        // fine.
        if (at <= 0 || !HEADER_NAME.test(key) || value === undefined || hasControl(value)) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${index + 1} is not key=value with a header name and a percent-encoded value`,
          });
          return;
        }
        headers[key.toLowerCase()] = value;
      });
      return Object.freeze(headers);
    });

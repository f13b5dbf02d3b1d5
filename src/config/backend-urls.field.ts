import { z } from 'zod';
import {
  BLANK_MESSAGE,
  emptyEntriesProblem,
  listEntries,
  notBlank,
  repeatedKeyProblems,
  url,
} from './config.fields.js';

/**
 * A backend's name: `host:port[/prefix]` (the default port and a trailing slash left out, the
 * host in lower case, as the URL parser gives them). Its label in metrics and logs and the key
 * of its breaker, bulkhead and retry budget (upstream/upstream.backend.ts).
 */
export function backendName(url: URL): string {
  return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** One entry of the list. */
const backendUrl = url(['http:', 'https:'])
  .refine(
    (v) => {
      // Refinements all run: a URL that does not parse is the check above's to report (a throw
      // here was a stack trace at start-up that printed the URL, credentials and all).
      if (!URL.canParse(v)) return true;
      const { username, password } = new URL(v);
      return username === '' && password === '';
    },
    // Never sent (requests go to the URL's origin), and the URL is shown in /api/fanout.
    { message: 'must not carry credentials (user:password@)' },
  )
  // Only the origin and the path are used (upstream.backend.ts): `http://gw/b?tenant=a`
  // started and called `/b/api/fanout`, the query dropped without a word.
  .refine((v) => !v.includes('?') && !v.includes('#'), {
    message:
      'must not carry a query or a fragment (only its origin and path are used; a query goes in UPSTREAM_PATH)',
  });

/**
 * BACKEND_URLS: comma-separated http(s) URLs, each one backend, none named twice. Two entries
 * of one name (`http://b:2,http://B:2/`, or `http://b:2` and `https://b:2`) were one backend:
 * the second was dropped without a word, and with it its scheme. Each entry is checked here,
 * not by a piped array, whose own checks zod skips once an entry failed: a repetition is said
 * beside the entries' problems, not at the next start.
 */
export const backendUrls = () =>
  z
    .string()
    .default('')
    // Empty (unset) is a leaf; blank was one too, where a template had lost the list.
    .refine((v) => v === '' || notBlank(v), { message: BLANK_MESSAGE, abort: true })
    // Only separators (`' , '`) is a template whose values all went missing, not a leaf.
    .refine((v) => v === '' || v.split(',').some(notBlank), {
      message: 'lists no URL (only commas and whitespace)',
      abort: true,
    })
    .transform((v, ctx): string[] => {
      if (v === '') return [];
      const entries = listEntries(v);
      const empty = emptyEntriesProblem(entries);
      if (empty !== undefined) {
        ctx.addIssue({ code: 'custom', message: empty });
        return z.NEVER;
      }
      const names = entries.map((entry, index) => {
        const { error } = backendUrl.safeParse(entry);
        for (const { message } of error?.issues ?? []) {
          ctx.addIssue({ code: 'custom', message, path: [index] });
        }
        return error === undefined ? backendName(new URL(entry)) : undefined;
      });
      const repeated = repeatedKeyProblems(
        names,
        (name) => `are one backend, ${name} (its name in metrics and logs): list it once`,
      );
      for (const message of repeated) ctx.addIssue({ code: 'custom', message });
      return entries;
    });

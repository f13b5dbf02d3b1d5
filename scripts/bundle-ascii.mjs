// Keeps the bundle's chunks ASCII, for scripts/bundle.mjs. Node decodes a module's file into a
// string before compiling it, and one character past ASCII makes the whole string two-byte:
// main.js (4.9 MB) took 30 ms to decode with 237 such bytes in it, 15 ms without, and V8 and
// Node scan that string again as it compiles and loads. esbuild escapes what it safely can
// (string literals, untagged templates) but keeps comments, regular expressions and tagged
// templates as written. In comments (the third-party packages' own), each character past ASCII
// becomes `?`: one UTF-16 unit for one, so no column moves and the source maps stay exact.
// rampart's own regular expressions and tagged templates are written in ASCII (`\u00b5`,
// `&middot;`); test/build/bundle-ascii.spec.ts fails on a chunk that is not.
import { parse } from 'acorn';

const PAST_ASCII = /[^\p{ASCII}]/gu;
const ANY_PAST_ASCII = /[^\p{ASCII}]/u;

/** @returns {{ text: string, replaced: number }} */
export function asciiComments(text) {
  if (!ANY_PAST_ASCII.test(text)) return { text, replaced: 0 };
  /** @type {Array<[number, number]>} */
  const comments = [];
  parse(text, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    onComment: (_block, _text, start, end) => comments.push([start, end]),
  });
  let out = '';
  let from = 0;
  let replaced = 0;
  for (const [start, end] of comments) {
    const comment = text.slice(start, end);
    // A character outside the BMP is two UTF-16 units, and becomes two `?`.
    const ascii = comment.replace(PAST_ASCII, (character) => {
      replaced += 1;
      return '?'.repeat(character.length);
    });
    out += text.slice(from, start) + ascii;
    from = end;
  }
  return { text: out + text.slice(from), replaced };
}

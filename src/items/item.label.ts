/**
 * What may not start or end a name or a tag: a character that shows nothing there. With one at
 * an edge, `kettle` and `kettle` + U+200B were two items that look the same. Inside the text
 * each stays as sent (a ZWJ joins an emoji sequence, a bidi mark places a word).
 *
 * - Unicode's whitespace (White_Space: trim() keeps U+0085 NEL, and a name ending in it was
 *   stored) and the controls (C0, DEL, C1). Not U+0000, which has a refusal of its own
 *   (items.input.ts): one problem, said once.
 * - Default_Ignorable_Code_Point: Unicode's own list of what draws nothing unless a renderer
 *   supports it (the zero-width and bidi controls, U+FEFF, the soft hyphen, the Hangul fillers,
 *   the combining grapheme joiner, the variation selectors, the tag characters, and the code
 *   points kept for more of them). A list of our own missed the Hangul fillers (a name of U+3164
 *   alone looked blank), U+034F, U+17B4/U+17B5 and the Mongolian free variation selectors.
 * - The format characters (General_Category Cf) that list leaves out: at an edge each formats
 *   nothing, and draws nothing. The interlinear annotation controls U+FFF9-U+FFFB (their text is
 *   shown between them), and the Egyptian hieroglyph format controls U+13430-U+1343F: a joiner
 *   or an insertion at an edge has no sign on one side, and the signs look as they do without
 *   it (`kettle` + U+13430 looked like `kettle`). Their segment and enclosure brackets go with
 *   them: a quadrat whose first or last part is a bracketed group is no name as it stands, the
 *   price of a rule that needs no parser of quadrats. Kept are the prepended concatenation marks
 *   (U+0600-U+0605, U+06DD, U+070F, U+0890, U+0891, U+08E2, U+110BD, U+110CD): unlike the other
 *   format characters they are drawn (The Unicode Standard, section 23.2: a number sign, the end
 *   of an ayah, spanning the digits after it), their place is the start of a number, and alone
 *   or last they still show their sign.
 * - Blanks that are no format characters: U+2800 BRAILLE PATTERN BLANK (no dot raised),
 *   U+13441/U+13442 EGYPTIAN HIEROGLYPH FULL BLANK and HALF BLANK (an empty quadrat's space),
 *   U+1D159 MUSICAL SYMBOL NULL NOTEHEAD (the empty head a stem hangs from).
 *
 * The edges are read by code point: one UTF-16 unit at a time, U+E0001 or U+1D173 at the end
 * was half a surrogate pair, and passed. One expression in the `u` flag's syntax, which JSON
 * Schema's `pattern` takes (ajv compiles it so): the OpenAPI document states this same rule.
 */
const PREPENDED_CONCATENATION_MARKS = String.raw`[\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u{110BD}\u{110CD}]`;
// No mark is whitespace, a control or default-ignorable: excluded from all, they leave only Cf.
const INVISIBLE =
  String.raw`(?:(?!${PREPENDED_CONCATENATION_MARKS})[\p{White_Space}\x01-\x1F\x7F-\x9F` +
  String.raw`\p{Default_Ignorable_Code_Point}\p{Cf}\u2800\u{13441}\u{13442}\u{1D159}])`;

/**
 * The ends that are default-ignorable and yet no invisible edge: a variation selector after a
 * visible character of the kind Unicode defines variation sequences for, and an emoji tag
 * sequence. After any other character a selector selects nothing and draws nothing
 * (`kettle` + U+FE0F looked like `kettle`).
 * - U+FE00-U+FE0F: emoji presentation (U+FE0E text, U+FE0F emoji: U+2764 U+FE0F, a red heart)
 *   and the standardized variation sequences (StandardizedVariants.txt: math symbols, digit
 *   zero, CJK compatibility ideographs, Myanmar, Phags-pa, Manichaean, Egyptian hieroglyphs);
 * - U+E0100-U+E01EF after an ideograph: the Ideographic Variation Database's forms (a family
 *   name's registered glyph);
 * - U+180B-U+180D, U+180F after a Mongolian letter: its other forms;
 * - an emoji, tag characters, then CANCEL TAG (U+E007F): a subdivision flag (UTS #51).
 * A base is visible: the Egyptian script's format controls and blanks are no base, and a
 * selector after one ends no name (U+13430 U+FE00 passed as a hieroglyph's variant). A
 * hieroglyph then a format control ends none either (INVISIBLE says why); inside a name the
 * pair stays, as every character does.
 */
const VISIBLE = `(?!${INVISIBLE})`;
const STANDARDIZED_BASE =
  String.raw`[\p{Emoji}\p{Math}\p{Ideographic}\p{Script=Myanmar}\p{Script=Phags_Pa}` +
  String.raw`\p{Script=Manichaean}\p{Script=Egyptian_Hieroglyphs}]`;
const SEQUENCE_END = [
  String.raw`${STANDARDIZED_BASE}[\uFE00-\uFE0F]`,
  String.raw`\p{Ideographic}[\u{E0100}-\u{E01EF}]`,
  String.raw`\p{Script=Mongolian}[\u180B-\u180D\u180F]`,
  String.raw`\p{Emoji}[\u{E0020}-\u{E007E}]+\u{E007F}`,
]
  .map((sequence) => `${VISIBLE}${sequence}`)
  .join('|');

/**
 * The rule at the start of a text, matching nothing but the empty string before it: the start is
 * visible, and so is the end or it ends a sequence (above). Lookarounds alone, so that a schema
 * can put it after other rules of the same text (items.input.ts).
 */
export const VISIBLE_EDGES = String.raw`${VISIBLE}(?:(?![\s\S]*${INVISIBLE}$)|(?=[\s\S]*(?:${SEQUENCE_END})$))`;
const VISIBLE_AT_EDGES = new RegExp(`^${VISIBLE_EDGES}`, 'u');

/** True when `text` starts or ends with whitespace, a control or a character that draws nothing. */
export function invisibleAtEdge(text: string): boolean {
  return !VISIBLE_AT_EDGES.test(text);
}

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
 * - U+FFF9-U+FFFB, the interlinear annotation controls: format characters that draw nothing,
 *   which that property leaves out (their text is shown between them).
 *
 * The edges are read by code point: one UTF-16 unit at a time, U+E0001 or U+1D173 at the end
 * was half a surrogate pair, and passed.
 */
const INVISIBLE =
  String.raw`[\p{White_Space}\x01-\x1F\x7F-\x9F` +
  String.raw`\p{Default_Ignorable_Code_Point}\uFFF9-\uFFFB]`;
const STARTS_INVISIBLE = new RegExp(`^${INVISIBLE}`, 'u');
const ENDS_INVISIBLE = new RegExp(`${INVISIBLE}$`, 'u');

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
 */
const VISIBLE = `(?!${INVISIBLE})`;
const STANDARDIZED_BASE =
  String.raw`[\p{Emoji}\p{Math}\p{Ideographic}\p{Script=Myanmar}\p{Script=Phags_Pa}` +
  String.raw`\p{Script=Manichaean}\p{Script=Egyptian_Hieroglyphs}]`;
const SEQUENCE_END = new RegExp(
  [
    String.raw`${STANDARDIZED_BASE}[\uFE00-\uFE0F]`,
    String.raw`\p{Ideographic}[\u{E0100}-\u{E01EF}]`,
    String.raw`\p{Script=Mongolian}[\u180B-\u180D\u180F]`,
    String.raw`\p{Emoji}[\u{E0020}-\u{E007E}]+\u{E007F}`,
  ]
    .map((sequence) => `${VISIBLE}${sequence}$`)
    .join('|'),
  'u',
);

/** True when `text` starts or ends with whitespace, a control or a character that draws nothing. */
export function invisibleAtEdge(text: string): boolean {
  return STARTS_INVISIBLE.test(text) || (ENDS_INVISIBLE.test(text) && !SEQUENCE_END.test(text));
}

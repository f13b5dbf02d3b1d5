import { invisibleAtEdge } from './item.label.js';

/**
 * Default_Ignorable_Code_Point as Unicode 17 lists it (DerivedCoreProperties.txt), written out so
 * that a change of the engine's tables shows here, and U+FFF9-U+FFFB.
 */
const DRAWS_NOTHING: Array<[number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe0fff],
];
/** The format characters (Cf) that list leaves out, but for the prepended concatenation marks. */
const FORMATS: Array<[number, number]> = [[0x13430, 0x1343f]];
/** Blanks that are no format characters: braille, Egyptian and a musical notehead. */
const BLANKS: Array<[number, number]> = [
  [0x2800, 0x2800],
  [0x13441, 0x13442],
  [0x1d159, 0x1d159],
];
const CONTROLS: Array<[number, number]> = [
  [0x01, 0x1f],
  [0x7f, 0x9f],
];
const WHITE_SPACE = /^\p{White_Space}$/u;

const inRanges = (cp: number, ranges: Array<[number, number]>) =>
  ranges.some(([from, to]) => cp >= from && cp <= to);
const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

describe('invisibleAtEdge', () => {
  it('refuses at either edge exactly whitespace, the controls, what draws nothing and the blanks', () => {
    const wrong: string[] = [];
    for (let cp = 1; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const expected =
        WHITE_SPACE.test(c) ||
        [CONTROLS, DRAWS_NOTHING, FORMATS, BLANKS].some((ranges) => inRanges(cp, ranges));
      if (invisibleAtEdge(`${c}kettle`) !== expected) wrong.push(`${hex(cp)} at the start`);
      if (invisibleAtEdge(`kettle${c}`) !== expected) wrong.push(`${hex(cp)} at the end`);
      if (invisibleAtEdge(c) !== expected) wrong.push(`${hex(cp)} alone`);
    }
    expect(wrong).toEqual([]);
  });

  // A selector or tag character completing the sequence it belongs to ends a name as its base does.
  it.each([
    ['a red heart, emoji presentation', '\u2764\ufe0f'],
    ['a smiling face, text presentation', 'smile \u263a\ufe0e'],
    ['a keycap base', 'page 1\ufe0f'],
    ['a math symbol with serifs', 'A \u2229\ufe00'],
    ['a CJK compatibility form', '\u8c48\ufe00'],
    ['a Myanmar letter', '\u1000\ufe00'],
    ['an ideographic variation sequence', '\u845b\u{e0100}'],
    ['the last ideographic variation selector', '\u8fba\u{e01ef}'],
    ['a Mongolian letter and its second form', '\u1820\u180b'],
    ['a Mongolian letter and its fourth form', '\u1887\u180f'],
    ['the flag of Scotland', 'go \u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}'],
    // Prepended concatenation marks are drawn: a number sign, the end of an ayah.
    ['an Arabic number sign', 'page \u0600'],
    ['the end of an ayah', '\u0661\u06dd'],
  ])('%s at the end is no invisible edge', (_name, text) => {
    expect(invisibleAtEdge(text)).toBe(false);
  });

  it.each([
    ['U+FE0F after a letter', 'kettle\ufe0f'],
    ['U+FE00 after a letter', 'kettle\ufe00'],
    ['U+FE0F after a space', 'kettle \ufe0f'],
    ['U+FE0F after U+FE0F', '\u2764\ufe0f\ufe0f'],
    ['U+FE0F after a zero-width joiner', '\u2764\u200d\ufe0f'],
    ['U+FE0F after an invisible operator (a math symbol that draws nothing)', 'a\u2062\ufe0f'],
    ['an ideographic variation selector after a letter', 'kettle\u{e0100}'],
    ['a Mongolian selector after a letter', 'kettle\u180b'],
    ['a Mongolian selector after another', '\u1820\u180b\u180b'],
    ['a tag sequence after a letter', 'kettle\u{e0067}\u{e0062}\u{e007f}'],
    ['a tag sequence without CANCEL TAG', '\u{1f3f4}\u{e0067}\u{e0062}'],
    ['CANCEL TAG alone after an emoji', '\u{1f3f4}\u{e007f}'],
    ['a variation selector first', '\ufe0f\u2764'],
    ['a tag sequence first', '\u{e0067}\u{e007f}kettle'],
    ['an Egyptian joiner first', '\u{13430}\u{13000}'],
    ['U+2800 (braille blank) after a letter', 'kettle\u2800'],
    ['a hieroglyph, then a vertical joiner', '\u{13000}\u{13430}'],
    [
      'a quadrat whose last part is a bracketed group (no parser of quadrats here)',
      '\u{13000}\u{13431}\u{13437}\u{13001}\u{13430}\u{13002}\u{13438}',
    ],
    ['U+FE00 after a joiner (a format control is no base)', '\u{13000}\u{13430}\ufe00'],
    ['U+FE00 after a full blank', '\u{13000}\u{13441}\ufe00'],
  ])('%s is an invisible edge', (_name, text) => {
    expect(invisibleAtEdge(text)).toBe(true);
  });

  it('reads what is inside as no edge', () => {
    expect(invisibleAtEdge('a\u200bb\u3164c\u034fd\u{e0001}e\ufe0ff')).toBe(false);
    // A quadrat of three hieroglyphs and its joiners; blanks between letters.
    expect(invisibleAtEdge('\u{13000}\u{13430}\u{13001}\u{13431}\u{13002}')).toBe(false);
    expect(invisibleAtEdge('a\u2800b\u{13441}c\u{1d159}d')).toBe(false);
    expect(invisibleAtEdge('')).toBe(false);
  });
});

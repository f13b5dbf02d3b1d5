import type { Page } from 'playwright-core';

/** Text drawn with less contrast than asked for: one colour on one background, in one place. */
export interface LowContrast {
  /** Tag and classes of the element and its parent. */
  where: string;
  color: string;
  background: string;
  ratio: number;
  /** How many elements, and the first few texts (each cut to 40 characters). */
  count: number;
  texts: string[];
}

/** What one measurement of a page found. */
export interface ContrastReport {
  /** Text elements measured (visible ones with text of their own, and filled-in fields). */
  measured: number;
  low: LowContrast[];
}

/**
 * Measures, in the page, every visible text element's colour against its effective background
 * (WCAG 2's contrast ratio) and returns those under `minimum`. A text element is an element
 * with a text node of its own, or a field showing a value or a placeholder. The background is
 * composited from the element's and its ancestors' background colours down to the first opaque
 * one (the canvas, white, below all); the opacity of the element and its ancestors fades the
 * text into it. Background images, and other boxes painted under the text without being its
 * ancestors, are not seen: as axe-core's, this answers for the usual case of text on its
 * ancestors' colours.
 */
export async function lowContrast(page: Page, minimum = 4.5): Promise<ContrastReport> {
  // The page at rest: Swagger UI fades a button back in over 0.3 s once its request is answered
  // (\`.btn\`: transition all .3s, from \`[disabled]\`'s opacity .3), and measured mid-fade the
  // white on Execute read 4.25:1 for its 5.1.
  // Polled with evaluate: waitForFunction evaluates a string in the page, which its CSP refuses.
  // Bounded, should something animate for good (a spinner): measured then as it is.
  const running = 'document.getAnimations().filter((a) => a.playState === "running").length';
  for (
    let waited = 0;
    waited < 5_000 && ((await page.evaluate(running)) as number) > 0;
    waited += 50
  )
    await new Promise((resolve) => setTimeout(resolve, 50));
  // A string, not a function: the test transform's helpers must not reach the page.
  return (await page.evaluate(`(${MEASURE})(${minimum})`)) as ContrastReport;
}

const MEASURE = String.raw`(minimum) => {
  const parse = (value) => {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(value);
    if (!m) throw new Error('unreadable colour ' + value);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reduceRight((below, top) => over(top, below), [255, 255, 255, 1]);
  };
  const opacity = (el) => {
    let product = 1;
    for (let node = el; node; node = node.parentElement) {
      product *= Number(getComputedStyle(node).opacity);
    }
    return product;
  };
  const drawn = (el, text) => {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const range = document.createRange();
    range.selectNodeContents(text ?? el);
    const box = range.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const fields = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
  const samples = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName)) continue;
    if (el.closest('svg')) continue;
    if (fields.has(el.tagName)) {
      if (el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio') continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const shown = el.tagName === 'SELECT' ? el.selectedOptions[0]?.text : el.value;
      if (shown) samples.push([el, shown, getComputedStyle(el).color]);
      else if (el.placeholder) {
        samples.push([el, el.placeholder, getComputedStyle(el, '::placeholder').color]);
      }
      continue;
    }
    const own = [...el.childNodes].find((n) => n.nodeType === 3 && /\S/.test(n.data));
    if (own && drawn(el, own)) samples.push([el, el.textContent, getComputedStyle(el).color]);
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const text = /^"(.*)"$/.exec(style.content)?.[1];
      if (text && /\S/.test(text) && style.display !== 'none' && drawn(el)) {
        samples.push([el, text, style.color]);
      }
    }
  }
  const name = (el) =>
    el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const low = new Map();
  for (const [el, text, color] of samples) {
    const bg = background(el);
    const fg = parse(color);
    const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
    const r = Math.round(ratio(shown, bg) * 100) / 100;
    if (r >= minimum) continue;
    const where = (el.parentElement ? name(el.parentElement) + ' > ' : '') + name(el);
    const behind = 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')';
    const key = [where, color, behind, r].join(' ');
    const entry = low.get(key) ?? { where, color, background: behind, ratio: r, count: 0, texts: [] };
    entry.count++;
    if (entry.texts.length < 3) entry.texts.push(text.trim().replace(/\s+/g, ' ').slice(0, 40));
    low.set(key, entry);
  }
  return { measured: samples.length, low: [...low.values()] };
}`;

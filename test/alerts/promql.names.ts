/**
 * The metric names a PromQL expression selects, with their label matchers: for the checks that
 * every rule and panel reads series rampart really exports, and that the chart's rules select
 * only their own release's series. A lexer, not a parser: it drops strings, label matchers
 * (`{...}`), ranges (`[5m]`), numbers and durations, function and aggregation calls, keywords
 * and the label lists of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`; every
 * identifier left is a metric name. `{__name__="x"}` selectors count too.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
  'start',
  'end',
  // Aggregations may put their modifier before the parentheses: `sum by (job) (...)`.
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /0x[0-9a-fA-F]+|[0-9.][0-9a-zA-Z.]*/y;
const NAME_MATCHER = /__name__\s*=\s*(["'`])([^"'`]*)\1/;

/** Skips a quoted string starting at `i` (backslash escapes honoured); returns the next index. */
function skipString(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  while (j < text.length && text[j] !== quote) j += text[j] === '\\' && quote !== '`' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket that closes the one at `i`, strings inside skipped. */
function skipBracket(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text[j] as string;
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(text, j);
      continue;
    }
    if (c === open) depth++;
    if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unbalanced '${open}' in: ${text}`);
}

function nextNonSpace(text: string, i: number): string | undefined {
  const rest = text.slice(i).trimStart();
  return rest[0];
}

/** One label matcher: `job="rampart-admin"` is `{ label: 'job', op: '=', value: 'rampart-admin' }`. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** One vector selector: the metric name, the label names its matchers test, and the matchers. */
export interface Selector {
  name: string;
  labels: string[];
  matchers: Matcher[];
}

// The value is matched whole, so an operator inside a string (`"5..|x=y"`) is never a matcher.
const MATCHER =
  /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;

/** A PromQL string literal's value: double quotes escape as JSON does, backticks are raw. */
function unquote(literal: string): string {
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  const body = literal.slice(1, -1);
  return literal.startsWith("'") ? body.replace(/\\(.)/g, '$1') : body;
}

/** The matchers of a `{...}` block, `__name__` left out (it names the metric). */
function parseMatchers(block: string): Matcher[] {
  return [...block.matchAll(MATCHER)]
    .map((m) => ({
      label: m[1] as string,
      op: m[2] as Matcher['op'],
      value: unquote(m[3] as string),
    }))
    .filter((m) => m.label !== '__name__');
}

function selector(name: string, block = ''): Selector {
  const matchers = parseMatchers(block);
  return { name, labels: matchers.map((m) => m.label), matchers };
}

/** Every vector selector in `expr`, in order. */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end < 0 ? expr.length : end;
    } else if (c === '{') {
      const end = skipBracket(expr, i, '{', '}');
      const block = expr.slice(i, end);
      const byName = NAME_MATCHER.exec(block);
      if (byName?.[2]) found.push(selector(byName[2], block));
      i = end;
    } else if (c === '[') {
      i = skipBracket(expr, i, '[', ']');
    } else if (c === '$') {
      // A Grafana variable outside a matcher or range (`$__interval` as a duration, say).
      IDENTIFIER.lastIndex = i + (expr[i + 1] === '{' ? 2 : 1);
      i = IDENTIFIER.exec(expr) ? IDENTIFIER.lastIndex : i + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      i = NUMBER.exec(expr) ? NUMBER.lastIndex : i + 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENTIFIER.lastIndex = i;
      const word = (IDENTIFIER.exec(expr) as RegExpExecArray)[0];
      i = IDENTIFIER.lastIndex;
      const lower = word.toLowerCase();
      const next = nextNonSpace(expr, i);
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (next === '(') i = skipBracket(expr, expr.indexOf('(', i), '(', ')');
      } else if (!KEYWORDS.has(lower) && next !== '(') {
        if (next === '{') {
          const open = expr.indexOf('{', i);
          const end = skipBracket(expr, open, '{', '}');
          found.push(selector(word, expr.slice(open, end)));
          i = end;
        } else {
          found.push(selector(word));
        }
      }
    } else {
      i++;
    }
  }
  return found;
}

/** Metric names selected by `expr`, in order of first appearance. */
export function metricNames(expr: string): string[] {
  return [...new Set(selectors(expr).map((s) => s.name))];
}

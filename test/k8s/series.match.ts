/**
 * Whether PromQL label matchers read a release's series, decided as Prometheus does: for the
 * checks that the chart's rules and dashboard select their own release's series only.
 */
import type { Matcher } from '../alerts/promql.names.js';

/** Whether a matcher accepts a label value (absent labels read as ""; `=~` is anchored). */
export function accepts(m: Matcher, value = ''): boolean {
  const regex = () => new RegExp(`^(?:${m.value})$`).test(value);
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  return m.op === '=~' ? regex() : !regex();
}

/**
 * Whether a selector with these matchers reads a series of the target with these labels (job,
 * namespace): its matchers on them accept them; the series' other labels (route, status code)
 * may take any value.
 */
export function selectsTarget(matchers: Matcher[], target: Record<string, string>): boolean {
  return matchers.every((m) => !(m.label in target) || accepts(m, target[m.label]));
}

import { COMPARISONS, RELATIONS, type Related, type Relation } from './config.relations.js';

/** The values checkRelations reads, each as parsed; one without a default may be unset. */
export type RelatedValues = Partial<Record<Related, number>>;

/** Whether `value` stands as `holds` says to `other` (the pairwise comparisons). */
const HOLDS: Record<
  Exclude<Relation['holds'], 'within'>,
  (value: number, other: number) => boolean
> = {
  '<=': (value, other) => value <= other,
  '<': (value, other) => value < other,
  '>': (value, other) => value > other,
  '!=': (value, other) => value !== other,
};

/**
 * Settings that contradict each other (config.relations.ts), added to the parse's issues. Each
 * problem is reported under one variable: the one the user set. A relation has its own variable
 * (the first side), named when both or neither were set; when only the other was, that one is
 * named, as the one to change (`SHUTDOWN_DRAIN_DELAY_MS=30000` alone used to print
 * "SHUTDOWN_TIMEOUT_MS: must exceed SHUTDOWN_DRAIN_DELAY_MS (30000)", blaming a variable nobody
 * set). The message says what it conflicts with and that one's value, set or by default. Without
 * `isSet` (the schema parsed apart from loadConfig) the relation's own variable is named, values
 * without a source.
 */
export function checkRelations(
  config: Readonly<RelatedValues>,
  failed: ReadonlySet<unknown>,
  refuse: (name: Related, message: string) => void,
  isSet?: (name: string) => boolean,
): void {
  const valueOf = (name: Related): string =>
    isSet === undefined
      ? String(config[name])
      : `${config[name]} ${isSet(name) ? 'as set' : 'by default'}`;
  /** Whether the user set `other` and not `own`: then `other` is the one to name. */
  const onlyOtherSet = (own: Related, other: Related): boolean =>
    isSet !== undefined && !isSet(own) && isSet(other);

  for (const relation of RELATIONS) {
    const { variable, holds, others, unlessSet } = relation;
    // A relation is checked only when every variable it reads parsed (`failed` names those that
    // did not). A field that failed its own check (zod goes on to an object's refinements after
    // it) still holds its raw string here: comparing that blamed a variable that was fine
    // (SHUTDOWN_DRAIN_DELAY_MS=1e9 also printed "SHUTDOWN_TIMEOUT_MS: must exceed
    // SHUTDOWN_DRAIN_DELAY_MS (1e9)") or repeated the field's own problem.
    const read = [variable, ...others, ...(unlessSet === undefined ? [] : [unlessSet])];
    if (read.some((name) => failed.has(name))) continue;
    if (unlessSet !== undefined && config[unlessSet] !== undefined) continue;
    const values = [variable, ...others].map((name) => config[name]);
    if (!values.every((value) => value !== undefined)) continue;
    if (relation.unlessZero === true && values.includes(0)) continue;
    const [value, ...compared] = values as [number, ...number[]];

    if (holds === 'within') {
      const [low, high] = others as [Related, Related];
      const [lowest, highest] = compared as [number, number];
      // Bounds that contradict each other are their own relation's problem.
      if (lowest > highest || (value >= lowest && value <= highest)) continue;
      const bound = value < lowest ? low : high;
      if (onlyOtherSet(variable, bound)) {
        const must = COMPARISONS.within[bound === low ? 1 : 2];
        refuse(bound, `${must} ${variable} (${valueOf(variable)})`);
      } else {
        refuse(
          variable,
          `${COMPARISONS.within[0]} ${low} (${valueOf(low)}) and ${high} (${valueOf(high)})`,
        );
      }
      continue;
    }

    const [other] = others as [Related];
    if (HOLDS[holds](value, compared[0]!)) continue;
    const [ownMust, otherMust] = COMPARISONS[holds];
    const [name, must, against] = onlyOtherSet(variable, other)
      ? [other, otherMust, variable]
      : [variable, ownMust, other];
    const orElse = relation.orElse === undefined ? '' : `, ${relation.orElse}`;
    refuse(name, `${must} ${against} (${valueOf(against)})${orElse}`);
  }
}

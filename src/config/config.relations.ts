/** The variables a relation compares: all whole numbers. */
export const RELATED = [
  'PORT',
  'ADMIN_PORT',
  'PROBE_PORT',
  'ADMISSION_MIN_LIMIT',
  'ADMISSION_INITIAL_LIMIT',
  'ADMISSION_MAX_LIMIT',
  'HELLO_DELAY_MS',
  'HELLO_MAX_DELAY_MS',
  'UPSTREAM_RETRY_BASE_DELAY_MS',
  'UPSTREAM_RETRY_MAX_DELAY_MS',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'SHUTDOWN_TIMEOUT_MS',
  'SHUTDOWN_DRAIN_DELAY_MS',
  'DB_QUERY_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'UPSTREAM_DEADLINE_MARGIN_MS',
  'REQUEST_TIMEOUT_MS',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_BSP_EXPORT_TIMEOUT',
] as const;
/** Whole numbers a relation compares only when they are set: they have no default. */
export const RELATED_UNSET = ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'] as const;
type Related = (typeof RELATED)[number] | (typeof RELATED_UNSET)[number];
/** The values checkRelations reads, each as parsed. */
export type RelatedValues = Record<(typeof RELATED)[number], number> &
  Partial<Record<(typeof RELATED_UNSET)[number], number>>;

/** One side of a relation: a variable, and what it must be, said from its side. */
type Side = readonly [name: Related, must: string];

/**
 * Settings that contradict each other, added to the parse's issues. Each problem is reported
 * under one variable: the one the user set. A relation has its own variable (the first side),
 * named when both or neither were set; when only the other was, that one is named, as the one
 * to change (`SHUTDOWN_DRAIN_DELAY_MS=30000` alone used to print "SHUTDOWN_TIMEOUT_MS: must
 * exceed SHUTDOWN_DRAIN_DELAY_MS (30000)", blaming a variable nobody set). The message says what
 * it conflicts with and that one's value, set or by default. Without `isSet` (the schema parsed
 * apart from loadConfig) the relation's own variable is named, values without a source.
 */
export function checkRelations(
  config: Readonly<RelatedValues>,
  failed: ReadonlySet<unknown>,
  refuse: (name: Related, message: string) => void,
  isSet?: (name: string) => boolean,
): void {
  // A relation is checked only when every variable it reads parsed (`failed` names those that
  // did not). A field that failed its own check (zod goes on to an object's refinements after
  // it) still holds its raw string here: comparing that blamed a variable that was fine
  // (SHUTDOWN_DRAIN_DELAY_MS=1e9 also printed "SHUTDOWN_TIMEOUT_MS: must exceed
  // SHUTDOWN_DRAIN_DELAY_MS (1e9)") or repeated the field's own problem.
  const parsed = (...names: Related[]) => !names.some((n) => failed.has(n));
  const valueOf = (name: Related): string =>
    isSet === undefined
      ? String(config[name])
      : `${config[name]} ${isSet(name) ? 'as set' : 'by default'}`;
  /** Whether the user set `other` and not `own`: then `other` is the one to name. */
  const onlyOtherSet = (own: Related, other: Related): boolean =>
    isSet !== undefined && !isSet(own) && isSet(other);
  const broken = (own: Side, other: Side, suffix = '') => {
    const [[name, must], [against]] = onlyOtherSet(own[0], other[0]) ? [other, own] : [own, other];
    refuse(name, `${must} ${against} (${valueOf(against)})${suffix}`);
  };

  // Found at parse time, naming both variables, not as EADDRINUSE after the migrations ran.
  const ports = ['PORT', 'ADMIN_PORT', 'PROBE_PORT'] as const;
  for (const [i, a] of ports.entries()) {
    for (const b of ports.slice(i + 1)) {
      if (parsed(a, b) && config[a] !== 0 && config[a] === config[b]) {
        broken([b, 'must differ from'], [a, 'must differ from']);
      }
    }
  }
  // Bounds that contradict each other: the limit started above its maximum, and plain /hello
  // waited longer than ?delay= may ask for.
  const { ADMISSION_MIN_LIMIT: min, ADMISSION_MAX_LIMIT: max } = config;
  if (parsed('ADMISSION_MIN_LIMIT', 'ADMISSION_MAX_LIMIT') && min > max) {
    broken(
      ['ADMISSION_MIN_LIMIT', 'must not exceed'],
      ['ADMISSION_MAX_LIMIT', 'must not be below'],
    );
  }
  // Outside them it was moved to the nearest bound without a word (5000 ran as 1000). Not
  // checked against bounds that contradict each other (reported above).
  const initial = config.ADMISSION_INITIAL_LIMIT;
  if (
    parsed('ADMISSION_INITIAL_LIMIT', 'ADMISSION_MIN_LIMIT', 'ADMISSION_MAX_LIMIT') &&
    min <= max &&
    (initial < min || initial > max)
  ) {
    const [bound, must] =
      initial < min
        ? (['ADMISSION_MIN_LIMIT', 'must not exceed'] as const)
        : (['ADMISSION_MAX_LIMIT', 'must not be below'] as const);
    if (onlyOtherSet('ADMISSION_INITIAL_LIMIT', bound)) {
      refuse(bound, `${must} ADMISSION_INITIAL_LIMIT (${valueOf('ADMISSION_INITIAL_LIMIT')})`);
    } else {
      refuse(
        'ADMISSION_INITIAL_LIMIT',
        `must be within ADMISSION_MIN_LIMIT (${valueOf('ADMISSION_MIN_LIMIT')}) and ` +
          `ADMISSION_MAX_LIMIT (${valueOf('ADMISSION_MAX_LIMIT')})`,
      );
    }
  }
  if (
    parsed('HELLO_DELAY_MS', 'HELLO_MAX_DELAY_MS') &&
    config.HELLO_DELAY_MS > config.HELLO_MAX_DELAY_MS
  ) {
    broken(['HELLO_DELAY_MS', 'must not exceed'], ['HELLO_MAX_DELAY_MS', 'must not be below']);
  }
  // The cap below the first step: every retry waited up to the cap (retry.decision.ts), the
  // base delay set was never used.
  const { UPSTREAM_RETRY_BASE_DELAY_MS: base, UPSTREAM_RETRY_MAX_DELAY_MS: cap } = config;
  if (parsed('UPSTREAM_RETRY_BASE_DELAY_MS', 'UPSTREAM_RETRY_MAX_DELAY_MS') && base > cap) {
    broken(
      ['UPSTREAM_RETRY_BASE_DELAY_MS', 'must not exceed'],
      ['UPSTREAM_RETRY_MAX_DELAY_MS', 'must not be below'],
    );
  }
  // The OpenTelemetry SDK's own rule (BatchSpanProcessorBase, "maxExportBatchSize must be
  // smaller or equal to maxQueueSize"): it cut the batch to the queue's size and logged a
  // warning; refused here, as the value set would not run.
  const { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: batch, OTEL_BSP_MAX_QUEUE_SIZE: queue } = config;
  if (parsed('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'OTEL_BSP_MAX_QUEUE_SIZE') && batch > queue) {
    broken(
      ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'must not exceed'],
      ['OTEL_BSP_MAX_QUEUE_SIZE', 'must not be below'],
    );
  }
  // Timeouts whose order the code relies on. Each of these started and then misbehaved:
  // - the drain delay used up the shutdown deadline: every shutdown exited 1, never closing;
  if (
    parsed('SHUTDOWN_TIMEOUT_MS', 'SHUTDOWN_DRAIN_DELAY_MS') &&
    config.SHUTDOWN_TIMEOUT_MS <= config.SHUTDOWN_DRAIN_DELAY_MS
  ) {
    broken(['SHUTDOWN_TIMEOUT_MS', 'must exceed'], ['SHUTDOWN_DRAIN_DELAY_MS', 'must be below']);
  }
  // - the client gave up on a statement the server was still allowed to run: a lock wait
  //   became DB_QUERY_TIMEOUT, which opens the database breaker for every data route;
  const { DB_QUERY_TIMEOUT_MS: query, DB_STATEMENT_TIMEOUT_MS: statement } = config;
  if (
    parsed('DB_QUERY_TIMEOUT_MS', 'DB_STATEMENT_TIMEOUT_MS') &&
    query !== 0 &&
    statement !== 0 &&
    query <= statement
  ) {
    broken(
      ['DB_QUERY_TIMEOUT_MS', 'must exceed'],
      ['DB_STATEMENT_TIMEOUT_MS', 'must be below'],
      ', or be 0',
    );
  }
  // - the margin left no time to call a backend at all: every fan-out entry UPSTREAM_TIMEOUT.
  if (
    parsed('UPSTREAM_DEADLINE_MARGIN_MS', 'REQUEST_TIMEOUT_MS') &&
    config.UPSTREAM_DEADLINE_MARGIN_MS >= config.REQUEST_TIMEOUT_MS
  ) {
    broken(['UPSTREAM_DEADLINE_MARGIN_MS', 'must be below'], ['REQUEST_TIMEOUT_MS', 'must exceed']);
  }
  // - the batch processor stopped waiting for an export the exporter still ran (its retries
  //   included): the spans were counted failed, though they might yet arrive, and the next
  //   export started beside it (encoded-batch.processor.ts). The traces' own timeout wins when set.
  const exportTimeout =
    config.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT === undefined
      ? 'OTEL_EXPORTER_OTLP_TIMEOUT'
      : 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT';
  if (
    parsed('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', exportTimeout, 'OTEL_BSP_EXPORT_TIMEOUT') &&
    config[exportTimeout]! > config.OTEL_BSP_EXPORT_TIMEOUT
  ) {
    broken([exportTimeout, 'must not exceed'], ['OTEL_BSP_EXPORT_TIMEOUT', 'must not be below']);
  }
}

/**
 * The rules between settings, as data: relations.check.ts applies them at start-up, and the Helm
 * chart applies the same rows at `helm template` time from its copy,
 * charts/rampart/files/config-relations.json (test/k8s/helm.relations.spec.ts holds the copy
 * equal to this file and renders each row broken).
 */

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
  // No default: a relation reading it is checked only when it is set.
  'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
] as const;
export type Related = (typeof RELATED)[number];

/**
 * How a relation's variable must compare with its others, and what each side must be, said from
 * its own side (the variable's words first): a problem is reported under one of them.
 */
export const COMPARISONS = {
  '<=': ['must not exceed', 'must not be below'],
  '<': ['must be below', 'must exceed'],
  '>': ['must exceed', 'must be below'],
  '!=': ['must differ from', 'must differ from'],
  // The variable from its low bound to its high bound, both included.
  within: ['must be within', 'must not exceed', 'must not be below'],
} as const;

export interface Relation {
  /** The relation's own variable: the one named when both or neither side was set. */
  readonly variable: Related;
  readonly holds: keyof typeof COMPARISONS;
  /** What it is compared with: one variable, or for `within` the low and the high bound. */
  readonly others: readonly Related[];
  /** A 0 on either side (none, or a port the kernel picks) and the two are not compared. */
  readonly unlessZero?: boolean;
  /** Said after the problem: the other way out. */
  readonly orElse?: string;
  /** Not compared while this variable is set: it is the one in effect instead of `variable`. */
  readonly unlessSet?: Related;
}

/** Each rule, in the order problems are reported. */
export const RELATIONS: readonly Relation[] = [
  // Found at parse time, naming both variables, not as EADDRINUSE after the migrations ran.
  { variable: 'ADMIN_PORT', holds: '!=', others: ['PORT'], unlessZero: true },
  { variable: 'PROBE_PORT', holds: '!=', others: ['PORT'], unlessZero: true },
  { variable: 'PROBE_PORT', holds: '!=', others: ['ADMIN_PORT'], unlessZero: true },
  // Bounds that contradict each other: the limit started above its maximum.
  { variable: 'ADMISSION_MIN_LIMIT', holds: '<=', others: ['ADMISSION_MAX_LIMIT'] },
  // Outside them it was moved to the nearest bound without a word (5000 ran as 1000). Not
  // checked against bounds that contradict each other (reported above).
  {
    variable: 'ADMISSION_INITIAL_LIMIT',
    holds: 'within',
    others: ['ADMISSION_MIN_LIMIT', 'ADMISSION_MAX_LIMIT'],
  },
  // Plain /hello waited longer than ?delay= may ask for.
  { variable: 'HELLO_DELAY_MS', holds: '<=', others: ['HELLO_MAX_DELAY_MS'] },
  // The cap below the first step: every retry waited up to the cap (retry.decision.ts), the
  // base delay set was never used.
  {
    variable: 'UPSTREAM_RETRY_BASE_DELAY_MS',
    holds: '<=',
    others: ['UPSTREAM_RETRY_MAX_DELAY_MS'],
  },
  // The OpenTelemetry SDK's own rule (BatchSpanProcessorBase, "maxExportBatchSize must be
  // smaller or equal to maxQueueSize"): it cut the batch to the queue's size and logged a
  // warning; refused here, as the value set would not run.
  { variable: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', holds: '<=', others: ['OTEL_BSP_MAX_QUEUE_SIZE'] },
  // Timeouts whose order the code relies on. Each of these started and then misbehaved:
  // - the drain delay used up the shutdown deadline: every shutdown exited 1, never closing;
  { variable: 'SHUTDOWN_TIMEOUT_MS', holds: '>', others: ['SHUTDOWN_DRAIN_DELAY_MS'] },
  // - the client gave up on a statement the server was still allowed to run: a lock wait
  //   became DB_QUERY_TIMEOUT, which opens the database breaker for every data route;
  {
    variable: 'DB_QUERY_TIMEOUT_MS',
    holds: '>',
    others: ['DB_STATEMENT_TIMEOUT_MS'],
    unlessZero: true,
    orElse: 'or be 0',
  },
  // - the margin left no time to call a backend at all: every fan-out entry UPSTREAM_TIMEOUT.
  { variable: 'UPSTREAM_DEADLINE_MARGIN_MS', holds: '<', others: ['REQUEST_TIMEOUT_MS'] },
  // - the batch processor stopped waiting for an export the exporter still ran (its retries
  //   included): the spans were counted failed, though they might yet arrive, and the next
  //   export started beside it (encoded-batch.processor.ts). The traces' own timeout wins when set.
  {
    variable: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
    holds: '<=',
    others: ['OTEL_BSP_EXPORT_TIMEOUT'],
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    holds: '<=',
    others: ['OTEL_BSP_EXPORT_TIMEOUT'],
    unlessSet: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  },
];

import { z } from 'zod';
import { emptyEntriesProblem, listEntries } from './config.fields.js';

/** The propagator names OTEL_PROPAGATORS may list that rampart supports. */
export const PROPAGATOR_NAMES = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'] as const;
export type PropagatorName = (typeof PROPAGATOR_NAMES)[number];

const EXPECTED = `expected a comma-separated list of ${PROPAGATOR_NAMES.join(', ')}, or none`;

/**
 * The OTEL_PROPAGATORS field, as the OpenTelemetry environment specification defines it
 * (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration):
 * a comma-separated list, case-insensitive, duplicates dropped, `none` for no propagation at
 * all; the default is `tracecontext,baggage`. Names the SDK knows but rampart does not ship
 * (`xray`, `ottrace`) are refused rather than ignored: a mesh that sends them would otherwise
 * see its traces break without a word.
 */
export const propagators = () =>
  z
    .string()
    .default('tracecontext,baggage')
    .transform((raw, ctx): readonly PropagatorName[] => {
      const entries = listEntries(raw);
      const names = [...new Set(entries.map((n) => n.toLowerCase()))];
      if (names.length === 1 && names[0] === 'none') return Object.freeze([]);
      const known = new Set<string>(PROPAGATOR_NAMES);
      const problems = [
        emptyEntriesProblem(entries),
        ...names.map((name) =>
          name === '' || known.has(name)
            ? undefined
            : name === 'none'
              ? 'none cannot be combined with other propagators'
              : `unknown propagator "${name}"`,
        ),
      ].filter((p) => p !== undefined);
      // One issue: the expectation said once after every entry's problem.
      if (problems.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${problems.join('; ')}; ${EXPECTED}` });
      }
      return Object.freeze(names as PropagatorName[]);
    });

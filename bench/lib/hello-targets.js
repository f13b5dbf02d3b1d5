// The servers the telemetry and instructions scenarios compare on GET /hello: NestJS alone (the
// floor of the stack), the setup a NestJS user would pick instead (auto-instrumentations +
// @fastify/otel, 100 % sampled), and rampart with tracing off, at 10 % and at 100 %, every
// exporter sending to the OTLP receiver at `sinkUrl`.
import { rampartArgs } from './settings.js';

export function helloTargets(sinkUrl) {
  const traced = (ratio) => tracedEnv(sinkUrl, ratio);
  return [
    { name: 'nest-alone', args: ['bench/baseline/nest-hello.js'], env: {} },
    {
      name: 'nest-otel-auto-100pct',
      args: ['--import', './bench/baseline/nest-otel.js', 'bench/baseline/nest-hello.js'],
      env: { OTLP_ENDPOINT: sinkUrl },
    },
    { name: 'rampart-otel-off', args: rampartArgs(), env: { OTEL_SDK_DISABLED: 'true' } },
    { name: 'rampart-10pct', args: rampartArgs(), env: traced(0.1) },
    { name: 'rampart-100pct', args: rampartArgs(), env: traced(1) },
  ];
}

/** rampart's environment for tracing at `ratio` (default parent-based sampler) to `sinkUrl`. */
export function tracedEnv(sinkUrl, ratio) {
  return {
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
  };
}

// The setup a NestJS user would pick instead of rampart's telemetry, preloaded with
// `node --import` ahead of bench/baseline/nest-hello.js: NodeSDK with the auto-instrumentations
// bundle (its HTTP server span included) plus @fastify/otel for the route and its hooks, every
// trace sampled, spans through NodeSDK's default BatchSpanProcessor to OTLP/HTTP (protobuf), the
// same receiver rampart exports to. As the two packages' READMEs show it, nothing tuned.
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace';
import { FastifyOtelInstrumentation } from '@fastify/otel';

const sdk = new NodeSDK({
  serviceName: 'nest-otel-baseline',
  traceExporter: new OTLPTraceExporter({ url: `${process.env.OTLP_ENDPOINT}/v1/traces` }),
  sampler: new AlwaysOnSampler(),
  instrumentations: [
    getNodeAutoInstrumentations(),
    new FastifyOtelInstrumentation({ registerOnInitialization: true }),
  ],
});
sdk.start();
process.on('SIGTERM', () => sdk.shutdown());

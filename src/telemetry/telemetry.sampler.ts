import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { TraceIdRatioSampler } from './trace-id-ratio.sampler.js';
import type { AppConfig } from '../config/config.schema.js';

/**
 * The sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the OpenTelemetry
 * environment specification defines them
 * (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#general-sdk-configuration).
 * Parent-based samplers follow a caller's `traceparent` sampled flag, so one trace is sampled
 * (or not) as a whole across rampart instances.
 */
export function samplerFromConfig(name: AppConfig['OTEL_TRACES_SAMPLER'], ratio: number): Sampler {
  const root = rootSamplerFromConfig(name, ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/**
 * The part of that sampler which decides for a span without a parent: the whole sampler but for
 * the parent-based ones, which hand such a span to their root (server-span.starter.ts asks it
 * directly for the requests that arrive without a trace context).
 */
export function rootSamplerFromConfig(
  name: AppConfig['OTEL_TRACES_SAMPLER'],
  ratio: number,
): Sampler {
  switch (name) {
    case 'always_on':
    case 'parentbased_always_on':
      return new AlwaysOnSampler();
    case 'always_off':
    case 'parentbased_always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return new TraceIdRatioSampler(ratio);
  }
}

import {
  ROOT_CONTEXT,
  SpanKind,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Context,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './pooled-id.generator.js';
import { ServerSpanStarter } from './server-span.starter.js';
import { ServerSpan } from './server.span.js';
import { spanLimits } from './span.rules.js';
import { rootSamplerFromConfig, samplerFromConfig } from './telemetry.sampler.js';
import { TraceIdRatioSampler } from './trace-id-ratio.sampler.js';

const LIMITS = spanLimits(1_024);

function setup(ratio: number) {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  const starter = new ServerSpanStarter(
    rootSamplerFromConfig('parentbased_traceidratio', ratio),
    samplerFromConfig('parentbased_traceidratio', ratio),
    new PooledIdGenerator(),
    {
      resource: resourceFromAttributes({ 'service.name': 'spec' }),
      scope: { name: 'rampart.http.server' },
      processors: [processor],
      limits: LIMITS,
    },
  );
  const start = (parent: Context = ROOT_CONTEXT) => starter.start('GET', parent);
  // Flushed first, so a span still on its way through the processor is not missed.
  const finished = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  return { finished, start };
}

/** The context a propagator extracts from a caller's `traceparent` (and `tracestate`). */
function callerContext(flags: TraceFlags, traceState?: TraceState): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: flags,
    isRemote: true,
    traceState,
  });
}

describe('ServerSpanStarter', () => {
  it('gives an unsampled request a non-recording span with fresh valid ids, unseen by the processors', async () => {
    const { finished, start } = setup(0);
    const a = start();
    const b = start();
    expect(a.isRecording()).toBe(false);
    expect(isSpanContextValid(a.spanContext())).toBe(true);
    expect(a.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(b.spanContext().traceId).not.toBe(a.spanContext().traceId);
    expect(b.spanContext().spanId).not.toBe(a.spanContext().spanId);
    a.end();
    expect(await finished()).toHaveLength(0);
  });

  it('records a sampled root as a SERVER span the processors see end, with the id it was sampled on', async () => {
    const { finished, start } = setup(1);
    const span = start();
    expect(span).toBeInstanceOf(ServerSpan);
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    span.end();
    const [ended] = await finished();
    expect(ended?.spanContext()).toBe(span.spanContext());
    expect(ended?.kind).toBe(SpanKind.SERVER);
    expect(ended?.parentSpanContext).toBeUndefined();
  });

  it('records exactly the traces the ratio sampler picks by their id, about the ratio of them', async () => {
    const { finished, start } = setup(0.1);
    const bySampler = new TraceIdRatioSampler(0.1);
    const spans = Array.from({ length: 10_000 }, () => start());
    for (const span of spans) {
      const { decision } = bySampler.shouldSample(ROOT_CONTEXT, span.spanContext().traceId);
      expect(span.isRecording()).toBe(decision !== 0);
      span.end();
    }
    const recorded = (await finished()).length;
    expect(recorded / spans.length).toBeGreaterThan(0.08);
    expect(recorded / spans.length).toBeLessThan(0.12);
  });

  it("follows a caller's sampled flag whatever the ratio: its trace, its span as parent, its tracestate", async () => {
    const { finished, start } = setup(0);
    const state = new TraceState('vendor=abc');
    const parent = callerContext(TraceFlags.SAMPLED, state);
    const span = start(parent);
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext()).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceFlags: TraceFlags.SAMPLED,
      traceState: state,
    });
    expect(span.spanContext().spanId).not.toBe('00f067aa0ba902b7');
    span.end();
    const [ended] = await finished();
    expect(ended?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it("follows a caller's unsampled flag at ratio 1: not recorded, the caller's trace id kept", async () => {
    const { finished, start } = setup(1);
    const span = start(callerContext(TraceFlags.NONE));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    span.end();
    expect(await finished()).toHaveLength(0);
  });
});

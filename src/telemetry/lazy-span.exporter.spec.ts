import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { LazySpanExporter } from './lazy-span.exporter.js';

const exportOnce = (exporter: SpanExporter) =>
  new Promise<ExportResult>((resolve) => exporter.export([] as ReadableSpan[], resolve));

describe('LazySpanExporter', () => {
  it('loads the real exporter on the first export only, once, and delegates to it', async () => {
    let loads = 0;
    const exported: number[] = [];
    const lazy = new LazySpanExporter(async () => {
      loads++;
      return {
        export: (spans, done) => {
          exported.push(spans.length);
          done({ code: ExportResultCode.SUCCESS });
        },
        shutdown: async () => undefined,
      };
    });
    await lazy.shutdown(); // nothing loaded yet: nothing to shut down, nothing loaded by it
    expect(loads).toBe(0);
    expect((await exportOnce(lazy)).code).toBe(ExportResultCode.SUCCESS);
    await exportOnce(lazy);
    expect(loads).toBe(1);
    expect(exported).toEqual([0, 0]);
  });

  it('reports a batch as failed when the exporter cannot be loaded', async () => {
    const lazy = new LazySpanExporter(() => Promise.reject(new Error('no such module')));
    const result = await exportOnce(lazy);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toBe('no such module');
  });
});

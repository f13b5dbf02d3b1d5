import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Defers loading the OTLP exporter (with its protobuf transformer, ~35 ms of module loading)
 * from start-up to the first export, which the BatchSpanProcessor makes no sooner than
 * OTEL_BSP_SCHEDULE_DELAY after the first span: the process is serving by then.
 */
export class LazySpanExporter implements SpanExporter {
  private exporter?: Promise<SpanExporter>;

  constructor(private readonly load: () => Promise<SpanExporter>) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.loaded().then(
      (exporter) => exporter.export(spans, done),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    await (await this.exporter)?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await (await this.exporter)?.shutdown();
  }

  private loaded(): Promise<SpanExporter> {
    this.exporter ??= this.load();
    return this.exporter;
  }
}

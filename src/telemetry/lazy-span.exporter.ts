import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** What an OTLP exporter does with a batch, whatever form the batch has. */
interface Exporter<Batch> {
  export(batch: Batch, done: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Defers loading the OTLP exporter (with its protobuf transformer, ~35 ms of module loading)
 * from start-up to the first export, which the batch processor makes no sooner than
 * OTEL_BSP_SCHEDULE_DELAY after the first span: the process is serving by then.
 */
export class LazySpanExporter<Batch = ReadableSpan[]> implements Exporter<Batch> {
  private exporter?: Promise<Exporter<Batch>>;

  constructor(private readonly load: () => Promise<Exporter<Batch>>) {}

  export(batch: Batch, done: (result: ExportResult) => void): void {
    this.loaded().then(
      (exporter) => exporter.export(batch, done),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    await (await this.exporter)?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await (await this.exporter)?.shutdown();
  }

  private loaded(): Promise<Exporter<Batch>> {
    this.exporter ??= this.load();
    return this.exporter;
  }
}

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { listenLocal } from './listen-local.js';

// The subset of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1) a
// test needs, with the real field numbers, so the exporter's actual wire bytes are decoded.
const PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; repeated Event events = 11;
  Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
    double double_value = 4; bytes bytes_value = 7; }
}
`;
const Request = protobuf
  .parse(PROTO, { keepCase: false })
  .root.lookupType('ExportTraceServiceRequest');

/** SpanKind as OTLP numbers it (SPAN_KIND_SERVER = 2, SPAN_KIND_CLIENT = 3). */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

/** One received span, ids as lowercase hex, attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  scope: string;
  service: string;
  /** Its resource's attributes (service.name is also `service`). */
  resource: Record<string, unknown>;
  attributes: Record<string, unknown>;
  /** Span events (name and attributes), e.g. the resilience policies' decisions. */
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  statusCode: number;
}

/**
 * A stand-in for Jaeger's OTLP/HTTP endpoint on 127.0.0.1: accepts POST /v1/traces in
 * protobuf or JSON (per content-type, gzip honoured) and keeps every span it decodes.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes: string[] = [];
  /** Every export request's path and headers, as they arrived (before gunzip). */
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  private readonly server: Server = createServer((req, res) => {
    this.requests.push({ path: req.url ?? '', headers: req.headers });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const type = req.headers['content-type'] ?? '';
      this.contentTypes.push(type);
      try {
        this.spans.push(...(type.includes('json') ? fromJson(body) : decodeExportRequest(body)));
        res.writeHead(200, { 'content-type': type }).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  });

  async start(): Promise<string> {
    return (await listenLocal(this.server)).url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves once `predicate` holds for the received spans (polls every 20 ms). */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 5000): Promise<void> {
    return waitForSpans(this.spans, predicate, timeoutMs);
  }
}

interface Decoded {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: RawSpan[] }>;
  }>;
}
interface KeyValue {
  key: string;
  value?: Record<string, unknown>;
}
interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  events?: Array<{ name: string; attributes?: KeyValue[] }>;
  status?: { code?: number };
}

/** The spans in a protobuf-encoded ExportTraceServiceRequest (OTLP/HTTP and OTLP/gRPC alike). */
export function decodeExportRequest(body: Buffer): ReceivedSpan[] {
  const decoded = Request.toObject(Request.decode(body), {
    bytes: String,
    longs: Number,
  }) as Decoded;
  // protobufjs renders bytes as base64; OTLP/JSON carries the same ids as hex.
  return flatten(decoded, (b64) => Buffer.from(b64, 'base64').toString('hex'));
}

function fromJson(body: Buffer): ReceivedSpan[] {
  return flatten(JSON.parse(body.toString()) as Decoded, (hex) => hex.toLowerCase());
}

function flatten(decoded: Decoded, id: (raw: string) => string): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of decoded.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: s.parentSpanId ? id(s.parentSpanId) : '',
          name: s.name,
          kind: s.kind ?? 0,
          scope: ss.scope?.name ?? '',
          service: String(resource['service.name'] ?? ''),
          resource,
          attributes: attributesOf(s.attributes),
          events: (s.events ?? []).map((e) => ({
            name: e.name,
            attributes: attributesOf(e.attributes),
          })),
          statusCode: s.status?.code ?? 0,
        });
      }
    }
  }
  return out;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    const v = value ?? {};
    out[key] =
      v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue ?? v.bytesValue ?? undefined;
    if (typeof out[key] === 'string' && 'intValue' in v && v.intValue !== undefined) {
      out[key] = Number(v.intValue); // OTLP/JSON encodes int64 as a string
    }
  }
  return out;
}

/** Resolves once `predicate` holds for `spans`, a list a receiver appends to (polls every 20 ms). */
export async function waitForSpans(
  spans: ReceivedSpan[],
  predicate: (spans: ReceivedSpan[]) => boolean,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate(spans)) {
    if (Date.now() > until) {
      throw new Error(`spans not received in ${timeoutMs} ms: ${JSON.stringify(spans)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

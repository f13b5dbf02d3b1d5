// An OTLP/HTTP receiver for the telemetry benchmarks that decodes what it gets, as a collector
// does: each export request's protobuf (or JSON) body is parsed down to its spans, which are
// counted. GET /counts answers the running totals. 127.0.0.1 only.
import { createServer } from 'node:http';
import protobuf from 'protobufjs';

const totals = { requests: 0, spans: 0, bytes: 0, undecodable: 0 };

/** Walks ExportTraceServiceRequest → ResourceSpans(1) → ScopeSpans(2) → Span(2), counting spans. */
function countSpans(buffer, depth = 0) {
  const reader = protobuf.Reader.create(buffer);
  let spans = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== 2) {
      reader.skipType(tag & 7);
      continue;
    }
    const bytes = reader.bytes();
    if (depth === 0 && field === 1) spans += countSpans(bytes, 1);
    else if (depth === 1 && field === 2) spans += countSpans(bytes, 2);
    else if (depth === 2 && field === 2) spans += 1;
  }
  return spans;
}

function decode(body, contentType) {
  if (contentType?.includes('json')) {
    const request = JSON.parse(body.toString('utf8'));
    let spans = 0;
    for (const rs of request.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
    return spans;
  }
  return countSpans(body);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/counts') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(totals));
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    totals.requests++;
    totals.bytes += body.length;
    try {
      totals.spans += decode(body, req.headers['content-type']);
    } catch {
      totals.undecodable++;
    }
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
    res.end();
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  process.stdout.write(JSON.stringify(totals) + '\n');
  server.close(() => process.exit(0));
});

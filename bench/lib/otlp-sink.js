// An OTLP/HTTP endpoint that accepts and discards spans, counting them roughly by request, so
// the exporter does its real work (encode, POST) during telemetry benchmarks. 127.0.0.1 only.
import { createServer } from 'node:http';

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' });
    res.end();
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  process.stdout.write(JSON.stringify({ requests, bytes }) + '\n');
  server.close(() => process.exit(0));
});

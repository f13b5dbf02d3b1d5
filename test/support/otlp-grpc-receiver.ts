import { createServer, connect, type Server as NetServer, type Socket } from 'node:net';
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { listenLocal } from './listen-local.js';
import { decodeExportRequest, waitForSpans, type ReceivedSpan } from './otlp-receiver.js';

/**
 * opentelemetry.proto.collector.trace.v1.TraceService, defined by hand: the request stays raw
 * bytes and is decoded with the same proto field numbers as the OTLP/HTTP receiver, so the
 * exporter's real wire format is checked. The response, an ExportTraceServiceResponse with no
 * partial_success, encodes to zero bytes.
 */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: (message: Buffer) => message,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: () => Buffer.alloc(0),
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

/**
 * A stand-in for a collector's OTLP/gRPC endpoint on 127.0.0.1: a real @grpc/grpc-js server
 * (HTTP/2, gRPC framing, gzip message decoding) behind a TCP relay that counts the bytes the
 * client sent, so a test can tell a compressed export from an uncompressed one.
 */
export class OtlpGrpcReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** The metadata (request headers) of every Export call. */
  readonly metadata: Array<Record<string, unknown>> = [];
  /** Decompressed ExportTraceServiceRequest bytes received. */
  messageBytes = 0;
  /** Bytes the client put on the wire (HTTP/2 framing, headers and messages). */
  wireBytes = 0;
  private readonly server = new Server();
  private readonly sockets = new Set<Socket>();
  private readonly relay: NetServer = createServer((client) => {
    const upstream = connect(this.grpcPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => (this.wireBytes += chunk.length));
    client.pipe(upstream).pipe(client);
  });
  private grpcPort = 0;

  /** Starts both listeners and returns the endpoint URL (`http://127.0.0.1:<relay port>`). */
  async start(): Promise<string> {
    this.server.addService(TRACE_SERVICE, {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
        this.metadata.push(call.metadata.getMap());
        this.messageBytes += call.request.length;
        this.spans.push(...decodeExportRequest(call.request));
        done(null, Buffer.alloc(0));
      },
    });
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return (await listenLocal(this.relay)).url;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.forceShutdown();
    await new Promise((resolve) => this.relay.close(resolve));
  }

  /** Resolves once `predicate` holds for the received spans (polls every 20 ms). */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 5000): Promise<void> {
    return waitForSpans(this.spans, predicate, timeoutMs);
  }
}

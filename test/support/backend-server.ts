import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { listenLocal } from './listen-local.js';

/** What a backend decides for one request: its number (1-based) and what it was sent. */
export type BackendHandler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

/**
 * A real HTTP server standing in for a backend in upstream tests. It counts on its own side
 * what the client under test really sent: hits, headers, requests still open (a request the
 * client aborted drops out of `inFlight` when its connection closes).
 */
export class BackendServer {
  hits = 0;
  inFlight = 0;
  readonly received: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  private readonly server: Server;
  url = '';

  constructor(public handler: BackendHandler = answer(200, { ok: true })) {
    this.server = createServer((req, res) => {
      this.hits++;
      this.inFlight++;
      this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.once('close', () => this.inFlight--);
      this.handler(req, res, this.hits);
    });
    this.server.keepAliveTimeout = 10_000;
  }

  async start(): Promise<this> {
    this.url = (await listenLocal(this.server)).url;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Answers `status` with a JSON body (and extra headers). */
export function answer(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): BackendHandler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

/** Never answers: the request stays open until the client gives up. */
export const stall: BackendHandler = () => undefined;

/**
 * A recording HTTP proxy in front of `target` (a real rampart instance): what the target
 * received, headers included, is visible to the test without touching the target.
 */
export class RecordingProxy extends BackendServer {
  constructor(target: () => string) {
    super((req, res) => {
      const upstream = httpRequest(
        `${target()}${req.url}`,
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
  }
}

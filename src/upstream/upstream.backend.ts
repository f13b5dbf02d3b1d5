import { backendName } from '../config/backend-urls.field.js';

/** One configured backend (an entry of BACKEND_URLS). */
export interface Backend {
  /** As configured, e.g. `http://svc-b.ns:8080`. */
  readonly url: string;
  /** scheme://host:port, the key of its connection pool. */
  readonly origin: string;
  /** Path prefix from the URL (`http://gw/b` → `/b`), prepended to every request path. */
  readonly basePath: string;
  /** Label in metrics and logs, and the name of its policy: `host:port[/prefix]`. */
  readonly name: string;
}

/** Parses BACKEND_URLS, already validated by the config schema, which refuses a name twice. */
export function parseBackends(urls: readonly string[]): Backend[] {
  return urls.map((raw) => {
    const url = new URL(raw);
    const basePath = url.pathname.replace(/\/+$/, '');
    return { url: raw, origin: url.origin, basePath, name: backendName(url) };
  });
}

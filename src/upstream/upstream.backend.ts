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

/** Parses BACKEND_URLS (already validated by the config schema), dropping duplicates. */
export function parseBackends(urls: readonly string[]): Backend[] {
  const seen = new Set<string>();
  const backends: Backend[] = [];
  for (const raw of urls) {
    const url = new URL(raw);
    const basePath = url.pathname.replace(/\/+$/, '');
    const name = `${url.host}${basePath}`;
    if (seen.has(name)) continue;
    seen.add(name);
    backends.push({ url: raw, origin: url.origin, basePath, name });
  }
  return backends;
}

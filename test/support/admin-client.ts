import { parsePrometheusText, sampleValue } from './prometheus-text.js';

/** Calls to one instance's admin listener with its token, for tests that drive it. */
export class AdminClient {
  constructor(
    private readonly adminUrl: () => string,
    private readonly token?: string,
  ) {}

  /** A JSON request (body sent as application/json when given). */
  request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.adminUrl()}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** One series of /metrics, or undefined when it is not exported. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const text = await (await fetch(`${this.adminUrl()}/metrics`)).text();
    return sampleValue(parsePrometheusText(text), name, labels);
  }
}

import type { RawResponse } from './raw-http.js';

/** An answer reduced to what the fuzz invariants look at. */
export interface Answer {
  status: number;
  body: string;
  type: string | null;
}

export const fromRaw = (res: RawResponse): Answer => ({
  status: res.status,
  body: res.body,
  type: res.headers['content-type'] ?? null,
});

export async function fromFetch(res: Response): Promise<Answer> {
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/**
 * The invariants of every answer: no 5xx (except `GET /status/5xx`, the one place a 5xx is asked
 * for), and every error problem+json with a `code` and its status, whose text is text: no string
 * in it holds an unpaired surrogate (I-JSON, RFC 7493 §2.1), which a strict client's parser
 * refuses, however much of the client's own input the problem repeats. `ask` is `METHOD /path`.
 */
export function checkAnswer(res: Answer, ask: string): void {
  const requested = /^GET \/status\/(5\d\d)$/.exec(ask)?.[1];
  if (res.status >= 500 && Number(requested) !== res.status) {
    throw new Error(`${ask} → ${res.status}: ${res.body.slice(0, 300)}`);
  }
  if (res.status < 400 || ask.startsWith('HEAD ')) return;
  expect(res.type).toContain('application/problem+json');
  const problem = JSON.parse(res.body);
  expect(typeof problem.code).toBe('string');
  expect(problem.status).toBe(res.status);
  expect({ ask, lone: loneSurrogateIn(problem) }).toEqual({ ask, lone: undefined });
}

/** The first string (key or value) in `value` holding an unpaired surrogate, if any. */
function loneSurrogateIn(value: unknown): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : value;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = loneSurrogateIn(key) ?? loneSurrogateIn(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An item as read back holds exactly what was sent (defaults for what was left out). */
export function expectStoredAsSent(
  stored: Record<string, unknown>,
  sent: Record<string, unknown>,
): void {
  expect(stored.name).toBe(sent.name);
  expect(stored.description).toBe(sent.description ?? null);
  expect(stored.tags).toEqual(sent.tags ?? []);
}

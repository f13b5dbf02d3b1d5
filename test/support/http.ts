/** A parsed JSON body, loosely typed: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

export async function json(res: Response): Promise<JsonBody> {
  return (await res.json()) as JsonBody;
}

/**
 * Creates an item named `name` through the API (`POST /api/items`) and returns its id and ETag,
 * the set-up of the cache and replica specs; anything but 201 fails the test that asked.
 */
export async function createItem(
  baseUrl: string,
  name: string,
): Promise<{ id: string; etag: string }> {
  const res = await fetch(`${baseUrl}/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`POST /api/items answered ${res.status}`);
  return { id: (await json(res)).id as string, etag: res.headers.get('etag')! };
}

/** A parsed JSON body, loosely typed: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

export async function json(res: Response): Promise<JsonBody> {
  return (await res.json()) as JsonBody;
}

/**
 * What `run` returns, and how many times JSON.parse ran until it settled (secure-json-parse's
 * calls and the body parser's included): the specs that pin "one parse per body" count the same
 * way. The count covers the whole process, so `run` should be the only thing parsing meanwhile.
 */
export async function countJsonParses<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; parses: number }> {
  const parse = JSON.parse;
  let parses = 0;
  JSON.parse = function (this: unknown, ...args: Parameters<typeof JSON.parse>) {
    parses++;
    return parse.apply(this, args) as unknown;
  } as typeof JSON.parse;
  try {
    const result = await run();
    return { result, parses };
  } finally {
    JSON.parse = parse;
  }
}

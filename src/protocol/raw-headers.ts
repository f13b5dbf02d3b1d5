/**
 * Node keeps only the first line of most repeated request headers in `headers` (Content-Type,
 * Authorization, Host among them), so a field that must appear once is counted in the raw list:
 * whether the header (lower-case `name`) has more than one line there.
 */
export function repeated(rawHeaders: readonly string[], name: string): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i] as string;
    if (field.length !== name.length || field.toLowerCase() !== name) continue;
    if (seen) return true;
    seen = true;
  }
  return false;
}

/**
 * The parameters of a media type (`type/subtype; name=value; …`), in order, each name lower-cased
 * and each value as it reads (RFC 9110 §5.6.6): a quoted-string without its quotes and with each
 * quoted-pair replaced by the octet it escapes (§5.6.4). Splitting at every `;` read
 * `profile="a;charset=latin1"` as a charset of `latin1"`, and refused a UTF-8 body for it. A
 * quoted value left open is kept as written, quote included, so nothing reads it as valid. A
 * parameter without `=` has no value and is skipped, as before.
 */
export function parametersOf(header: string): Array<[name: string, value: string]> {
  const parameters: Array<[string, string]> = [];
  let at = header.indexOf(';');
  while (at !== -1) {
    const eq = header.indexOf('=', at + 1);
    const next = header.indexOf(';', at + 1);
    if (eq === -1 || (next !== -1 && next < eq)) {
      at = next;
      continue;
    }
    const name = header
      .slice(at + 1, eq)
      .trim()
      .toLowerCase();
    let start = eq + 1;
    while (header[start] === ' ' || header[start] === '\t') start++;
    const quoted = header[start] === '"' ? unquote(header, start) : undefined;
    const end = header.indexOf(';', quoted?.end ?? start);
    const after = quoted && header.slice(quoted.end, end === -1 ? undefined : end).trim();
    // Text after the closing quote makes the value no quoted-string: kept as written.
    parameters.push([
      name,
      quoted && after === ''
        ? quoted.value
        : header.slice(start, end === -1 ? undefined : end).trim(),
    ]);
    at = end;
  }
  return parameters;
}

/** The quoted-string opening at `start`, and the index after its closing quote; none if open. */
function unquote(header: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start + 1; i < header.length; i++) {
    const c = header[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\' && i + 1 < header.length) i++;
    value += header[i];
  }
  return undefined;
}

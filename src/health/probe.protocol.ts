/**
 * The probe thread's protocol rules (probe.worker.ts splices this source into its own): the
 * request target read as the public port reads it, a probe path's trailing-slash redirect, the
 * Host and Transfer-Encoding framing checks, and the raw answers to bytes the parser refused.
 * Plain CommonJS in a string, like the rest of the thread, which cannot import the main thread's
 * modules: each function names the file whose rule it repeats. It reads `workerData`'s fields
 * and `problem` and `PROBLEM_TYPE` from the thread's scope.
 */
export const PROBE_PROTOCOL_SOURCE = `
// The target in origin-form, as the public port reads it (protocol/request-target.ts): an
// absolute-form target (a server must accept it, RFC 9112 section 3.2.2) without its scheme and
// authority, a query that ends the authority leaving the path '/'.
function originForm(url) {
  if (url.startsWith('/')) return url;
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  let end = scheme + 3;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  return url[end] === '/' ? url.slice(end) : '/' + url.slice(end);
}

// The public port's refusals of a target (protocol/request-target.ts): a fragment, a target
// that is neither a path nor a URL ('*hello'; '*' alone is answered before), a URL of a scheme
// other than http or https ('ftp://x/healthz' was served as /healthz), or userinfo in an
// absolute-form target.
function targetProblem(url) {
  if (url.includes('#')) return 'A request target carries no fragment (a part from #).';
  if (url.startsWith('/')) return undefined;
  if (!absoluteForm.test(url)) {
    return 'A request target is a path (/hello) or a URL (http://host/hello); * is for OPTIONS.';
  }
  if (!httpScheme.test(url)) {
    return 'A request target URL is http:// or https://; no other scheme is served here.';
  }
  const scheme = url.indexOf('://');
  const rest = url.slice(scheme + 3);
  const authority = rest.slice(0, rest.search(/[/?]|$/));
  return authority.includes('@') ? 'A request target carries no userinfo (user@ before the host).'
    : undefined;
}

// The path the public port routes on: the origin-form's, the query dropped, percent-escapes
// decoded; undefined when an escape is malformed (400 MALFORMED_URL there too). Compared as
// sent, 'GET http://x/healthz' and '/%68ealthz' were 404 here and 200 on the public port.
function targetPath(url) {
  const path = originForm(url).split('?')[0];
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

// A probe path with a slash added ('/healthz/'): the target without it, query kept, as the public
// port's redirect (protocol/unrouted.reply.ts, 308) has it; else undefined. The kubelet follows a
// redirect to the same host (Kubernetes' pkg/probe/http), so a probe set to '/healthz/' checks
// '/healthz' on either port, where the 404 this port gave failed it on this port only. Path and
// query only, from the origin-form: an absolute-form target's authority is the client's word,
// and 'GET http://evil.example/healthz/' was sent to 'http://evil.example/healthz'.
function withoutTrailingSlash(url, path) {
  if (path.length < 2 || !path.endsWith('/') || path.startsWith('//')) return undefined;
  if (!probePaths.has(path.replace(/[/]+$/, ''))) return undefined;
  const target = originForm(url);
  const sent = target.split('?')[0];
  return sent.replace(/[/]+$/, '') + target.slice(sent.length);
}

// Written raw: no request object exists for bytes the parser refused. The answers are the other
// ports' table (errors/client-error.reply.ts).
const answeredSockets = new WeakSet();
function answerClientError(error, socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed || answeredSockets.has(socket)) return;
  const method = readRefusedMethod(error, socket);
  // Its end comes in a later packet, which the parser reports here again.
  if (method === 'unfinished') return;
  answeredSockets.add(socket);
  // A pipelined request before the bad bytes is answered first (errors/client-error.reply.ts).
  const inFlight = socket._httpMessage;
  if (inFlight && inFlight.req && inFlight.req.complete) {
    const next = () => {
      inFlight.off('finish', next);
      inFlight.off('close', next);
      answeredSockets.delete(socket);
      setImmediate(() => answerClientError(error, socket));
    };
    inFlight.once('finish', next);
    inFlight.once('close', next);
    return;
  }
  const { status, code, detail } = clientErrors.get(error.code + ': ' + error.reason) ||
    clientErrors.get(error.code) || refusedMethodAnswer(method) || { status: 400,
    code: 'BAD_REQUEST',
    detail: 'The request could not be parsed' + (error.reason ? ': ' + error.reason : '') + '.' };
  const requestId = randomUUID();
  const body = problem(status, code, detail, undefined, requestId);
  if (socket.writable && !(socket._httpMessage && socket._httpMessage.headersSent)) {
    socket.write('HTTP/1.1 ' + status + ' ' + http.STATUS_CODES[status] + '\\r\\n' +
      'content-type: ' + PROBLEM_TYPE + '\\r\\ncontent-length: ' + Buffer.byteLength(body) + '\\r\\n' +
      'cache-control: no-store\\r\\nx-request-id: ' + requestId + '\\r\\nconnection: close\\r\\n\\r\\n' + body);
  }
  socket.destroy(error);
}

// The method of a request line the parser refused for it, read across the packets it comes in
// (errors/unknown-method.ts, whose token pattern comes in workerData): a token ended by a space
// is a method ('partial' when it began before the packets seen), 'unfinished' while the packet
// ends inside it, 'too-long' past the header limit; undefined for other errors and non-methods.
const unfinishedMethods = new WeakMap();
function readRefusedMethod(error, socket) {
  const packet = error.rawPacket;
  if (error.code !== 'HPE_INVALID_METHOD' || !Buffer.isBuffer(packet)) return undefined;
  const before = unfinishedMethods.get(socket);
  unfinishedMethods.delete(socket);
  const at = error.bytesParsed || 0;
  const start = before || at === 0 ? 0 : packet.lastIndexOf(0x0a, at - 1) + 1;
  const partial = before ? before.partial : start === 0 && socket.bytesRead > packet.length &&
    socket.bytesWritten === 0 && !socket._httpMessage;
  const token = tokenStart.exec(packet.toString('latin1', start))[0];
  const length = (before ? before.length : 0) + token.length;
  if (length > http.maxHeaderSize) return 'too-long';
  const method = ((before ? before.method : '') + token).slice(0, longestMethodShown + 1);
  const end = start + token.length;
  if (end === packet.length) {
    unfinishedMethods.set(socket, { method, length, partial });
    return 'unfinished';
  }
  if (packet[end] !== 0x20 || (length === 0 && !partial)) return undefined;
  return { method, partial };
}

// 501 for a method no route here can have, the detail naming the method meant when only its case
// is wrong (errors/unknown-method.ts); 431 past the header limit; else undefined (400).
function refusedMethodAnswer(reading) {
  if (reading === 'too-long') return clientErrors.get('HPE_HEADER_OVERFLOW');
  if (reading === undefined) return undefined;
  const { method, partial } = reading;
  const shown = method.length <= longestMethodShown ? method
    : method.slice(0, longestMethodShown) + '\u2026';
  const upper = method.toUpperCase();
  const hint = upper !== method && http.METHODS.includes(upper)
    ? ' (methods are case-sensitive: send ' + upper + ')' : '';
  return { status: 501, code: 'METHOD_NOT_IMPLEMENTED', detail: partial
    ? 'The method \u2026' + shown + ' is not implemented here.'
    : shown + ' is not implemented here' + hint + '.' };
}

// The other ports' framing rules (protocol/protocol.checks.ts, host-header.check.ts, whose Host
// pattern comes in workerData): a Host absent on HTTP/1.1, repeated or malformed, and a
// Transfer-Encoding other than chunked, are 400 and close the connection.
function framingProblem(req) {
  let hostValue;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length !== 4 || raw[i].toLowerCase() !== 'host') continue;
    if (hostValue !== undefined) return 'More than one Host header.';
    hostValue = raw[i + 1];
  }
  if (hostValue === undefined) {
    if (req.httpVersion === '1.1') return 'An HTTP/1.1 request needs a Host header.';
  } else if (!validHost.test(hostValue)) return 'The Host header is not a valid host[:port].';
  const te = req.headers['transfer-encoding'];
  if (te === undefined) return undefined;
  if (req.httpVersion === '1.0') return 'Transfer-Encoding is not allowed in HTTP/1.0.';
  return te.trim().toLowerCase() === 'chunked' ? undefined : 'Only Transfer-Encoding: chunked is accepted.';
}
`;

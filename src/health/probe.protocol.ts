/**
 * The probe thread's protocol rules (probe.worker.ts splices this source into its own): the
 * request target read as the public port reads it, a probe path's trailing-slash redirect, and
 * the Host and Transfer-Encoding framing checks. The raw answers to bytes the parser refused are
 * probe.client-error.ts; what `Expect` asks, probe.expect.ts.
 * Plain CommonJS in a string, like the rest of the thread, which cannot import the main thread's
 * modules but files that import nothing outside errors/target-form.ts: a target's rules are
 * protocol/request-target.ts's own and its origin-form errors/target-form.ts's, imported from
 * `requestTargetModule` and `targetFormModule` (workerData) before the port opens. The rest
 * repeat a rule of the file each names. It reads `workerData`'s fields and `problem` and `PROBLEM_TYPE` from the
 * thread's scope.
 */
export const PROBE_PROTOCOL_SOURCE = `
// errors/target-form.ts's and protocol/request-target.ts's, set once they are imported: the
// target in origin-form, and why one is refused (400), the same functions the other ports call. A
// copy of part of them here let the ports drift: 'GET http://a:99999/healthz' was 400 on the
// public port and 200 here.
let originForm, targetProblem, validHost;
function importRequestTarget() {
  return Promise.all([import(targetFormModule), import(requestTargetModule)]).then(
    ([form, target]) => {
      ({ originForm } = form);
      ({ targetProblem, validHost } = target);
    },
  );
}

// The path the public port routes on: the origin-form's, the query dropped, percent-escapes
// decoded; undefined when an escape is malformed (400 MALFORMED_URL there too). Compared as
// sent, 'GET http://x/healthz' and '/%68ealthz' were 404 here and 200 on the public port.
// Decoded by the router's rule (find-my-way decodes a path with decodeURI): the escape of a
// reserved character (%2F, %3F, %23...) stays as sent, so '/healthz%2F' is no '/healthz/' here
// either. decodeURIComponent refuses the same malformed escapes, but turned them into what the
// router never routes on.
function targetPath(url) {
  const path = originForm(url).split('?')[0];
  if (!path.includes('%')) return path;
  try {
    return decodeURI(path);
  } catch {
    return undefined;
  }
}

// A probe path with a slash added ('/healthz/'): the target without it, query kept, as the public
// port's redirect (protocol/unrouted.reply.ts, 308) has it; else undefined. The kubelet follows a
// redirect to the same host (Kubernetes' pkg/probe/http), so a probe set to '/healthz/' checks
// '/healthz' on either port, where the 404 this port gave failed it on this port only. Path and
// query only, from the origin-form: an absolute-form target's authority is the client's word,
// and 'GET http://evil.example/healthz/' was sent to 'http://evil.example/healthz'. The slashes
// taken off are the ones sent, as there: read after decoding, '/healthz%2F' was redirected to
// itself, a loop for a client that follows redirects.
function withoutTrailingSlash(url) {
  const target = originForm(url);
  const sent = target.split('?')[0];
  if (sent.length < 2 || !sent.endsWith('/') || sent.startsWith('//')) return undefined;
  const route = sent.replace(/[/]+$/, '');
  if (!probePaths.has(targetPath(route))) return undefined;
  return route + target.slice(sent.length);
}

// The other ports' framing rules (protocol/protocol.checks.ts, host-header.check.ts, whose Host
// value is read by request-target.ts's validHost, imported): a Host absent on HTTP/1.1, repeated
// or malformed, and a Transfer-Encoding other than chunked, are 400 and close the connection.
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
  } else if (!validHost(hostValue)) return 'The Host header is not a valid host[:port].';
  const te = req.headers['transfer-encoding'];
  if (te === undefined) return undefined;
  if (req.httpVersion === '1.0') return 'Transfer-Encoding is not allowed in HTTP/1.0.';
  return te.trim().toLowerCase() === 'chunked' ? undefined : 'Only Transfer-Encoding: chunked is accepted.';
}
`;

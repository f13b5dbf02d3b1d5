/**
 * What the probe thread makes of `Expect` (probe.worker.ts splices this source into its own and
 * registers these for Node's 'checkExpectation' and 'checkContinue'), as the other ports do
 * (errors/expect.reply.ts, whose patterns come in workerData: `noExpectation`, `onlyContinue`).
 * Plain CommonJS in a string, like the rest of the thread.
 */
export const PROBE_EXPECT_SOURCE = `
// An Expect that names no expectation ('Expect:', 'Expect: ,') asks nothing: served as if absent.
// Any other is 417, and the connection closes: the client may send the body it held back.
function answerExpectation(server, req, res) {
  if (noExpectation.test(req.headers.expect || '')) return void server.emit('request', req, res);
  res.requestId = requestIdOf(req);
  closeIfBody(req, res);
  send(res, 417, problem(417, 'EXPECTATION_FAILED', 'Only Expect: 100-continue is supported.',
    pathAsSent(req.url || ''), res.requestId), { connection: 'close' });
}

// Expect: 100-continue. Nothing here reads a body, so a request with one is answered without the
// 100: Node sent it at once, asking for a body only to answer without it (two status lines where
// the other ports write one). Node then closes the connection, as the client may send the body
// all the same. Without a body, the 100 at once, as on the other ports. Node comes here when
// 100-continue is anywhere in the field: another expectation beside it ('100-continue, foo') is
// 417, as it is alone.
function continueWithoutBody(server, req, res) {
  if (!onlyContinue.test(req.headers.expect || '')) return answerExpectation(server, req, res);
  const hasBody = req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length']) > 0;
  if (!hasBody) res.writeContinue();
  server.emit('request', req, res);
}
`;

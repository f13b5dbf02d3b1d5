/**
 * How the probe thread closes a connection after an answer its request's body did not wait for
 * (probe.worker.ts splices this source into its own): as the other ports do, with the same code,
 * errors/lingering-close.ts, which the thread imports into its own module graph from
 * `lingeringCloseModule` (workerData) before its port opens. The answer, a FIN, then what still
 * arrives read and thrown away within LINGER_MS and LINGER_BYTES; only then the socket destroyed.
 * Plain CommonJS in a string, like the rest of the thread.
 */
export const PROBE_LINGER_SOURCE = `
// errors/lingering-close.ts's, set once it is imported.
let lingerIfUnread, closeLingering, isLingering, announcesBodyOver;
function importLingeringClose() {
  return import(lingeringCloseModule).then((lingering) => {
    ({ lingerIfUnread, closeLingering, isLingering, announcesBodyOver } = lingering);
  });
}

// This port takes no body: a request that announces one closes its connection after the answer,
// lingering. Closed at once with the body arriving (Connection: close, HTTP/1.0, an Expect
// answered without the 100), the socket was reset and the client, still uploading, never read its
// answer; kept, Node read the body away to its end however large. A probe, which sends none,
// pays two header reads.
function closeIfBody(req, res) {
  if (!announcesBodyOver(req, 0)) return;
  res.setHeader('connection', 'close');
  lingerIfUnread(req);
}
`;

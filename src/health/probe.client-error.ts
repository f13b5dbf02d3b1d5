/**
 * The probe thread's answers to bytes Node's parser refused (probe.worker.ts splices this source
 * into its own), as the other ports give them (errors/client-error.reply.ts, whose table comes in
 * workerData as `clientErrors`), with a refused method read across the packets it arrives in
 * (errors/unknown-method.ts). Plain CommonJS in a string, like the rest of the thread; it reads
 * `workerData`'s fields and `problem`, `PROBLEM_TYPE`, `randomUUID` and errors/lingering-close.ts's
 * `closeLingering` and `isLingering`, and errors/client-text.ts's `cut`, from the thread's scope.
 */
export const PROBE_CLIENT_ERROR_SOURCE = `
// Written raw: no request object exists for bytes the parser refused. The answers are the other
// ports' table (errors/client-error.reply.ts).
const answeredSockets = new WeakSet();
function answerClientError(error, socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed || answeredSockets.has(socket)) return;
  // Closing after an answer its body did not wait for: the client ending that body early is no
  // new fault (errors/client-error.reply.ts).
  if (isLingering(socket)) return;
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
      'cache-control: no-store\\r\\nx-content-type-options: nosniff\\r\\nx-request-id: ' + requestId + '\\r\\nconnection: close\\r\\n\\r\\n' + body);
    // The client may still be sending the body it framed: destroyed now, the socket was reset
    // and the client never read this answer (errors/lingering-close.ts).
    closeLingering(socket);
    return;
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
  const method = ((before ? before.method : '') + token).slice(0, longestMethodKept);
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
  const shown = cut(method);
  const upper = method.toUpperCase();
  const hint = upper !== method && http.METHODS.includes(upper)
    ? ' (methods are case-sensitive: send ' + upper + ')' : '';
  return { status: 501, code: 'METHOD_NOT_IMPLEMENTED', detail: partial
    ? 'The method \u2026' + shown + ' is not implemented here.'
    : shown + ' is not implemented here' + hint + '.' };
}
`;

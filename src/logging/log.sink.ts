import { writeSync } from 'node:fs';

/** 16 Mi characters (~64k lines) may wait for a blocked stdout before lines are dropped. */
const DEFAULT_MAX_PENDING_CHARS = 16 * 1024 * 1024;
/** A full non-blocking pipe is retried after this long; the event loop never spins on it. */
const RETRY_AFTER_EAGAIN_MS = 10;
/** Atomics.wait on a cell nobody notifies: a 1 ms synchronous sleep for flushSync's retries. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/**
 * A batch is written once it holds this many characters (~100 access lines), at the next turn of
 * the event loop ...
 */
const FLUSH_CHARS = 32 * 1024;
/** ... or this long after its first line, whichever comes first. */
const DEFAULT_FLUSH_AFTER_MS = 10;
/**
 * The longest batch encoded into the sink's buffer: twice FLUSH_CHARS, room for the lines a
 * turn adds past it. UTF-8 takes at most 3 bytes per UTF-16 unit (a pair: 4 bytes for 2).
 */
const ENCODED_BATCH_CHARS = 2 * FLUSH_CHARS;

/**
 * Where every log line goes (pino's destination and the access log): appended to a string and
 * written to the file descriptor in one `write(2)` per batch, off the request path. A batch is
 * written once it holds FLUSH_CHARS or `flushAfterMs` after its first line. Written at every
 * event-loop turn instead, a busy server made a write every ~10 lines, and each write to a pipe
 * (a container runtime's log collector) may wake its reader: log.sink.bench.ts, to a pipe `cat`
 * reads, 854 against 1,682 ns a line (448 with no line at all). Under CPU contention that write
 * was 8 µs of a `/hello`'s CPU in a profile; on an idle machine the end-to-end difference is
 * within noise. A line reaches its reader at most `flushAfterMs` late; lines queued when the
 * process exits are written by flushSync (logging/logger.ts, and its 'exit' listener).
 *
 * Why not pino's sonic-boom: in async mode it starts a thread-pool write per line whenever none
 * is in flight, and its buffer mode copies every line into a Buffer. Here a line costs a string
 * append; the batch is written as one string (log.sink.bench.ts: ns per line against sonic-boom).
 *
 * The write is synchronous, as Node's own stdout is for files and for pipes on Linux
 * (nodejs.org/api/process.html#a-note-on-process-io): one call per batch, not per line.
 * When the reader stops reading (a full non-blocking pipe, EAGAIN), lines wait in memory up to
 * `maxPendingChars`, then are dropped and counted (`dropped`) rather than stalling requests or
 * growing without bound.
 */
export class LogSink {
  /** Lines refused because the backlog was full, or lost because the descriptor failed. */
  dropped = 0;
  private pending = '';
  /** The unwritten tail of a batch the descriptor refused (EAGAIN), written before `pending`. */
  private stalled?: Buffer;
  /** A write is due: after `flushAfterMs` (a timer) or at the next turn (a full batch). */
  private scheduled: 'timer' | 'turn' | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly encoded = Buffer.allocUnsafe(3 * ENCODED_BATCH_CHARS);

  constructor(
    private readonly fd: number,
    private readonly maxPendingChars = DEFAULT_MAX_PENDING_CHARS,
    /** How long a line may wait for its batch; 0: written at the next event-loop turn. */
    private readonly flushAfterMs = DEFAULT_FLUSH_AFTER_MS,
  ) {}

  /**
   * The process's stdout. The sink writes fd 1 synchronously and must never block the event
   * loop in write(2): reading process.stdout opens fd 1 as a Node stream, which puts a pipe into
   * non-blocking mode (libuv), so a log reader that stops reading makes the write return EAGAIN
   * (lines wait, then are dropped and counted) instead.
   */
  static forStdout(): LogSink {
    void process.stdout;
    return new LogSink(1);
  }

  /** Queues one line (with its trailing newline); false when it was dropped. */
  write(line: string): boolean {
    if (this.pending.length + line.length > this.maxPendingChars) {
      this.dropped++;
      return false;
    }
    this.pending += line;
    // A write is already due at the next turn, or the descriptor is full and its retry pending:
    // a full batch must not turn each line into a write(2) that a full pipe refuses.
    if (this.scheduled === 'turn' || (this.stalled && this.scheduled)) return true;
    if (this.pending.length >= FLUSH_CHARS || this.flushAfterMs === 0) {
      clearTimeout(this.timer);
      this.scheduled = 'turn';
      setImmediate(this.flushBatch);
    } else if (this.scheduled === undefined) {
      this.scheduled = 'timer';
      this.timer = setTimeout(this.flushBatch, this.flushAfterMs);
    }
    return true;
  }

  /** Writes everything queued now, waiting out a full pipe; for the last lines before exit. */
  flushSync(): void {
    for (let attempts = 0; this.hasBacklog() && attempts < 1000; attempts++) {
      if (!this.writeBacklog()) Atomics.wait(SLEEP_CELL, 0, 0, 1);
    }
  }

  private readonly flushBatch = (): void => {
    clearTimeout(this.timer);
    this.scheduled = undefined;
    if (!this.writeBacklog()) {
      this.scheduled = 'timer';
      this.timer = setTimeout(this.flushBatch, RETRY_AFTER_EAGAIN_MS).unref();
    }
  };

  private hasBacklog(): boolean {
    return this.stalled !== undefined || this.pending !== '';
  }

  /**
   * The stalled rest first, then the lines queued meanwhile: once the rest went out, so do they,
   * in the same call (left for the next line to schedule, they waited for it, however long).
   * @returns false when the descriptor refused to take everything for now (EAGAIN).
   */
  private writeBacklog(): boolean {
    if (this.stalled) {
      const chunk = this.stalled;
      let offset = 0;
      try {
        while (offset < chunk.length) offset += writeSync(this.fd, chunk, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          this.stalled = chunk.subarray(offset);
          return false;
        }
        // The descriptor is gone (EPIPE, EBADF): nobody can read these lines any more.
        this.dropped += countLines(chunk.subarray(offset).toString());
      }
      this.stalled = undefined;
    }
    if (this.pending === '') return true;
    const batch = this.pending;
    this.pending = '';
    this.stalled = this.writeBatch(batch);
    return this.stalled === undefined;
  }

  /**
   * Writes the batch: encoded into the sink's own buffer, reused for every batch, and written
   * from there, so the bytes written are known without measuring the batch again. Written as a
   * string, Node encoded it into a native buffer of its own and Buffer.byteLength walked it a
   * second time to tell a part written from the whole (log.sink.bench.ts, batched, to a file:
   * 419-447 ns a line that way, 373-399 this way, 200 of either the turns alone). A batch longer
   * than the buffer holds (a backlog after a stall) gets a buffer of its own.
   * @returns the bytes the descriptor did not take (a full pipe: EAGAIN, or a part written), to
   * be written first next time; undefined when it took all, or is gone (the lines counted as
   * dropped).
   */
  private writeBatch(batch: string): Buffer | undefined {
    const bytes =
      batch.length <= ENCODED_BATCH_CHARS
        ? this.encoded.subarray(0, this.encoded.write(batch, 0, 'utf8'))
        : Buffer.from(batch);
    let written: number;
    try {
      written = writeSync(this.fd, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.dropped += countLines(batch);
        return undefined;
      }
      written = 0;
    }
    // The rest waits as bytes, so a retry resumes mid-character; copied, as the sink's own
    // buffer is the next batch's.
    return written === bytes.length ? undefined : Buffer.from(bytes.subarray(written));
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

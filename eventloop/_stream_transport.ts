// The stream transport over a Deno.Conn (TCP, TLS, Unix socket), or over
// anything shaped like one (`StreamConn`: the node:tls connections of a
// server that verifies client certificates). Private: users see it through
// the `Transport` interface.
//
// Protocol state machine, enforced here (asyncio's, transports.py):
//   connectionMade -> (dataReceived | getBuffer/bufferUpdated)* ->
//   eofReceived? -> connectionLost (exactly once)
// Every protocol callback runs inside a loop pass.
//
// Invariants:
// - At most one read and one write (or closeWrite) are in flight on the conn.
// - connectionLost is scheduled only once the conn is closed and no read or
//   write is in flight, so no Deno op outlives the transport's life.
// - A pending flush counts as I/O in flight (`_ioStarted`); an idle read that
//   waits for the peer does not.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import type { BaseProtocol, BufferedProtocol, Protocol } from "./protocols.ts";
import type { Transport } from "./transports.ts";
import { closeQuietly, formatAddr } from "./_net.ts";
import { callWriteFlow, WriteFlow } from "./_write_flow.ts";
import { trackUnclosed, untrack } from "./_resource_warnings.ts";
import { checkChunks, describeValue } from "./_util.ts";
import { MethodStep, Step } from "./_step.ts";
import { handsOver, ReadSize } from "./_read_buffer.ts";

/** asyncio's threshold before writes after close are logged. */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
const EMPTY = new Uint8Array(0);

/** Something a transport reports its end to (a Server). */
export interface TransportOwner {
  /** @ignore @internal */
  _detach(transport: StreamTransport): void;
}

/**
 * What the transport reads and writes through: the part of `Deno.Conn` it
 * uses. A read resolves with a byte count or `null` at EOF; `close()` is
 * synchronous and makes a pending read or write settle.
 */
export interface StreamConn {
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  /** `TCP_NODELAY` on or off, where the connection can (TCP). */
  setNoDelay?(noDelay: boolean): void;
}

/** Options of the transport's constructor. */
export interface StreamTransportOptions {
  /** Set once `connectionMade` has run (createConnection waits on it). */
  waiter?: Future<void> | null;
  /** The server that accepted the connection. */
  server?: TransportOwner | null;
  /** Extra info beyond peername/sockname (TLS details). */
  extra?: Record<string, unknown> | null;
  /** Whether `writeEof()` is supported. */
  canWriteEof?: boolean;
  /** Skip `connectionMade` (after startTls, the protocol already has it). */
  connectionMadeAlready?: boolean;
  /** Report the conn as extra info `"conn"` (a Deno.Conn; not an adapter). */
  exposeConn?: boolean;
}

// The transport's boolean states, as bits of one field (#flags): one word
// per transport rather than one per state.
const F_BUFFERED = 1;
const F_EXPOSE_CONN = 2;
const F_CAN_WRITE_EOF = 4;
const F_READ_IN_FLIGHT = 8;
const F_PAUSED = 16;
const F_EOF_RECEIVED = 32;
const F_STARTED = 64;
const F_WRITE_IN_FLIGHT = 128;
const F_TOLD_PAUSED = 256;
const F_EOF = 512;
const F_EOF_WRITTEN = 1024;
const F_CLOSING = 2048;
const F_DETACHED = 4096;

// The transport's end (#lostState): alive; losing (the conn is closed,
// connectionLost waits for the reads and writes in flight to come back);
// connectionLost scheduled; connectionLost called.
const ALIVE = 0;
const LOSING = 1;
const LOST_SCHEDULED = 2;
const LOST = 3;

/**
 * Whether an error means the peer went away or sent a broken TLS stream
 * (asyncio logs those quietly: they are OSErrors, `ssl.SSLError` included).
 */
function isConnectionError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.InvalidData ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.UnexpectedEof;
}

/**
 * A stream transport over a `Deno.Conn`.
 */
export class StreamTransport implements Transport {
  #loop: EventLoop;
  #conn: StreamConn;
  #protocol: BaseProtocol;
  #server: TransportOwner | null;
  /** The extra info given beyond peername/sockname/conn (TLS details). */
  #extra: Record<string, unknown> | null;

  /** The boolean states (the F_ bits), read and set through the accessors below. */
  #flags = 0;

  get #buffered(): boolean {
    return (this.#flags & F_BUFFERED) !== 0;
  }
  set #buffered(on: boolean) {
    this.#flags = on ? this.#flags | F_BUFFERED : this.#flags & ~F_BUFFERED;
  }

  get #exposeConn(): boolean {
    return (this.#flags & F_EXPOSE_CONN) !== 0;
  }
  set #exposeConn(on: boolean) {
    this.#flags = on
      ? this.#flags | F_EXPOSE_CONN
      : this.#flags & ~F_EXPOSE_CONN;
  }

  get #canWriteEof(): boolean {
    return (this.#flags & F_CAN_WRITE_EOF) !== 0;
  }
  set #canWriteEof(on: boolean) {
    this.#flags = on
      ? this.#flags | F_CAN_WRITE_EOF
      : this.#flags & ~F_CAN_WRITE_EOF;
  }

  get #readInFlight(): boolean {
    return (this.#flags & F_READ_IN_FLIGHT) !== 0;
  }
  set #readInFlight(on: boolean) {
    this.#flags = on
      ? this.#flags | F_READ_IN_FLIGHT
      : this.#flags & ~F_READ_IN_FLIGHT;
  }

  get #paused(): boolean {
    return (this.#flags & F_PAUSED) !== 0;
  }
  set #paused(on: boolean) {
    this.#flags = on ? this.#flags | F_PAUSED : this.#flags & ~F_PAUSED;
  }

  get #eofReceived(): boolean {
    return (this.#flags & F_EOF_RECEIVED) !== 0;
  }
  set #eofReceived(on: boolean) {
    this.#flags = on
      ? this.#flags | F_EOF_RECEIVED
      : this.#flags & ~F_EOF_RECEIVED;
  }

  get #started(): boolean {
    return (this.#flags & F_STARTED) !== 0;
  }
  set #started(on: boolean) {
    this.#flags = on ? this.#flags | F_STARTED : this.#flags & ~F_STARTED;
  }

  get #writeInFlight(): boolean {
    return (this.#flags & F_WRITE_IN_FLIGHT) !== 0;
  }
  set #writeInFlight(on: boolean) {
    this.#flags = on
      ? this.#flags | F_WRITE_IN_FLIGHT
      : this.#flags & ~F_WRITE_IN_FLIGHT;
  }

  /** The protocol's last flow call was pauseWriting (resume runs a pass later). */
  get #toldPaused(): boolean {
    return (this.#flags & F_TOLD_PAUSED) !== 0;
  }
  set #toldPaused(on: boolean) {
    this.#flags = on
      ? this.#flags | F_TOLD_PAUSED
      : this.#flags & ~F_TOLD_PAUSED;
  }

  get #eof(): boolean {
    return (this.#flags & F_EOF) !== 0;
  }
  set #eof(on: boolean) {
    this.#flags = on ? this.#flags | F_EOF : this.#flags & ~F_EOF;
  }

  get #eofWritten(): boolean {
    return (this.#flags & F_EOF_WRITTEN) !== 0;
  }
  set #eofWritten(on: boolean) {
    this.#flags = on
      ? this.#flags | F_EOF_WRITTEN
      : this.#flags & ~F_EOF_WRITTEN;
  }

  get #closing(): boolean {
    return (this.#flags & F_CLOSING) !== 0;
  }
  set #closing(on: boolean) {
    this.#flags = on ? this.#flags | F_CLOSING : this.#flags & ~F_CLOSING;
  }

  /** Detached by startTls: the conn now belongs to a TLS transport. */
  get #detached(): boolean {
    return (this.#flags & F_DETACHED) !== 0;
  }
  set #detached(on: boolean) {
    this.#flags = on ? this.#flags | F_DETACHED : this.#flags & ~F_DETACHED;
  }

  // Reading.
  /**
   * The transport's read buffer (a Protocol's reads; eventloop/
   * _read_buffer.ts says how it is sized); `null` once handed to the
   * protocol, until the next read makes a new one (after the protocol had
   * its data, so the allocation is not between a read and the protocol's
   * reply to it).
   */
  #readBuf: Uint8Array | null = null;
  #readSize = new ReadSize();
  /** The buffer of the read in flight (a BufferedProtocol's own). */
  #target: Uint8Array = EMPTY;
  /** A read result not yet delivered (`undefined`: none). */
  #readResult: number | null | undefined = undefined;

  // Writing.
  #chunks: Uint8Array[] = [];
  #bufferSize = 0;
  #flow = new WriteFlow(this, this.#tellPause, this.#resumeLater);

  // Closing.
  #connLost = 0;
  /** ALIVE, then LOSING, LOST_SCHEDULED, LOST: never goes back. */
  #lostState = ALIVE;
  #lostError: Error | null = null;
  #detachWaiter: (() => void) | null = null;

  // The loop steps: one per method, no closure per transport; the rare one
  // is made when first needed.
  #deliverStep = new MethodStep(this, this.#deliver);
  #readStep = new MethodStep(this, this.#startRead);
  #resumeWritingStep: MethodStep<StreamTransport> | null = null;

  constructor(
    loop: EventLoop,
    conn: StreamConn,
    protocol: BaseProtocol,
    options: StreamTransportOptions = {},
  ) {
    this.#loop = loop;
    this.#conn = conn;
    this.#protocol = protocol;
    this.#buffered = typeof (protocol as BufferedProtocol).getBuffer ===
      "function";
    this.#server = options.server ?? null;
    this.#canWriteEof = options.canWriteEof ?? true;
    // Made into one object only if asked for (getExtraInfo): the conn has
    // the addresses.
    this.#extra = options.extra ?? null;
    this.#exposeConn = options.exposeConn !== false;
    // asyncio sets TCP_NODELAY on every TCP transport (base_events.py's
    // _set_nodelay). A conn that cannot (Deno's TLS conns) keeps what its
    // socket had; one that fails to is already broken, and its first read
    // or write reports that.
    if (noDelayRefusal(conn) === null) {
      try {
        conn.setNoDelay!(true);
      } catch {
        // Reported by the first read or write.
      }
    }
    const waiter = options.waiter ?? null;
    const start = options.connectionMadeAlready
      ? () => {
        this.#started = true;
        waiter?.done() || waiter?.setResult();
        this.#loop._pushReady(this.#readStep);
      }
      : () => this.#start(waiter);
    loop.callSoon(start);
    // The conn is what closes it: no closure, and the description is
    // formatted only if it is reported.
    trackUnclosed(this, "transport to", loop, conn, conn.remoteAddr);
  }

  #start(waiter: Future<void> | null): void {
    this.#started = true;
    try {
      this.#protocol.connectionMade(this);
    } catch (error) {
      this.#fatalError(error, "Exception in protocol.connectionMade()");
      if (waiter !== null && !waiter.done()) waiter.setException(error);
      return;
    }
    if (waiter !== null && !waiter.done()) waiter.setResult();
    this.#startRead();
  }

  // ---- BaseTransport ----

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    const extra = this.#extra;
    if (extra !== null && Object.hasOwn(extra, name)) return extra[name];
    switch (name) {
      case "peername":
        return this.#conn.remoteAddr;
      case "sockname":
        return this.#conn.localAddr;
      case "conn":
        return this.#exposeConn ? this.#conn : defaultValue;
      default:
        return defaultValue;
    }
  }

  isClosing(): boolean {
    return this.#closing;
  }

  setProtocol(protocol: BaseProtocol): void {
    if (typeof protocol !== "object" || protocol === null) {
      throw new TypeError(
        `Cannot set the protocol as 'protocol' must be a protocol object: received ${
          describeValue(protocol)
        }`,
      );
    }
    this.#protocol = protocol;
    this.#buffered = typeof (protocol as BufferedProtocol).getBuffer ===
      "function";
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    untrack(this);
    if (this.#chunks.length === 0 && !this.#writeInFlight) {
      this.#connLost++;
      this.#lose(null);
    }
    // Otherwise the flush ends by losing the connection.
  }

  abort(): void {
    this.#forceClose(null);
  }

  setNoDelay(noDelay: boolean): void {
    if (typeof noDelay !== "boolean") {
      throw new TypeError(
        `Cannot set TCP_NODELAY as 'noDelay' must be a boolean: received ${
          describeValue(noDelay)
        }`,
      );
    }
    const why = noDelayRefusal(this.#conn);
    if (why !== null) throw new Error(`Cannot set TCP_NODELAY: ${why}`);
    if (this.#lostState !== ALIVE || this.#detached) {
      throw new Error("Cannot set TCP_NODELAY on a closed transport");
    }
    this.#conn.setNoDelay!(noDelay);
  }

  // ---- ReadTransport ----

  isReading(): boolean {
    return !this.#paused && !this.#closing;
  }

  pauseReading(): void {
    if (this.#closing || this.#paused) return;
    this.#paused = true;
  }

  resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    if (this.#readResult !== undefined) {
      this.#loop._pushReady(this.#deliverStep);
    } else if (this.#started) {
      this.#startRead();
    }
  }

  // ---- WriteTransport ----

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#flow.setLimits(high, low, this.#bufferSize);
  }

  getWriteBufferSize(): number {
    return this.#bufferSize;
  }

  getWriteBufferLimits(): [number, number] {
    return this.#flow.limits();
  }

  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot write as 'data' must be a Uint8Array: received ${
          describeValue(data)
        }`,
      );
    }
    if (this.#eof) {
      throw new Error("Cannot call write() after writeEof()");
    }
    if (data.byteLength === 0) return;
    if (this.#connLost > 0 || this.#detached) {
      if (this.#connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        console.warn(
          "write() on a closed transport: the data is dropped (asyncio: 'socket.send() raised exception.')",
        );
      }
      this.#connLost++;
      return;
    }
    this.#chunks.push(data);
    this.#bufferSize += data.byteLength;
    if (!this.#writeInFlight) {
      this.#writeInFlight = true;
      this.#loop._ioStarted();
      this.#writeNext();
    }
    this.#flow.grew(this.#bufferSize);
  }

  writeLines(chunks: Iterable<Uint8Array>): void {
    for (const chunk of checkChunks(chunks, "write lines")) this.write(chunk);
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    if (!this.#canWriteEof) {
      throw new Error("This transport does not support writeEof()");
    }
    this.#eof = true;
    if (!this.#writeInFlight) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return this.#canWriteEof;
  }

  // ---- For startTls and the Server ----

  /**
   * @internal Whether the protocol was last told `pauseWriting()` (and not
   * yet `resumeWriting()`): `loop.sendfile()` hands this state over when it
   * swaps protocols.
   * @ignore
   */
  get _writingPaused(): boolean {
    return this.#toldPaused;
  }

  /** @ignore @internal Whether the protocol's `connectionLost` has been called. */
  get _lost(): boolean {
    return this.#lostState !== ALIVE;
  }

  /**
   * @internal Hands the conn over (startTls): stops reading, waits for the
   * write buffer to drain, and resolves with the conn, which this transport
   * no longer uses. Rejects if a read is in flight (Deno cannot take a conn
   * with a pending read) or the transport is closing.
   * @ignore
   */
  _detach(): Promise<StreamConn> {
    if (this.#closing || this.#lostState !== ALIVE) {
      return Promise.reject(
        new Error("Cannot start TLS on a closing transport"),
      );
    }
    if (this.#readResult !== undefined) {
      return Promise.reject(
        new Error(
          "Cannot start TLS as the transport holds a read not delivered yet: the peer sent more after its go-ahead (in plain text), or closed",
        ),
      );
    }
    if (this.#readInFlight) {
      return Promise.reject(
        new Error(
          "Cannot start TLS while a read is in flight on the transport (Deno cannot take over a connection that is being read): call pauseReading() when the peer's go-ahead arrives, or startTls() in the loop pass that delivers it",
        ),
      );
    }
    this.pauseReading();
    this.#detached = true;
    this.#closing = true;
    untrack(this);
    return new Promise<void>((resolve) => {
      if (!this.#writeInFlight) resolve();
      else this.#detachWaiter = resolve;
    }).then(() => this.#conn);
  }

  /**
   * @internal startTls failed after `_detach()`: the conn is gone, so the
   * protocol learns of it through connectionLost(error), once.
   * @ignore
   */
  _detachFailed(error: Error): void {
    if (this.#lostState !== ALIVE) return;
    this.#lostState = LOSING;
    this.#lostError = error;
    closeQuietly(this.#conn);
    this.#maybeScheduleLost();
  }

  // ---- Reading ----

  #startRead(): void {
    if (
      this.#readInFlight || this.#paused || this.#closing ||
      this.#eofReceived || this.#readResult !== undefined
    ) return;
    let target: Uint8Array;
    if (!this.#buffered) {
      const size = this.#readSize.size;
      let buf = this.#readBuf;
      if (buf === null || buf.byteLength !== size) {
        buf = this.#readBuf = new Uint8Array(size);
      }
      target = buf;
    } else {
      try {
        target = (this.#protocol as BufferedProtocol).getBuffer(-1);
        if (!(target instanceof Uint8Array) || target.byteLength === 0) {
          throw new TypeError(
            `getBuffer() must return a non-empty Uint8Array: received ${
              describeValue(target)
            }`,
          );
        }
      } catch (error) {
        this.#fatalError(error, "Fatal error: protocol.getBuffer() failed");
        return;
      }
    }
    this.#target = target;
    this.#readInFlight = true;
    this.#conn.read(target).then(this.#onRead, this.#onReadError);
  }

  #onRead = (n: number | null): void => {
    this.#readInFlight = false;
    if (this.#lostState !== ALIVE || this.#detached) {
      this.#maybeScheduleLost();
      return;
    }
    if (this.#loop.isClosed()) {
      closeQuietly(this.#conn);
      return;
    }
    this.#readResult = n;
    if (!this.#paused) this.#loop._pushReady(this.#deliverStep);
  };

  #onReadError = (error: unknown): void => {
    if (
      error instanceof Deno.errors.UnexpectedEof &&
      typeof (this.#conn as Deno.TlsConn).handshake === "function"
    ) {
      // A TLS peer that closed its socket without close_notify (a plain
      // close() in Python's ssl, a killed process): everything it sent has
      // been delivered, and asyncio reads this "ragged EOF" as EOF too. It
      // cannot tell a truncating attacker from a peer that closed: only
      // protocols that frame their data (a length, a last chunk) can.
      this.#onRead(null);
      return;
    }
    this.#readInFlight = false;
    if (this.#lostState !== ALIVE || this.#closing || this.#loop.isClosed()) {
      this.#maybeScheduleLost();
      return;
    }
    this.#loop._pushReady(
      new Step(() =>
        this.#fatalError(error, "Fatal read error on socket transport")
      ),
    );
  };

  /** Runs in a loop pass: hands the read result to the protocol. */
  #deliver(): void {
    const n = this.#readResult;
    if (n === undefined || this.#paused) return;
    this.#readResult = undefined;
    if (this.#closing) return;
    if (n === null) {
      this.#readEof();
      return;
    }
    try {
      if (this.#buffered) {
        (this.#protocol as BufferedProtocol).bufferUpdated(n);
      } else {
        const target = this.#target;
        let chunk: Uint8Array;
        if (handsOver(n, target.byteLength)) {
          // A nearly full buffer is handed over (no copy); the next read
          // makes a fresh one.
          chunk = target.subarray(0, n);
          this.#readBuf = null;
        } else {
          chunk = target.slice(0, n);
        }
        this.#readSize.update(n, target.byteLength);
        (this.#protocol as Protocol).dataReceived(chunk);
      }
    } catch (error) {
      this.#fatalError(
        error,
        this.#buffered
          ? "Fatal error: protocol.bufferUpdated() call failed."
          : "Fatal error: protocol.dataReceived() call failed.",
      );
      return;
    }
    // The next read starts one pass later, so that a task woken by this data
    // can pause reading (or start TLS) before a read is in flight.
    this.#loop._pushReady(this.#readStep);
  }

  #readEof(): void {
    this.#eofReceived = true;
    let keepOpen: unknown;
    try {
      keepOpen = (this.#protocol as Protocol).eofReceived?.();
    } catch (error) {
      this.#fatalError(
        error,
        "Fatal error: protocol.eofReceived() call failed.",
      );
      return;
    }
    // asyncio: a true result keeps the transport half-open for writing.
    if (keepOpen !== true) this.close();
  }

  // ---- Writing ----

  /** Starts the next write; the buffer is not empty. */
  #writeNext(): void {
    const chunks = this.#chunks;
    let chunk: Uint8Array;
    if (chunks.length === 1) {
      chunk = chunks[0];
    } else {
      chunk = new Uint8Array(this.#bufferSize);
      let offset = 0;
      for (const c of chunks) {
        chunk.set(c, offset);
        offset += c.byteLength;
      }
      chunks.length = 0;
      chunks.push(chunk);
    }
    this.#conn.write(chunk).then(this.#onWritten, this.#onWriteError);
  }

  #onWritten = (n: number): void => {
    if (this.#lostState !== ALIVE) {
      this.#writeDone();
      this.#maybeScheduleLost();
      return;
    }
    this.#bufferSize -= n;
    const chunks = this.#chunks;
    const first = chunks[0];
    if (n < first.byteLength) chunks[0] = first.subarray(n);
    else chunks.shift();
    if (!this.#loop.isClosed()) this.#flow.shrank(this.#bufferSize);
    if (chunks.length > 0) {
      this.#writeNext();
      return;
    }
    this.#writeDone();
    if (this.#detachWaiter !== null) {
      const resolve = this.#detachWaiter;
      this.#detachWaiter = null;
      resolve();
    } else if (this.#closing) {
      this.#connLost++;
      this.#lose(null);
    } else if (this.#eof) {
      this.#shutdownWrite();
    }
  };

  #onWriteError = (error: unknown): void => {
    this.#writeDone();
    if (this.#lostState !== ALIVE || this.#loop.isClosed()) {
      this.#maybeScheduleLost();
      return;
    }
    this.#chunks.length = 0;
    this.#bufferSize = 0;
    this.#loop._pushReady(
      new Step(() =>
        this.#fatalError(error, "Fatal write error on socket transport")
      ),
    );
  };

  #writeDone(): void {
    if (this.#writeInFlight) {
      this.#writeInFlight = false;
      this.#loop._ioFinished();
    }
  }

  #shutdownWrite(): void {
    if (this.#eofWritten) return;
    this.#eofWritten = true;
    this.#writeInFlight = true;
    this.#loop._ioStarted();
    this.#conn.closeWrite().then(() => {
      this.#writeDone();
      if (this.#closing && this.#lostState === ALIVE) {
        this.#connLost++;
        this.#lose(null);
      } else {
        this.#maybeScheduleLost();
      }
    }, this.#onWriteError);
  }

  #tellPause(): void {
    // Paused again before a pending resumeWriting() ran: the protocol was
    // never told it could write, so it needs no second pauseWriting().
    if (this.#toldPaused) return;
    this.#toldPaused = true;
    callWriteFlow(this.#loop, this, this.#protocol, "pauseWriting");
  }

  #resumeLater(): void {
    this.#loop._pushReady(
      this.#resumeWritingStep ??= new MethodStep<StreamTransport>(
        this,
        this.#callResumeWriting,
      ),
    );
  }

  #callResumeWriting(): void {
    // The buffer grew past the high-water mark again since the resume was
    // scheduled: the protocol stays paused (asyncio resumes at once, so the
    // two never cross there).
    if (this.#lostState !== ALIVE || this.#flow.paused) return;
    this.#toldPaused = false;
    callWriteFlow(this.#loop, this, this.#protocol, "resumeWriting");
  }

  // ---- Closing ----

  /** asyncio's `_fatal_error`: report (unless the peer just went away). */
  #fatalError(error: unknown, message: string): void {
    if (!isConnectionError(error)) {
      this.#loop.callExceptionHandler({
        message,
        exception: error,
        transport: this,
        protocol: this.#protocol,
      });
    }
    this.#forceClose(
      error instanceof Error ? error : new Error(String(error)),
    );
  }

  #forceClose(error: Error | null): void {
    if (this.#lostState !== ALIVE) return;
    this.#chunks.length = 0;
    this.#bufferSize = 0;
    this.#closing = true;
    this.#connLost++;
    this.#lose(error);
  }

  /** Closes the conn and schedules connectionLost once no op is in flight. */
  #lose(error: Error | null): void {
    if (this.#lostState !== ALIVE) return;
    untrack(this);
    this.#lostState = LOSING;
    this.#lostError = error;
    closeQuietly(this.#conn);
    this.#maybeScheduleLost();
  }

  #maybeScheduleLost(): void {
    if (
      this.#lostState !== LOSING || this.#readInFlight || this.#writeInFlight
    ) return;
    this.#lostState = LOST_SCHEDULED;
    if (this.#loop.isClosed()) return;
    this.#loop.callSoon(() => this.#callConnectionLost());
  }

  #callConnectionLost(): void {
    this.#lostState = LOST;
    try {
      if (this.#started) this.#protocol.connectionLost(this.#lostError);
    } catch (error) {
      this.#loop.callExceptionHandler({
        message: "Exception in protocol.connectionLost()",
        exception: error,
        transport: this,
        protocol: this.#protocol,
      });
    } finally {
      const server = this.#server;
      this.#server = null;
      server?._detach(this);
    }
  }

  toString(): string {
    const state = this.#lostState !== ALIVE
      ? "closed"
      : this.#closing
      ? "closing"
      : "open";
    return `<StreamTransport ${state} ${formatAddr(this.#conn.remoteAddr)}>`;
  }
}

/**
 * Why `TCP_NODELAY` cannot be set on `conn`, or null if it can: a TCP
 * connection (Deno.TcpConn, the node:tls server's) can, a Unix socket has no
 * Nagle's algorithm, and Deno's TLS connections have no `setNoDelay()`.
 */
function noDelayRefusal(conn: StreamConn): string | null {
  const transport = conn.remoteAddr?.transport;
  if (transport === "unix" || transport === "unixpacket") {
    return "a Unix socket transport has no Nagle's algorithm";
  }
  if (typeof conn.setNoDelay !== "function") {
    return "Deno's TLS connections (Deno.connectTls, Deno.listenTls, Deno.startTls) have no setNoDelay(); the option stays as the TCP socket had it (on for a client connection made by createConnection()/openConnection() with 'ssl' or upgraded by startTls(), off for one that presents a client certificate (Deno.connectTls) or was accepted by Deno.listenTls). A server with 'ssl.verifyMode' runs on node:tls, which can set it";
  }
  if (transport !== "tcp") {
    return `the transport is not TCP: received a ${
      String(transport)
    } connection`;
  }
  return null;
}

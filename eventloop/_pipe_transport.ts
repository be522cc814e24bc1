// The pipe transports: a read transport over one or more ReadableStreams (a
// child's stdout; stdout and stderr merged for STDOUT; Deno.stdin or a FIFO
// for `loop.connectReadPipe()`) and a write transport over a WritableStream
// (a child's stdin; Deno.stdout for `loop.connectWritePipe()`). asyncio's
// `_UnixReadPipeTransport` / `_UnixWritePipeTransport`, over Web Streams.
// They live in the loop's folder because `loop.connectReadPipe()` makes them;
// the subprocess folder, above, uses them for a child's pipes.
//
// Every protocol call happens inside a loop pass (through callSoon), never
// from a promise callback, so protocols see a running loop. A promise of
// Deno's in flight counts as real I/O (through eventloop/_io.ts), so a
// virtual clock waits for it.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol, Protocol } from "./protocols.ts";
import type { ReadTransport, WriteTransport } from "./transports.ts";
import { checkChunks, describeValue } from "./_util.ts";
import { trackUnclosed, untrack } from "./_resource_warnings.ts";
import { callWriteFlow, WriteFlow } from "./_write_flow.ts";
import { whenSettled } from "./_io.ts";
import { handsOver, ReadSize } from "./_read_buffer.ts";

/**
 * What the subprocess transport (subprocess/) may do to the pipe transports
 * beyond their public interface: start a pipe made with `deferStart`, let
 * `communicate()` read one whole, end one with an error, release them when
 * the loop closes. Exported through eventloop/_lowlevel.ts.
 */
export interface PipeControl {
  /** Starts reading chunk by chunk, unless it has started. */
  _start?(): void;
  /** Whether `_readWhole()` owns the source. */
  readonly _readingWhole?: boolean;
  /** Reads the single source whole, if reading has not started. */
  _readWhole?(): boolean;
  /** Ends the pipe with `error` (a protocol callback failed). */
  _fail?(error: Error): void;
  /** Releases the streams at once, with no callbacks (the loop closes). */
  _release(): void;
}

function ignore(): void {}

/** An event of a read source, kept while reading is paused. */
type ReadEvent = { chunk: Uint8Array } | { eof: true } | { error: unknown };

/**
 * Reads a child's output pipe(s). Data from several sources (stdout and a
 * merged stderr) is delivered in arrival order; EOF comes once every source
 * has ended.
 *
 * State: reading -> (paused <-> reading)* -> closing -> connectionLost once.
 */
export class ReadPipeTransport implements ReadTransport {
  #loop: EventLoop;
  #protocol: Protocol;
  #sources: ReadableStream<Uint8Array>[];
  /**
   * One reader per source, once reading has started: a BYOB reader where
   * the source is a byte stream (Deno's pipes, files and stdin are), so that
   * reads go into buffers sized as a stream transport's are
   * (eventloop/_read_buffer.ts); a default reader otherwise.
   */
  #readers: (
    | ReadableStreamDefaultReader<Uint8Array>
    | ReadableStreamBYOBReader
  )[] = [];
  /** Per source read by BYOB: its read size, and the buffer to reuse. */
  #sizes: (ReadSize | null)[] = [];
  #bufs: (Uint8Array | null)[] = [];
  /** Per source: a read() is in flight. */
  #inFlight: boolean[];
  /** Per source: it reached EOF (or failed), as delivered. */
  #ended: boolean[];
  /** Per source: its read() gave EOF (the delivery may still be pending). */
  #sawEof: boolean[];
  #open: number;
  /** Reading has started: chunk by chunk, or whole (`_readWhole()`). */
  #started = false;
  /** `_readWhole()` owns the source. */
  #whole = false;
  #paused = false;
  #closing = false;
  #released = false;
  /** Events that arrived while paused, delivered on resume. */
  #held: ReadEvent[] = [];
  #extra: Record<string, unknown>;

  /**
   * @param deferStart Wait for `_start()` (or `_readWhole()`) before reading,
   * so that a caller can still take the whole source at once. Otherwise
   * reading starts now.
   * @param unclosed A description for the "unclosed transport" report, for a
   * pipe that nothing else closes (`loop.connectReadPipe()`); a child's
   * pipes are closed with the child instead.
   */
  constructor(
    loop: EventLoop,
    sources: ReadableStream<Uint8Array>[],
    protocol: Protocol,
    extra: Record<string, unknown>,
    deferStart = false,
    unclosed: string | null = null,
  ) {
    this.#loop = loop;
    this.#protocol = protocol;
    this.#sources = sources;
    this.#inFlight = sources.map(() => false);
    this.#ended = sources.map(() => false);
    this.#sawEof = sources.map(() => false);
    this.#open = sources.length;
    this.#extra = extra;
    loop.callSoon(() => (this.#protocol as BaseProtocol).connectionMade(this));
    if (unclosed !== null) trackUnclosed(this, unclosed, loop, releaser(this));
    if (!deferStart) this._start();
  }

  /** @ignore @internal Starts reading chunk by chunk, unless it has started. */
  _start(): void {
    if (this.#started || this.#closing) return;
    this.#started = true;
    this.#readers = this.#sources.map((source) => {
      try {
        return source.getReader({ mode: "byob" });
      } catch {
        // Not a byte stream: its chunks are as the stream makes them.
        return source.getReader();
      }
    });
    this.#sizes = this.#readers.map((reader) =>
      reader instanceof ReadableStreamBYOBReader ? new ReadSize() : null
    );
    this.#bufs = this.#readers.map(() => null);
    for (let i = 0; i < this.#readers.length; i++) this.#pump(i);
  }

  /** @ignore @internal Whether `_readWhole()` owns the source. */
  get _readingWhole(): boolean {
    return this.#whole;
  }

  /**
   * @internal `communicate()`'s fast path: reads the single source to its
   * end in one native operation (what Deno's own `output()` does, much
   * faster than chunk by chunk), then hands the bytes to the protocol as
   * one chunk and ends the pipe as EOF would. Possible only before reading
   * has started.
   *
   * @returns Whether the pipe now reads whole.
   * @ignore
   */
  _readWhole(): boolean {
    if (this.#started || this.#closing || this.#sources.length !== 1) {
      return false;
    }
    this.#started = true;
    this.#whole = true;
    const loop = this.#loop;
    whenSettled(
      loop,
      new Response(this.#sources[0]).bytes(),
      (bytes) => {
        if (this.#closing || loop.isClosed()) return;
        loop.callSoon(() => {
          if (this.#closing) return;
          this.#ended[0] = true;
          this.#open--;
          if (bytes.length > 0) this.#handle({ chunk: bytes });
          if (!this.#closing) this.#handle({ eof: true });
        });
      },
      (error) => {
        if (this.#closing || loop.isClosed()) return;
        loop.callSoon(() => {
          if (!this.#closing) this.#close(toError(error));
        });
      },
    );
    return true;
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (!this.#closing) this.#close(null);
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as Protocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  isReading(): boolean {
    return !this.#paused && !this.#closing;
  }

  pauseReading(): void {
    if (!this.isReading()) return;
    this.#paused = true;
  }

  resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    // What was held is delivered in a later pass, as new data would be, not
    // from inside this call: a StreamReader resumes reading from inside a
    // read method, before it waits, and would miss a wake-up given now.
    this.#loop.callSoon(() => this.#deliverHeld());
  }

  #deliverHeld(): void {
    while (this.#held.length > 0 && !this.#paused && !this.#closing) {
      this.#handle(this.#held.shift()!);
    }
    if (this.#paused || this.#closing) return;
    for (let i = 0; i < this.#readers.length; i++) this.#pump(i);
  }

  /** @ignore @internal Ends the pipe with `error` (a protocol callback failed). */
  _fail(error: Error): void {
    if (!this.#closing) this.#close(error);
  }

  /** @ignore @internal Releases the streams at once, with no callbacks (the loop is closing). */
  _release(): void {
    this.#closing = true;
    this.#cancelReaders();
  }

  #pump(i: number): void {
    if (
      this.#paused || this.#closing || this.#inFlight[i] || this.#ended[i] ||
      this.#sawEof[i]
    ) return;
    this.#inFlight[i] = true;
    const loop = this.#loop;
    const reader = this.#readers[i];
    const sizer = this.#sizes[i];
    let read: Promise<ReadableStreamReadResult<Uint8Array>>;
    if (sizer !== null) {
      let buf = this.#bufs[i];
      this.#bufs[i] = null;
      if (buf === null || buf.length !== sizer.size) {
        buf = new Uint8Array(sizer.size);
      }
      read = (reader as ReadableStreamBYOBReader).read(buf);
    } else {
      read = (reader as ReadableStreamDefaultReader<Uint8Array>).read();
    }
    whenSettled(
      loop,
      read,
      (result) => {
        this.#inFlight[i] = false;
        if (this.#closing || loop.isClosed()) return;
        if (result.done) {
          this.#sawEof[i] = true;
          loop.callSoon(() => this.#arrived(i, { eof: true }));
          return;
        }
        let chunk = result.value;
        if (sizer !== null) {
          // The read buffer came back (transferred) holding the chunk: an
          // exact-size copy is delivered and the buffer read into again,
          // unless the read nearly filled it.
          const capacity = chunk.buffer.byteLength;
          sizer.update(chunk.length, capacity);
          if (!handsOver(chunk.length, capacity)) {
            const buffer = new Uint8Array(chunk.buffer);
            chunk = chunk.slice();
            this.#bufs[i] = buffer;
          }
        }
        const data = chunk;
        loop.callSoon(() => this.#arrived(i, { chunk: data }));
        // Read ahead while this chunk waits for its pass, as a plain read
        // loop would: a chunk that lands while paused is held.
        this.#pump(i);
      },
      (error) => {
        this.#inFlight[i] = false;
        if (this.#closing || loop.isClosed()) return;
        loop.callSoon(() => this.#arrived(i, { error }));
      },
    );
  }

  #arrived(i: number, event: ReadEvent): void {
    if (this.#closing) return;
    if (!("chunk" in event)) {
      this.#ended[i] = true;
      this.#open--;
    }
    // Behind held events (delivered by #deliverHeld), to keep the order.
    if (this.#paused || this.#held.length > 0) {
      this.#held.push(event);
      return;
    }
    this.#handle(event);
    this.#pump(i);
  }

  #handle(event: ReadEvent): void {
    if ("chunk" in event) {
      this.#protocol.dataReceived(event.chunk);
    } else if ("error" in event) {
      this.#close(toError(event.error));
    } else if (this.#open === 0) {
      // asyncio: eof_received, then the connection is lost cleanly.
      this.#closing = true;
      this.#loop.callSoon(() => this.#protocol.eofReceived());
      this.#loop.callSoon(() => this.#callConnectionLost(null));
    }
  }

  #close(error: Error | null): void {
    this.#closing = true;
    this.#cancelReaders();
    this.#loop.callSoon(() => this.#callConnectionLost(error));
  }

  #cancelReaders(): void {
    if (this.#released) return;
    this.#released = true;
    untrack(this);
    // A source nobody reads yet is cancelled directly. One that
    // _readWhole() reads cannot be: it ends when the child closes its end.
    if (!this.#started) {
      for (const source of this.#sources) source.cancel().catch(ignore);
      return;
    }
    for (let i = 0; i < this.#readers.length; i++) {
      if (!this.#ended[i]) this.#readers[i].cancel().catch(ignore);
      else this.#readers[i].releaseLock();
    }
  }

  #callConnectionLost(error: Error | null): void {
    this.#cancelReaders();
    this.#protocol.connectionLost(error);
  }
}

/**
 * Writes to a child's stdin. `write()` never blocks: the bytes are handed to
 * the stream at once, without a copy, as the socket transports do (so the
 * caller must not modify them until they are written). The buffer size
 * counts the bytes not yet written, and crossing the water marks calls the
 * protocol's `pauseWriting`/`resumeWriting`.
 *
 * State: open -> closing (writeEof/close: flush, then close) or lost (error,
 * abort) -> connectionLost once.
 */
export class WritePipeTransport implements WriteTransport {
  #loop: EventLoop;
  #protocol: BaseProtocol;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #bufferSize = 0;
  #flow = new WriteFlow(this, this.#tellPause, this.#tellResume);
  #closing = false;
  /** Set once the pipe is closed or failed; nothing is written after. */
  #lost = false;
  #released = false;
  #extra: Record<string, unknown>;

  /**
   * @param unclosed A description for the "unclosed transport" report, for a
   * pipe that nothing else closes (`loop.connectWritePipe()`).
   */
  constructor(
    loop: EventLoop,
    sink: WritableStream<Uint8Array>,
    protocol: BaseProtocol,
    extra: Record<string, unknown>,
    unclosed: string | null = null,
  ) {
    this.#loop = loop;
    this.#protocol = protocol;
    this.#writer = sink.getWriter();
    // Errors reach us through each write's own promise.
    this.#writer.closed.catch(ignore);
    this.#extra = extra;
    loop.callSoon(() => this.#protocol.connectionMade(this));
    if (unclosed !== null) trackUnclosed(this, unclosed, loop, releaser(this));
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (!this.#closing) this.writeEof();
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

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
        `Cannot write to the pipe as 'data' must be a Uint8Array: received ${
          describeValue(data)
        }`,
      );
    }
    // asyncio drops writes after close or a lost pipe.
    if (this.#lost || this.#closing || data.length === 0) return;
    const n = data.length;
    this.#bufferSize += n;
    const loop = this.#loop;
    whenSettled(
      loop,
      this.#writer.write(data),
      () => {
        if (!loop.isClosed()) loop.callSoon(() => this.#written(n));
      },
      (error) => {
        if (!loop.isClosed()) loop.callSoon(() => this.#fatal(error));
      },
    );
    this.#flow.grew(this.#bufferSize);
  }

  writeLines(chunks: Iterable<Uint8Array>): void {
    for (const chunk of checkChunks(chunks, "write lines to the pipe")) {
      this.write(chunk);
    }
  }

  writeEof(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#bufferSize === 0 && !this.#lost) this.#finishClose();
  }

  canWriteEof(): boolean {
    return true;
  }

  abort(): void {
    if (!this.#lost) this.#close(null);
  }

  /** @ignore @internal Releases the stream at once, with no callbacks (the loop is closing). */
  _release(): void {
    this.#closing = true;
    this.#lost = true;
    this.#abortWriter();
  }

  #written(n: number): void {
    if (this.#lost) return;
    this.#bufferSize -= n;
    this.#flow.shrank(this.#bufferSize);
    if (this.#closing && this.#bufferSize === 0) this.#finishClose();
  }

  #fatal(error: unknown): void {
    if (this.#lost) return;
    this.#close(toError(error));
  }

  #tellPause(): void {
    callWriteFlow(this.#loop, this, this.#protocol, "pauseWriting");
  }

  #tellResume(): void {
    callWriteFlow(this.#loop, this, this.#protocol, "resumeWriting");
  }

  /** The buffer is flushed: close the pipe, then report a clean loss. */
  #finishClose(): void {
    untrack(this);
    this.#lost = true;
    const loop = this.#loop;
    this.#released = true;
    whenSettled(
      loop,
      this.#writer.close(),
      () => {
        if (!loop.isClosed()) {
          loop.callSoon(() => this.#protocol.connectionLost(null));
        }
      },
      (error) => {
        if (!loop.isClosed()) {
          loop.callSoon(() => this.#protocol.connectionLost(toError(error)));
        }
      },
    );
  }

  #close(error: Error | null): void {
    this.#lost = true;
    this.#closing = true;
    this.#bufferSize = 0;
    this.#abortWriter();
    this.#loop.callSoon(() => this.#protocol.connectionLost(error));
  }

  #abortWriter(): void {
    untrack(this);
    if (this.#released) return;
    this.#released = true;
    this.#writer.abort().catch(ignore);
  }
}

/**
 * What releases a pipe if its loop closes with it open. It holds the
 * transport weakly, so that an unclosed transport can still be collected and
 * reported.
 */
function releaser(transport: { _release(): void }): () => void {
  const ref = new WeakRef(transport);
  return () => ref.deref()?._release();
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * {@linkcode StreamReader}: buffered reading of a byte stream from
 * coroutines.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import type { ReadTransport } from "../eventloop/transports.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { IncompleteReadError, LimitOverrunError } from "./errors.ts";
import { readableFromReader, ReadableStreamTransport } from "./_web_streams.ts";
import { indexOfByte } from "./_index_of_byte.ts";
import {
  checkLoopOption,
  checkOptionNames,
  describeValue,
  handsOver,
  ReadSize,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { STREAM_READER_OPTIONS } from "./_options.ts";

/** The default `limit` of a reader: 64 KiB, as in asyncio. */
const DEFAULT_LIMIT = 2 ** 16;

const EMPTY = new Uint8Array(0);
/** The smallest reused buffer a nearly full read hands over. */
const HAND_OVER_MIN = 16384;
const NEWLINE = new Uint8Array([10]);

/**
 * Options of the {@linkcode StreamReader} constructor.
 *
 * asyncio: the arguments of `StreamReader(limit, loop)`.
 */
export interface StreamReaderOptions {
  /**
   * The longest line (or chunk up to a separator) `readLine()` and
   * `readUntil()` accept, not counting the separator. The reader also pauses
   * its transport while it buffers more than twice this many bytes.
   *
   * @default {65536}
   */
  limit?: number;
  /**
   * The loop the reader's waits belong to.
   *
   * @default {the running loop when a read has to wait}
   */
  loop?: EventLoop;
}

/**
 * Reads a byte stream from coroutines: a protocol (or anything else) feeds it
 * with {@linkcode StreamReader.feedData} and {@linkcode StreamReader.feedEof},
 * and coroutines take the bytes out with `read`, `readLine`, `readUntil` and
 * `readExactly`, waiting while too little has arrived.
 *
 * One coroutine at a time may wait on a reader. The reader pauses its
 * transport while more than twice `limit` bytes are buffered and resumes it
 * once a read brings the buffer down to `limit`.
 *
 * Beyond asyncio, {@linkcode StreamReader.readable} reads it as a Web
 * `ReadableStream`, and {@linkcode StreamReader.fromReadable} makes a reader
 * out of any `ReadableStream` (a `fetch` body, `Deno.stdin.readable`).
 *
 * asyncio: `asyncio.StreamReader`.
 *
 * @example Reading lines that were fed in
 * ```ts
 * import { StreamReader } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const text = new TextEncoder();
 * const lines = await run(function* () {
 *   const reader = new StreamReader();
 *   reader.feedData(text.encode("hello\nwor"));
 *   reader.feedData(text.encode("ld\n"));
 *   reader.feedEof();
 *   const lines: string[] = [];
 *   while (true) {
 *     const line = yield* reader.readLine();
 *     if (line.length === 0) break;
 *     lines.push(new TextDecoder().decode(line));
 *   }
 *   return lines;
 * }());
 * assert.deepEqual(lines, ["hello\n", "world\n"]);
 * ```
 */
export class StreamReader {
  #limit: number;
  #loop: EventLoop | null;
  /**
   * The buffer: the unread bytes are `chunks[head].subarray(offset)` followed
   * by every later chunk, `size` bytes in all. Chunks are kept as fed, so a
   * read copies only what it returns, and a read of exactly one whole chunk
   * copies nothing.
   */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #offset = 0;
  #size = 0;
  #eof = false;
  /** The future a waiting read sleeps on; at most one at a time. */
  #waiter: Future<void> | null = null;
  #exception: Error | null = null;
  #transport: ReadTransport | null = null;
  /** Flow control: more than twice `limit` bytes wait (asyncio's `_paused`). */
  #paused = false;
  /**
   * Reading on demand: the transport reads only while a read waits. Set by
   * StreamReaderProtocol for a client connection over plain TCP, so that
   * `writer.startTls()` finds no read in flight on it whenever the peer has
   * sent nothing more (Deno cannot take over a connection that is being
   * read, nor cancel a read).
   */
  #onDemand = false;
  /** Whether this reader has paused its transport (for either reason). */
  #transportPaused = false;
  #readable: ReadableStream<Uint8Array> | null = null;
  /**
   * The buffer the transport reads into (through StreamReaderProtocol's
   * getBuffer/bufferUpdated), one per reader, reused. What it received
   * sits in `chunks` as views of it, ending at `rbEnd`; a read copies out
   * only what it returns (never handing out a view of it), and the buffer
   * is read into from its start again once no view of it is unread (the
   * unread tail is copied out first when the space after it runs short).
   * Its size adapts as a transport's does (eventloop/_read_buffer.ts).
   */
  #rb: Uint8Array | null = null;
  #rbEnd = 0;
  #rbSize: ReadSize | null = null;
  /**
   * The last read was a BYOB one (readInto, readExactlyInto): it copies out
   * of the reused buffer anyway, so a nearly full one is not handed over.
   */
  #byob = false;

  /**
   * Makes an empty reader.
   *
   * @param options The limit and the loop.
   * @throws {RangeError} If `limit` is not a positive integer.
   * @throws {TypeError} If an option is unknown, or `loop` is not an
   * EventLoop.
   */
  constructor(options?: StreamReaderOptions) {
    if (options !== undefined) {
      checkOptionNames(options, STREAM_READER_OPTIONS, "create StreamReader");
      checkLoopOption(options?.loop, "create StreamReader");
    }
    const limit = options?.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new RangeError(
        `Cannot create StreamReader as 'limit' must be a positive integer: received ${
          describeValue(limit)
        }`,
      );
    }
    this.#limit = limit;
    this.#loop = options?.loop ?? null;
  }

  /**
   * Makes a reader fed by a Web `ReadableStream` of bytes: a `fetch` body,
   * `Deno.stdin.readable`, a file's `readable`, or any stream you build. The
   * stream is read as the reader's buffer empties (it stops being read while
   * more than twice `limit` bytes wait), its end becomes EOF and its error
   * the reader's exception. Cancelling it is up to the source: read it to
   * the end, or cancel the stream you passed in.
   *
   * The stream is read from the loop's callbacks, so the loop (given in
   * `options`, or the running one) must keep running for data to arrive.
   *
   * @param stream A stream of `Uint8Array` chunks.
   * @param options The limit and the loop.
   * @returns The reader.
   * @throws {TypeError} If `stream` is not a `ReadableStream`, or is locked;
   * if an option is unknown, or `loop` is not an EventLoop.
   * @throws {RangeError} If `limit` is not a positive integer.
   * @throws {Error} If no loop is given and none is running or set.
   *
   * @example Reading a Web stream line by line
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const body = new Response("first\nsecond\n").body!;
   * const lines = await run(function* () {
   *   const reader = StreamReader.fromReadable(body);
   *   const a = yield* reader.readLine();
   *   const b = yield* reader.readLine();
   *   const end = yield* reader.read();
   *   return [a, b, end].map((bytes) => new TextDecoder().decode(bytes));
   * }());
   * assert.deepEqual(lines, ["first\n", "second\n", ""]);
   * ```
   */
  static fromReadable(
    stream: ReadableStream<Uint8Array>,
    options?: StreamReaderOptions,
  ): StreamReader {
    if (!(stream instanceof ReadableStream)) {
      throw new TypeError(
        `Cannot create StreamReader from 'stream' as it must be a ReadableStream: received ${
          describeValue(stream)
        }`,
      );
    }
    if (stream.locked) {
      throw new TypeError(
        "Cannot create StreamReader from 'stream' as it is locked to another reader",
      );
    }
    if (options !== undefined) {
      checkOptionNames(
        options,
        STREAM_READER_OPTIONS,
        "create StreamReader from a stream",
      );
      checkLoopOption(options?.loop, "create StreamReader from a stream");
    }
    const loop = options?.loop ?? getEventLoop();
    const reader = new StreamReader({ limit: options?.limit, loop });
    const transport = new ReadableStreamTransport(stream, reader, loop);
    reader.setTransport(transport);
    transport._startPump();
    return reader;
  }

  /**
   * The limit given at construction.
   *
   * @returns The limit in bytes.
   */
  get limit(): number {
    return this.#limit;
  }

  /**
   * The error set with {@linkcode StreamReader.setException}, or `null`.
   *
   * asyncio: `StreamReader.exception()`.
   *
   * @returns The error, or `null`.
   */
  exception(): Error | null {
    return this.#exception;
  }

  /**
   * Sets the error every later read throws (the connection broke), and
   * wakes a waiting read with it. Buffered data is not read any more.
   *
   * asyncio: `StreamReader.set_exception()`.
   *
   * @param error The error.
   * @throws {TypeError} If `error` is `null` or `undefined`.
   */
  setException(error: Error): void {
    if (error === null || error === undefined) {
      throw new TypeError(
        `Cannot set the exception of a StreamReader as 'error' must be an error: received ${error}`,
      );
    }
    this.#exception = error;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setException(error);
    }
  }

  /**
   * Sets the transport the reader pauses and resumes for flow control. A
   * {@linkcode StreamReaderProtocol} calls it when the connection is made.
   *
   * asyncio: `StreamReader.set_transport()`.
   *
   * @param transport The transport.
   * @throws {Error} If a transport is already set.
   * @throws {TypeError} If `transport` is not a read transport.
   */
  setTransport(transport: ReadTransport): void {
    if (
      typeof transport !== "object" || transport === null ||
      typeof transport.pauseReading !== "function" ||
      typeof transport.resumeReading !== "function"
    ) {
      throw new TypeError(
        `Cannot set the transport of a StreamReader as 'transport' must be a read transport: received ${
          describeValue(transport)
        }`,
      );
    }
    if (this.#transport !== null) {
      throw new Error("Cannot set the transport of a StreamReader twice");
    }
    this.#transport = transport;
  }

  /**
   * @internal Points the reader at a new transport (after `startTls`),
   * keeping its flow-control state.
   * @ignore
   */
  _replaceTransport(transport: ReadTransport, onDemand = false): void {
    this.#transport = transport;
    this.#transportPaused = false;
    this.#onDemand = onDemand;
    this.#syncReading();
  }

  /**
   * @internal Reads on demand (or not): the transport reads only while a
   * read waits.
   * @ignore
   */
  _setReadOnDemand(onDemand: boolean): void {
    this.#onDemand = onDemand;
    this.#syncReading();
  }

  /** @ignore @internal The bytes buffered and not read yet. */
  get _buffered(): number {
    return this.#size;
  }

  /**
   * Marks the end of the stream: reads return what is buffered, then empty
   * results (or throw {@linkcode IncompleteReadError}).
   *
   * asyncio: `StreamReader.feed_eof()`.
   */
  feedEof(): void {
    this.#eof = true;
    this.#wakeUpWaiter();
  }

  /**
   * Whether the stream has ended and every byte has been read.
   *
   * asyncio: `StreamReader.at_eof()`.
   *
   * @returns `true` after `feedEof()` once the buffer is empty.
   */
  atEof(): boolean {
    return this.#eof && this.#size === 0;
  }

  /**
   * Appends bytes to the buffer and wakes a waiting read. The reader keeps
   * the array itself rather than a copy: do not change it afterwards.
   *
   * asyncio: `StreamReader.feed_data()`.
   *
   * @param data The bytes.
   * @throws {TypeError} If `data` is not a `Uint8Array`.
   * @throws {Error} If called after {@linkcode StreamReader.feedEof}.
   */
  feedData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot feed the StreamReader as 'data' must be a Uint8Array: received ${
          describeValue(data)
        }`,
      );
    }
    if (this.#eof) {
      throw new Error("Cannot feed the StreamReader after feedEof()");
    }
    if (data.length === 0) return;
    this.#chunks.push(data);
    this.#fed(data.length);
  }

  /**
   * @internal The buffer for the transport's next read (StreamReaderProtocol's
   * `getBuffer()`): the reader's own, reused. The transport writes into it
   * only until the `_bufferUpdated()` that follows.
   * @ignore
   */
  _getBuffer(): Uint8Array {
    const sizer = this.#rbSize ??= new ReadSize();
    const want = sizer.size;
    let rb = this.#rb;
    if (rb !== null && this.#rbEnd > 0 && this.#holdsRb()) {
      // Unread bytes end at rbEnd: read after them while there is room.
      if ((rb.length - this.#rbEnd) * 4 >= want) {
        return rb.subarray(this.#rbEnd);
      }
      this.#spillRb();
    }
    this.#rbEnd = 0;
    if (rb === null || rb.length !== want) rb = this.#rb = new Uint8Array(want);
    return rb;
  }

  /**
   * @internal `n` bytes arrived in the buffer `_getBuffer()` gave
   * (StreamReaderProtocol's `bufferUpdated()`).
   * @ignore
   */
  _bufferUpdated(n: number): void {
    const rb = this.#rb;
    if (rb === null || n <= 0) return;
    if (this.#eof) {
      throw new Error("Cannot feed the StreamReader after feedEof()");
    }
    const start = this.#rbEnd;
    const end = start + n;
    this.#rbSize!.update(n, rb.length - start);
    this.#rbEnd = end;
    // Bytes that continue the last unread view extend it, so a message
    // split over two reads is still one chunk (taken in one copy).
    const chunks = this.#chunks;
    const last = chunks.length > this.#head ? chunks[chunks.length - 1] : null;
    if (
      last !== null && last.buffer === rb.buffer &&
      last.byteOffset + last.length === start
    ) {
      chunks[chunks.length - 1] = rb.subarray(last.byteOffset, end);
    } else {
      chunks.push(rb.subarray(start, end));
    }
    // A (nearly) full buffer of 16 KiB or more is handed over, as a
    // transport hands its buffer to dataReceived(): its one chunk is then
    // the reader's own, returned whole without a copy (readExactly() of a
    // large message), and the next read gets a new buffer. Not for BYOB
    // reads, which copy out of the buffer: for them it stays reused.
    const tail = chunks[chunks.length - 1];
    if (
      !this.#byob && tail.byteOffset === 0 && rb.length >= HAND_OVER_MIN &&
      handsOver(tail.length, rb.length)
    ) {
      this.#rb = null;
      this.#rbEnd = 0;
    }
    this.#fed(n);
  }

  /** Whether an unread chunk is a view of the reused buffer. */
  #holdsRb(): boolean {
    if (this.#size === 0) return false;
    const buffer = this.#rb!.buffer;
    const chunks = this.#chunks;
    for (let i = chunks.length - 1; i >= this.#head; i--) {
      if (chunks[i].buffer === buffer) return true;
    }
    return false;
  }

  /** Copies the unread views of the reused buffer out of it. */
  #spillRb(): void {
    const buffer = this.#rb!.buffer;
    const chunks = this.#chunks;
    for (let i = this.#head; i < chunks.length; i++) {
      const chunk = chunks[i];
      if (chunk.buffer !== buffer) continue;
      if (i === this.#head && this.#offset > 0) {
        chunks[i] = chunk.slice(this.#offset);
        this.#offset = 0;
      } else {
        chunks[i] = chunk.slice();
      }
    }
  }

  /** `n` bytes were appended to the buffer: wake, and flow control. */
  #fed(n: number): void {
    this.#size += n;
    this.#wakeUpWaiter();
    if (
      this.#transport !== null && !this.#paused &&
      this.#size > 2 * this.#limit
    ) {
      this.#paused = true;
    }
    this.#syncReading();
  }

  /**
   * Reads up to `n` bytes: as soon as at least one byte is buffered, it
   * returns what is there (at most `n`). `n = -1` reads to the end of the
   * stream; `n = 0` returns at once. An empty result means EOF.
   *
   * asyncio: `StreamReader.read()`.
   *
   * @param n The most bytes to return, or -1 for all until EOF (default
   * -1).
   * @returns The bytes; empty at EOF.
   * @throws {TypeError} If `n` is not an integer.
   * @throws The reader's exception, if one is set.
   *
   * @example Reading everything until EOF
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const data = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new Uint8Array([1, 2, 3]));
   *   assert.deepEqual(yield* reader.read(2), new Uint8Array([1, 2]));
   *   reader.feedData(new Uint8Array([4]));
   *   reader.feedEof();
   *   return yield* reader.read();
   * }());
   * assert.deepEqual(data, new Uint8Array([3, 4]));
   * ```
   */
  read(n?: number): Coroutine<Uint8Array> {
    return watchCoroutine(
      this.#read(n === undefined ? -1 : n),
      "StreamReader.read",
    );
  }

  *#read(n: number = -1): Coroutine<Uint8Array> {
    if (!Number.isSafeInteger(n)) {
      throw new TypeError(
        `Cannot read from the StreamReader as 'n' must be an integer: received ${
          describeValue(n)
        }`,
      );
    }
    if (this.#exception !== null) throw this.#exception;
    this.#byob = false;
    if (n === 0) return EMPTY;
    if (n < 0) {
      // Take whatever is buffered each time, so the transport is resumed as
      // the buffer empties instead of deadlocking at twice the limit
      // (asyncio reads blocks of `limit`; the bytes are the same). The
      // chunks are kept as they are and joined once: a single chunk (a pipe
      // read whole) is returned without a copy.
      const blocks: Uint8Array[] = [];
      let total = 0;
      while (true) {
        if (this.#size === 0) {
          if (this.#eof) break;
          yield* this.#waitForData("read");
          if (this.#exception !== null) throw this.#exception;
          continue;
        }
        total += this.#size;
        this.#takeChunks(blocks);
        this.#maybeResumeTransport();
      }
      return concat(blocks, total);
    }
    if (this.#size === 0 && !this.#eof) {
      yield* this.#waitForData("read");
    }
    if (this.#size === 0) return EMPTY;
    const data = this.#take(Math.min(n, this.#size));
    this.#maybeResumeTransport();
    return data;
  }

  /**
   * Reads one line, up to and including `\n`. At EOF it returns the partial
   * last line (without `\n`), then empty arrays.
   *
   * If the line is longer than `limit`, it throws an `Error` and drops the
   * line (all of it if its `\n` has arrived, else what is buffered), as
   * asyncio's `ValueError`; the error's `cause` is the
   * {@linkcode LimitOverrunError}.
   *
   * asyncio: `StreamReader.readline()`.
   *
   * @returns The line; empty at EOF.
   * @throws {Error} If the line is longer than `limit`.
   * @throws The reader's exception, if one is set.
   *
   * @example Reading a line
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const line = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new TextEncoder().encode("PING\nrest"));
   *   return yield* reader.readLine();
   * }());
   * assert.equal(new TextDecoder().decode(line), "PING\n");
   * ```
   */
  readLine(): Coroutine<Uint8Array> {
    return watchCoroutine(this.#readLine(), "StreamReader.readLine");
  }

  *#readLine(): Coroutine<Uint8Array> {
    try {
      return yield* this.readUntil(NEWLINE);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        if (this.#byteAt(error.consumed) === 10) {
          this.#drop(error.consumed + 1);
        } else {
          this.#clear();
        }
        this.#maybeResumeTransport();
        throw new Error(error.message, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Reads up to and including a separator, or the first of several
   * separators to end in the data (the shortest wins a tie), as asyncio
   * 3.13.
   *
   * At EOF without a separator it throws {@linkcode IncompleteReadError}
   * carrying the rest of the buffer (which is emptied). If no separator
   * appears within `limit` bytes it throws {@linkcode LimitOverrunError} and
   * leaves the data in the buffer, to be read some other way.
   *
   * asyncio: `StreamReader.readuntil()`.
   *
   * @param separator One separator, or an array of them; each at least one
   * byte (default a newline).
   * @returns The data with the separator at its end.
   * @throws {TypeError} If a separator is not a `Uint8Array`.
   * @throws {RangeError} If a separator is empty, or the array is.
   * @throws {IncompleteReadError} If the stream ends first.
   * @throws {LimitOverrunError} If the limit is reached first.
   * @throws The reader's exception, if one is set.
   *
   * @example A multi-byte separator split across two chunks
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const text = new TextEncoder();
   * const [header, rest] = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(text.encode("Host: x\r"));
   *   reader.feedData(text.encode("\nbody"));
   *   reader.feedEof();
   *   return [
   *     yield* reader.readUntil(text.encode("\r\n")),
   *     yield* reader.read(),
   *   ];
   * }());
   * assert.equal(new TextDecoder().decode(header), "Host: x\r\n");
   * assert.equal(new TextDecoder().decode(rest), "body");
   * ```
   *
   * @example Several separators
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const text = new TextEncoder();
   * const parts = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(text.encode("a;b,c"));
   *   reader.feedEof();
   *   const seps = [text.encode(";"), text.encode(",")];
   *   return [yield* reader.readUntil(seps), yield* reader.readUntil(seps)];
   * }());
   * assert.deepEqual(parts.map((p) => new TextDecoder().decode(p)), ["a;", "b,"]);
   * ```
   */
  readUntil(
    separator?: Uint8Array | readonly Uint8Array[],
  ): Coroutine<Uint8Array> {
    return watchCoroutine(
      this.#readUntil(separator === undefined ? NEWLINE : separator),
      "StreamReader.readUntil",
    );
  }

  *#readUntil(
    separator: Uint8Array | readonly Uint8Array[] = NEWLINE,
  ): Coroutine<Uint8Array> {
    // One separator (the common case) needs no array.
    let one: Uint8Array | null = null;
    let separators: Uint8Array[] = [];
    if (separator instanceof Uint8Array && separator.length > 0) {
      one = separator;
    } else {
      separators = checkSeparators(separator);
      if (separators.length === 1) one = separators[0];
    }
    if (this.#exception !== null) throw this.#exception;
    this.#byob = false;
    const minLength = one !== null ? one.length : separators[0].length;
    const maxLength = one !== null
      ? one.length
      : separators[separators.length - 1].length;
    // Bytes at the front known to hold no complete separator.
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    while (true) {
      const size = this.#size;
      if (size - offset >= minLength) {
        if (one !== null) {
          const at = this.#find(one, offset);
          if (at !== -1) {
            matchStart = at;
            matchEnd = at + one.length;
            break;
          }
        } else {
          for (const sep of separators) {
            const at = this.#find(sep, offset);
            if (at !== -1) {
              const end = at + sep.length;
              if (matchEnd === -1 || end < matchEnd) {
                matchEnd = end;
                matchStart = at;
              }
            }
          }
          if (matchEnd !== -1) break;
        }
        // A separator may still complete across the last maxLength - 1 bytes.
        offset = Math.max(0, size + 1 - maxLength);
        if (offset > this.#limit) {
          throw new LimitOverrunError(
            "Separator is not found, and chunk exceed the limit",
            offset,
          );
        }
      }
      // A complete separator may have come with the last chunk, so EOF is
      // looked at only after the buffer.
      if (this.#eof) {
        const chunk = this.#take(this.#size);
        throw new IncompleteReadError(chunk, null);
      }
      yield* this.#waitForData("readUntil");
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError(
        "Separator is found, but chunk is longer than limit",
        matchStart,
      );
    }
    const chunk = this.#take(matchEnd);
    this.#maybeResumeTransport();
    return chunk;
  }

  /**
   * Reads exactly `n` bytes, waiting for them to arrive. If the stream ends
   * first, it throws {@linkcode IncompleteReadError} carrying what did
   * arrive (taken out of the buffer). `n` may exceed `limit`. An `n` that
   * can never be read (past `Number.MAX_SAFE_INTEGER`, more bytes than any
   * array holds) is accepted as asyncio accepts a huge `n`: the read lasts
   * until the stream ends and throws `IncompleteReadError` then.
   *
   * asyncio: `StreamReader.readexactly()`.
   *
   * @param n How many bytes.
   * @returns Exactly `n` bytes.
   * @throws {RangeError} If `n` is negative or not an integer.
   * @throws {TypeError} If `n` is not a number.
   * @throws {IncompleteReadError} If the stream ends first.
   * @throws The reader's exception, if one is set.
   *
   * @example Reading a length-prefixed message
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const body = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new Uint8Array([3, 7]));
   *   reader.feedData(new Uint8Array([8, 9, 99]));
   *   const [length] = yield* reader.readExactly(1);
   *   return yield* reader.readExactly(length);
   * }());
   * assert.deepEqual(body, new Uint8Array([7, 8, 9]));
   * ```
   */
  readExactly(n: number): Coroutine<Uint8Array> {
    return watchCoroutine(this.#readExactly(n), "StreamReader.readExactly");
  }

  *#readExactly(n: number): Coroutine<Uint8Array> {
    if (!Number.isInteger(n) || n < 0) {
      const message =
        `Cannot read from the StreamReader as 'n' must be a non-negative integer: received ${
          describeValue(n)
        }`;
      throw typeof n === "number" && !Number.isNaN(n)
        ? new RangeError(message)
        : new TypeError(message);
    }
    if (this.#exception !== null) throw this.#exception;
    this.#byob = false;
    if (n === 0) return EMPTY;
    while (this.#size < n) {
      if (this.#eof) {
        throw new IncompleteReadError(this.#take(this.#size), n);
      }
      yield* this.#waitForData("readExactly");
    }
    const data = this.#take(n);
    this.#maybeResumeTransport();
    return data;
  }

  /**
   * Reads into `buffer` (a BYOB read: bring your own buffer): as soon as at
   * least one byte is buffered, it copies what is there, up to
   * `buffer.length` bytes, to the start of `buffer` and returns how many.
   * It returns 0 at EOF (and at once for an empty `buffer`). Nothing is
   * allocated: a loop that reads into one buffer makes no garbage.
   *
   * Like {@linkcode StreamReader.read}, it takes nothing out of the reader
   * until it returns: a read cancelled while it waits leaves every byte for
   * the next read.
   *
   * asyncio has no such method (its streams allocate `bytes`); Python's
   * `io.RawIOBase.readinto()` is its model.
   *
   * @param buffer Where the bytes go; its length is the most that is read.
   * @returns How many bytes were copied; 0 at EOF.
   * @throws {TypeError} If `buffer` is not a `Uint8Array`.
   * @throws The reader's exception, if one is set.
   *
   * @example Reading into one reused buffer
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const counts = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new Uint8Array([1, 2, 3, 4, 5]));
   *   reader.feedEof();
   *   const buffer = new Uint8Array(2);
   *   const counts: number[] = [];
   *   let n: number;
   *   while ((n = yield* reader.readInto(buffer)) > 0) counts.push(n);
   *   assert.deepEqual(buffer, new Uint8Array([5, 4])); // 5 over the old 3, 4
   *   return counts;
   * }());
   * assert.deepEqual(counts, [2, 2, 1]);
   * ```
   */
  readInto(buffer: Uint8Array): Coroutine<number> {
    return watchCoroutine(this.#readInto(buffer), "StreamReader.readInto");
  }

  *#readInto(buffer: Uint8Array): Coroutine<number> {
    checkBuffer(buffer, "readInto");
    if (this.#exception !== null) throw this.#exception;
    this.#byob = true;
    if (buffer.length === 0) return 0;
    if (this.#size === 0 && !this.#eof) {
      yield* this.#waitForData("readInto");
    }
    if (this.#size === 0) return 0;
    const n = Math.min(buffer.length, this.#size);
    this.#takeInto(buffer, n);
    this.#maybeResumeTransport();
    return n;
  }

  /**
   * Fills all of `buffer`, waiting for `buffer.length` bytes to arrive (the
   * BYOB twin of {@linkcode StreamReader.readExactly}), and returns the same
   * array. If the stream ends first, it throws
   * {@linkcode IncompleteReadError} carrying what did arrive (taken out of
   * the reader, and copied to the start of `buffer` too). `buffer.length`
   * may exceed `limit`. Nothing is allocated but the error's bytes.
   *
   * Like `readExactly()`, it takes nothing out of the reader until all the
   * bytes are there: a read cancelled while it waits leaves `buffer`
   * untouched and every byte for the next read.
   *
   * asyncio has no such method; it is `readexactly()` into your buffer.
   *
   * @param buffer The array to fill.
   * @returns `buffer`, filled.
   * @throws {TypeError} If `buffer` is not a `Uint8Array`.
   * @throws {IncompleteReadError} If the stream ends first.
   * @throws The reader's exception, if one is set.
   *
   * @example Reading fixed-size records into one buffer
   * ```ts
   * import { IncompleteReadError, StreamReader } from "@asyncio/asyncio/streams";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const sums = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new Uint8Array([1, 2, 3, 4, 5]));
   *   reader.feedEof();
   *   const record = new Uint8Array(2);
   *   const sums: number[] = [];
   *   try {
   *     while (true) {
   *       yield* reader.readExactlyInto(record);
   *       sums.push(record[0] + record[1]);
   *     }
   *   } catch (error) {
   *     assert.ok(error instanceof IncompleteReadError);
   *     assert.deepEqual(error.partial, new Uint8Array([5]));
   *   }
   *   return sums;
   * }());
   * assert.deepEqual(sums, [3, 7]);
   * ```
   */
  readExactlyInto(buffer: Uint8Array): Coroutine<Uint8Array> {
    return watchCoroutine(
      this.#readExactlyInto(buffer),
      "StreamReader.readExactlyInto",
    );
  }

  *#readExactlyInto(buffer: Uint8Array): Coroutine<Uint8Array> {
    checkBuffer(buffer, "readExactlyInto");
    if (this.#exception !== null) throw this.#exception;
    this.#byob = true;
    const n = buffer.length;
    while (this.#size < n) {
      if (this.#eof) {
        const partial = this.#take(this.#size);
        buffer.set(partial);
        throw new IncompleteReadError(partial, n);
      }
      yield* this.#waitForData("readExactlyInto");
    }
    if (n > 0) {
      this.#takeInto(buffer, n);
      this.#maybeResumeTransport();
    }
    return buffer;
  }

  /**
   * The reader as a Web `ReadableStream` of the chunks as they arrive, for
   * `pipeTo`, `pipeThrough(new TextDecoderStream())`, `for await` and the
   * rest of the platform. The stream ends at EOF and errors with the
   * reader's exception. The same stream is returned on every access; while
   * it is read, do not read the reader from a coroutine too.
   *
   * Data arrives through the loop's callbacks, so the loop (given at
   * construction, or the one running when `readable` is first read) must
   * keep running while the stream is read. Cancelling the stream drops what
   * is buffered and, for a reader made by
   * {@linkcode StreamReader.fromReadable}, cancels its source; a network
   * connection is closed with its writer.
   *
   * @returns The stream.
   * @throws {Error} If no loop was given and none is running or set.
   *
   * @example Decoding text with the platform's streams
   * ```ts
   * import { StreamReader } from "@asyncio/asyncio/streams";
   * import { fromPromise } from "@asyncio/asyncio/tasks";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const text = await run(function* () {
   *   const reader = new StreamReader();
   *   reader.feedData(new TextEncoder().encode("héllo "));
   *   reader.feedData(new TextEncoder().encode("wörld"));
   *   reader.feedEof();
   *   const decoded = reader.readable.pipeThrough(new TextDecoderStream());
   *   const parts = yield* fromPromise(Array.fromAsync(decoded));
   *   return parts.join("");
   * }());
   * assert.equal(text, "héllo wörld");
   * ```
   */
  get readable(): ReadableStream<Uint8Array> {
    if (this.#readable === null) {
      this.#loop ??= getEventLoop();
      this.#readable = readableFromReader(this, this.#loop);
    }
    return this.#readable;
  }

  /**
   * @internal Reads the next chunk as it was fed (no copy when it is read
   * whole), waiting for one; empty at EOF. The Web stream adapter's pull.
   * @ignore
   */
  *_readChunk(): Coroutine<Uint8Array> {
    // Not a BYOB read: a full reused buffer may be handed over again.
    this.#byob = false;
    const now = this._readChunkNow();
    if (now !== null) return now;
    yield* this.#waitForData("read");
    return this._readChunkNow() ?? EMPTY;
  }

  /**
   * @internal The next chunk if one is buffered (empty at EOF), or `null`
   * when a read would have to wait.
   * @ignore
   */
  _readChunkNow(): Uint8Array | null {
    if (this.#exception !== null) throw this.#exception;
    if (this.#size === 0) return this.#eof ? EMPTY : null;
    const first = this.#chunks[this.#head];
    const data = this.#take(first.length - this.#offset);
    this.#maybeResumeTransport();
    return data;
  }

  /** @ignore @internal Empties the buffer (the Web stream was cancelled). */
  _discard(): void {
    this.#clear();
    this.#maybeResumeTransport();
  }

  /** @ignore @internal The transport, for the Web stream adapter. */
  get _transport(): ReadTransport | null {
    return this.#transport;
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<StreamReader 12 bytes eof>`.
   */
  toString(): string {
    const info = ["StreamReader"];
    if (this.#size > 0) info.push(`${this.#size} bytes`);
    if (this.#eof) info.push("eof");
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push("waiter");
    if (this.#exception !== null) {
      info.push(`exception=${String(this.#exception)}`);
    }
    if (this.#paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }

  /**
   * Waits until data or EOF is fed, or an error is set (asyncio's
   * `_wait_for_data()`): the one place where a read suspends. One read at a
   * time may wait; a second is refused, as in asyncio. Resumes a paused
   * transport first: waiting on a paused transport would never end
   * (`readExactly(n)` with `n` above twice the limit). The future is
   * `yield`ed, not `yield*`ed: the task sends its result (or throws its
   * error) back in, and no iterator is made per wait.
   *
   * @param what The read method, for the error.
   */
  *#waitForData(what: string): Coroutine<void> {
    if (this.#waiter !== null) {
      throw new Error(
        `${what}() called while another coroutine is already waiting for incoming data`,
      );
    }
    this.#paused = false;
    const waiter = new Future<void>({ loop: this.#loop ?? undefined });
    this.#waiter = waiter;
    this.#syncReading();
    try {
      yield waiter;
    } finally {
      if (this.#waiter === waiter) {
        this.#waiter = null;
        this.#syncReading();
      }
    }
  }

  #wakeUpWaiter(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setResult(undefined);
    }
  }

  #maybeResumeTransport(): void {
    if (this.#paused && this.#size <= this.#limit) {
      this.#paused = false;
      this.#syncReading();
    }
  }

  /**
   * Pauses or resumes the transport as flow control and reading on demand
   * want it: paused while more than twice `limit` bytes wait, or, on
   * demand, while no read waits.
   */
  #syncReading(): void {
    const transport = this.#transport;
    if (transport === null) return;
    const pause = this.#paused || (this.#onDemand && this.#waiter === null);
    if (pause === this.#transportPaused) return;
    if (!pause) {
      this.#transportPaused = false;
      transport.resumeReading();
      return;
    }
    try {
      transport.pauseReading();
      this.#transportPaused = true;
    } catch {
      // A transport that cannot pause: buffer everything, as asyncio does.
      this.#transport = null;
      this.#paused = false;
    }
  }

  /** Takes the first `n` bytes (`n <= size`) out of the buffer. */
  #take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const chunks = this.#chunks;
    const first = chunks[this.#head];
    const offset = this.#offset;
    const available = first.length - offset;
    let out: Uint8Array;
    if (n <= available) {
      out = offset === 0 && n === first.length && !this.#isRb(first)
        ? first
        : first.slice(offset, offset + n);
      if (n === available) this.#dropFirst();
      else this.#offset = offset + n;
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        // #dropFirst() may compact the array: read the field each time.
        const chunk = this.#chunks[this.#head];
        const at = this.#offset;
        const have = chunk.length - at;
        const want = n - filled;
        if (have <= want) {
          out.set(at === 0 ? chunk : chunk.subarray(at), filled);
          filled += have;
          this.#dropFirst();
        } else {
          out.set(chunk.subarray(at, at + want), filled);
          this.#offset = at + want;
          filled = n;
        }
      }
    }
    this.#size -= n;
    return out;
  }

  /**
   * Moves every buffered byte to `out`, chunk by chunk, copying only what
   * is in the reused buffer.
   */
  #takeChunks(out: Uint8Array[]): void {
    const chunks = this.#chunks;
    for (let i = this.#head; i < chunks.length; i++) {
      let chunk = chunks[i];
      if (i === this.#head && this.#offset > 0) {
        chunk = chunk.subarray(this.#offset);
      }
      out.push(this.#isRb(chunk) ? chunk.slice() : chunk);
    }
    this.#clear();
  }

  /** Copies the first `n` bytes (`n <= size`) into `out` and drops them. */
  #takeInto(out: Uint8Array, n: number): void {
    let filled = 0;
    while (filled < n) {
      // #dropFirst() may compact the array: read the field each time.
      const chunk = this.#chunks[this.#head];
      const at = this.#offset;
      const have = chunk.length - at;
      const want = n - filled;
      if (have <= want) {
        out.set(at === 0 ? chunk : chunk.subarray(at), filled);
        filled += have;
        this.#dropFirst();
      } else {
        out.set(chunk.subarray(at, at + want), filled);
        this.#offset = at + want;
        filled = n;
      }
    }
    this.#size -= n;
  }

  /** Drops the first `n` bytes (`n <= size`) without copying them. */
  #drop(n: number): void {
    let left = n;
    while (left > 0) {
      const have = this.#chunks[this.#head].length - this.#offset;
      if (have <= left) {
        left -= have;
        this.#dropFirst();
      } else {
        this.#offset += left;
        left = 0;
      }
    }
    this.#size -= n;
  }

  /** Whether `chunk` is a view of the reused buffer. */
  #isRb(chunk: Uint8Array): boolean {
    return this.#rb !== null && chunk.buffer === this.#rb.buffer;
  }

  #dropFirst(): void {
    const chunks = this.#chunks;
    chunks[this.#head] = EMPTY;
    this.#head++;
    this.#offset = 0;
    if (this.#head === chunks.length) {
      chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= chunks.length) {
      this.#chunks = chunks.slice(this.#head);
      this.#head = 0;
    }
  }

  #clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#size = 0;
  }

  /** The byte at position `index` of the unread data, or -1. */
  #byteAt(index: number): number {
    if (index < 0 || index >= this.#size) return -1;
    const chunks = this.#chunks;
    let i = this.#head;
    let at = this.#offset + index;
    while (at >= chunks[i].length) {
      at -= chunks[i].length;
      i++;
    }
    return chunks[i][at];
  }

  /**
   * The position of the first `sep` in the unread data at or after `from`,
   * or -1. Matches may span chunks.
   */
  #find(sep: Uint8Array, from: number): number {
    const chunks = this.#chunks;
    const size = this.#size;
    const first = sep[0];
    const length = sep.length;
    // `base` is the position of chunks[i][start] in the unread data.
    let base = 0;
    for (let i = this.#head; i < chunks.length; i++) {
      const chunk = chunks[i];
      const start = i === this.#head ? this.#offset : 0;
      const count = chunk.length - start;
      if (base + count > from) {
        let p = start + Math.max(0, from - base);
        while (true) {
          p = indexOfByte(chunk, first, p);
          if (p === -1) break;
          const position = base + p - start;
          if (position + length > size) return -1;
          if (length === 1 || matchesAt(chunks, sep, i, p)) return position;
          p++;
        }
      }
      base += count;
    }
    return -1;
  }
}

/** Whether `sep` (whose first byte matches chunks[i][p]) starts there. */
function matchesAt(
  chunks: Uint8Array[],
  sep: Uint8Array,
  i: number,
  p: number,
): boolean {
  let chunk = chunks[i];
  let q = p + 1;
  for (let k = 1; k < sep.length; k++) {
    while (q >= chunk.length) {
      chunk = chunks[++i];
      q = 0;
    }
    if (chunk[q] !== sep[k]) return false;
    q++;
  }
  return true;
}

function concat(blocks: Uint8Array[], total: number): Uint8Array {
  if (blocks.length === 1) return blocks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const block of blocks) {
    out.set(block, at);
    at += block.length;
  }
  return out;
}

/** Throws a TypeError unless `buffer` is a Uint8Array. */
function checkBuffer(buffer: unknown, what: string): void {
  if (!(buffer instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${what} as 'buffer' must be a Uint8Array: received ${
        describeValue(buffer)
      }`,
    );
  }
}

/** Validates readUntil()'s separators and sorts them shortest first. */
function checkSeparators(
  separator: Uint8Array | readonly Uint8Array[],
): Uint8Array[] {
  const list = separator instanceof Uint8Array
    ? [separator]
    : Array.isArray(separator)
    ? [...separator]
    : null;
  if (list === null) {
    throw new TypeError(
      `Cannot read until 'separator' as it must be a Uint8Array or an array of them: received ${
        describeValue(separator)
      }`,
    );
  }
  if (list.length === 0) {
    throw new RangeError(
      "Cannot read until 'separator' as the array of separators is empty",
    );
  }
  for (const sep of list) {
    if (!(sep instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot read until 'separator' as each separator must be a Uint8Array: received ${
          describeValue(sep)
        }`,
      );
    }
    if (sep.length === 0) {
      throw new RangeError(
        "Cannot read until 'separator' as a separator must be at least one byte long: received an empty Uint8Array",
      );
    }
  }
  if (list.length > 1) list.sort((a, b) => a.length - b.length);
  return list;
}

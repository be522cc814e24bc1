// loop.sendfile: send a file through a stream transport. Deno has no
// sendfile(2), so this is asyncio's fallback path (`_sendfile_fallback`):
// read a chunk, wait while the transport's buffer is above its high-water
// mark, write it, and so on — the file is never read whole into memory.
// While it runs, a stand-in protocol takes the transport's events, as
// asyncio's `_SendfileFallbackProtocol` does: reading is paused, and the
// flow-control calls are turned into a future the sender waits on.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import { type BaseProtocol, Protocol } from "./protocols.ts";
import type { BaseTransport } from "./transports.ts";
import type { Coroutine } from "./_coroutine.ts";
import { SendfileNotAvailableError } from "./errors.ts";
import { ioAwait } from "./_net.ts";
import { StreamTransport } from "./_stream_transport.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";
import { checkOptionNames, type OptionNames } from "./_options.ts";
import { callWriteFlow } from "./_write_flow.ts";
import type { SendfileFile, SendfileOptions } from "./sendfile_options.ts";

const SENDFILE_OPTIONS: OptionNames<SendfileOptions> = { fallback: true };

/** Bytes read and written at a time. */
const BLOCK_SIZE = 65536;
/** Buffers kept for reuse: flow control keeps few chunks unwritten at once. */
const POOL_SIZE = 4;

/** Implements `loop.sendfile()`. */
export function* sendfile(
  loop: EventLoop,
  transport: BaseTransport,
  file: SendfileFile,
  offset: number,
  count: number | null,
  options: SendfileOptions | undefined,
): Coroutine<number> {
  const what = "send file";
  checkLoopOpen(loop, "sendfile()");
  if (
    typeof transport !== "object" || transport === null ||
    typeof transport.isClosing !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what} as 'transport' must be a transport: received ${
        describeValue(transport)
      }`,
    );
  }
  if (
    typeof file !== "object" || file === null ||
    typeof file.read !== "function" || typeof file.seekSync !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what} as 'file' must be a Deno.FsFile opened for reading: received ${
        describeValue(file)
      }`,
    );
  }
  checkOffset(offset);
  checkCount(count);
  checkOptionNames(options, SENDFILE_OPTIONS, what);
  const fallback = options?.fallback ?? true;
  if (typeof fallback !== "boolean") {
    throw new TypeError(
      `Cannot ${what} as 'fallback' must be a boolean: received ${
        describeValue(fallback)
      }`,
    );
  }
  // asyncio's order of checks: a closing transport, then one that cannot
  // send files at all, then the native path.
  if (transport.isClosing()) {
    throw new Error(`Cannot ${what}: the transport is closing`);
  }
  if (!(transport instanceof StreamTransport)) {
    throw new Error(
      `Cannot ${what}: sendfile is not supported for transport ${
        String(transport)
      } (only TCP, TLS and Unix socket transports)`,
    );
  }
  if (!fallback) {
    throw new SendfileNotAvailableError(
      "Cannot send file with 'fallback: false': Deno has no zero-copy sendfile(2), so the file can only be read and written in chunks",
    );
  }
  return yield* sendChunks(loop, transport, file, offset, count);
}

function* sendChunks(
  loop: EventLoop,
  transport: StreamTransport,
  file: SendfileFile,
  offset: number,
  count: number | null,
): Coroutine<number> {
  let total = 0;
  let reading: Promise<unknown> | null = null;
  // The transport keeps each chunk it is given until it is written, so a
  // buffer is reused only once the bytes it held are out: when fewer bytes
  // wait in the transport than were handed over after them. (Other data in
  // the transport's buffer only makes this count smaller, never wrong.)
  // Fresh 64 KiB buffers cost more than their size suggests (see the
  // README's notes on the echo benchmarks).
  const pool: { buffer: Uint8Array; end: number }[] = [];
  const takeBuffer = (): { buffer: Uint8Array; end: number } => {
    const written = total - transport.getWriteBufferSize();
    for (const slot of pool) if (slot.end <= written) return slot;
    const slot = { buffer: new Uint8Array(BLOCK_SIZE), end: Infinity };
    if (pool.length < POOL_SIZE) pool.push(slot);
    return slot;
  };
  file.seekSync(offset, Deno.SeekMode.Start);
  const proto = new SendfileFallbackProtocol(loop, transport);
  try {
    for (;;) {
      let size = BLOCK_SIZE;
      if (count !== null) {
        size = Math.min(count - total, BLOCK_SIZE);
        if (size <= 0) break;
      }
      const slot = takeBuffer();
      slot.end = Infinity; // in use until handed over
      const buffer = size === BLOCK_SIZE
        ? slot.buffer
        : slot.buffer.subarray(0, size);
      const n = yield* ioAwait(loop, () => {
        const promise = file.read(buffer);
        reading = promise;
        return promise;
      });
      reading = null;
      if (n === null || n === 0) break;
      yield* proto.drain();
      transport.write(n === size ? buffer : buffer.subarray(0, n));
      total += n;
      slot.end = total;
    }
    return total;
  } finally {
    // asyncio: the file position tells how much was sent, also after an
    // error or a cancellation — once a read still in flight has finished.
    const position = offset + total;
    seekQuietly(file, position);
    const inFlight: Promise<unknown> | null = reading;
    if (inFlight !== null) {
      const seek = () => seekQuietly(file, position);
      (inFlight as Promise<unknown>).then(seek, seek);
    }
    proto.restore();
  }
}

function seekQuietly(file: SendfileFile, position: number): void {
  try {
    file.seekSync(position, Deno.SeekMode.Start);
  } catch {
    // The file was closed meanwhile: there is no position left to set.
  }
}

/**
 * Stands in for the transport's protocol while a file is sent. Reading is
 * paused; data or EOF arriving anyway is a broken invariant.
 */
class SendfileFallbackProtocol extends Protocol {
  #loop: EventLoop;
  #transport: StreamTransport;
  #proto: BaseProtocol;
  #shouldResumeReading: boolean;
  /** The original protocol was paused for writing when we took over. */
  #wasPaused: boolean;
  /** Set while the transport is above its high-water mark. */
  #writeReady: Future<void> | null;

  constructor(loop: EventLoop, transport: StreamTransport) {
    super();
    this.#loop = loop;
    this.#transport = transport;
    this.#proto = transport.getProtocol();
    this.#shouldResumeReading = transport.isReading();
    this.#wasPaused = transport._writingPaused;
    transport.pauseReading();
    transport.setProtocol(this);
    this.#writeReady = this.#wasPaused ? loop.createFuture<void>() : null;
  }

  /** Waits while the transport's buffer is above its high-water mark. */
  *drain(): Coroutine<void> {
    if (this.#transport.isClosing()) {
      throw new Deno.errors.ConnectionReset("Connection closed by peer");
    }
    const ready = this.#writeReady;
    if (ready !== null) yield* ready;
  }

  override connectionMade(): void {
    throw new Error(
      "Invalid state: connection should have been established already",
    );
  }

  override connectionLost(error: Error | null): void {
    const ready = this.#writeReady;
    if (ready !== null && !ready.done()) {
      // The peer went away before the whole file was sent.
      ready.setException(
        error ??
          new Deno.errors.ConnectionReset("Connection is closed by peer"),
      );
      ready.exception(); // the sender may be gone: never "unretrieved"
    }
    this.#proto.connectionLost(error);
  }

  override pauseWriting(): void {
    this.#writeReady ??= this.#loop.createFuture<void>();
  }

  override resumeWriting(): void {
    const ready = this.#writeReady;
    this.#writeReady = null;
    if (ready !== null && !ready.done()) ready.setResult();
  }

  override dataReceived(): void {
    throw new Error("Invalid state: reading should be paused");
  }

  override eofReceived(): void {
    throw new Error("Invalid state: reading should be paused");
  }

  /** Gives the transport back to its protocol, in the flow state it is in. */
  restore(): void {
    const transport = this.#transport;
    if (transport.getProtocol() === this) transport.setProtocol(this.#proto);
    if (this.#shouldResumeReading) transport.resumeReading();
    const ready = this.#writeReady;
    if (ready !== null && !ready.done()) ready.cancel();
    // The protocol last heard `#wasPaused`; tell it what changed since.
    if (transport._lost) return;
    const pausedNow = transport._writingPaused;
    if (this.#wasPaused !== pausedNow) {
      callWriteFlow(
        this.#loop,
        transport,
        this.#proto,
        pausedNow ? "pauseWriting" : "resumeWriting",
      );
    }
  }

  override toString(): string {
    return `<SendfileFallbackProtocol for ${String(this.#proto)}>`;
  }
}

function checkOffset(offset: unknown): void {
  if (typeof offset !== "number") {
    throw new TypeError(
      `Cannot send file as 'offset' must be an integer: received ${
        describeValue(offset)
      }`,
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(
      `Cannot send file as 'offset' must be a non-negative integer: received ${offset}`,
    );
  }
}

function checkCount(count: unknown): void {
  if (count === null) return;
  if (typeof count !== "number") {
    throw new TypeError(
      `Cannot send file as 'count' must be an integer or null: received ${
        describeValue(count)
      }`,
    );
  }
  if (!Number.isSafeInteger(count) || count <= 0) {
    throw new RangeError(
      `Cannot send file as 'count' must be a positive integer: received ${count}`,
    );
  }
}

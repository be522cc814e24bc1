// The Web Streams adapters of the stream classes: a StreamReader read as a
// ReadableStream, a StreamWriter used as a WritableStream, and the
// transport that feeds a StreamReader from any ReadableStream.

import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import { BaseProtocol } from "../eventloop/protocols.ts";
import type { ReadTransport } from "../eventloop/transports.ts";
import { describeValue } from "../eventloop/_lowlevel.ts";
import { fromPromise } from "../tasks/from_promise.ts";
import type { Task } from "../tasks/task.ts";
import type { StreamReader } from "./stream_reader.ts";
import type { StreamWriter } from "./stream_writer.ts";

/**
 * A ReadableStream of the chunks a StreamReader receives. It pulls only when
 * its consumer reads (high-water mark 0), so the reader's own flow control
 * keeps working.
 */
export function readableFromReader(
  reader: StreamReader,
  loop: EventLoop,
): ReadableStream<Uint8Array> {
  let pending: Task<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = reader._readChunkNow();
      if (chunk === null) {
        const task = loop.createTask(reader._readChunk());
        pending = task;
        try {
          chunk = await task;
        } finally {
          pending = null;
        }
      }
      if (chunk.length === 0) controller.close();
      else controller.enqueue(chunk);
    },
    cancel(reason) {
      pending?.cancel();
      reader._discard();
      const transport = reader._transport;
      if (transport instanceof ReadableStreamTransport) {
        transport._cancel(reason);
      }
    },
  }, { highWaterMark: 0 });
}

/**
 * A WritableStream over a StreamWriter: each chunk is written, then drained
 * when the transport asks the writer to wait; closing the stream closes the
 * writer and waits until the connection is closed; aborting it aborts the
 * transport.
 */
export function writableFromWriter(
  writer: StreamWriter,
  loop: EventLoop,
): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      writer.write(chunk);
      if (writer._mustDrain()) {
        return loop.createTask(writer.drain()).then(() => {});
      }
    },
    close() {
      writer.close();
      return loop.createTask(writer.waitClosed()).then(() => {});
    },
    abort() {
      writer.transport.abort();
    },
  }, new CountQueuingStrategy({ highWaterMark: 1 }));
}

/**
 * The read transport behind `StreamReader.fromReadable()`: it reads the
 * stream through `fromPromise` (so the loop knows real I/O is in flight and a
 * virtual clock waits for it) and feeds the reader from the loop's callbacks.
 * It reads one chunk at a time, and not at all while paused.
 */
export class ReadableStreamTransport implements ReadTransport {
  #stream: ReadableStream<Uint8Array>;
  #source: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #reader: StreamReader;
  #loop: EventLoop;
  #protocol: BaseProtocol = new BaseProtocol();
  #paused = false;
  #inFlight = false;
  #closed = false;

  constructor(
    stream: ReadableStream<Uint8Array>,
    reader: StreamReader,
    loop: EventLoop,
  ) {
    this.#stream = stream;
    this.#reader = reader;
    this.#loop = loop;
  }

  /** Locks the stream and starts reading it. */
  _startPump(): void {
    this.#source = this.#stream.getReader();
    this.#pump();
  }

  /** Stops reading and cancels the stream. */
  _cancel(reason?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source?.cancel(reason).catch(() => {});
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name === "stream" ? this.#stream : defaultValue;
  }

  isClosing(): boolean {
    return this.#closed;
  }

  close(): void {
    this._cancel();
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  isReading(): boolean {
    return !this.#paused && !this.#closed;
  }

  pauseReading(): void {
    this.#paused = true;
  }

  resumeReading(): void {
    this.#paused = false;
    this.#pump();
  }

  #pump(): void {
    if (this.#paused || this.#closed || this.#inFlight) return;
    const source = this.#source;
    if (source === null) return;
    this.#inFlight = true;
    fromPromise(source.read(), { loop: this.#loop })
      .addDoneCallback(this.#onRead);
  }

  #onRead = (future: Future<ReadableStreamReadResult<Uint8Array>>): void => {
    this.#inFlight = false;
    if (this.#closed) return;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = future.result();
    } catch (error) {
      this.#closed = true;
      this.#reader.setException(
        error instanceof Error ? error : new Error(String(error)),
      );
      return;
    }
    if (result.done) {
      this.#closed = true;
      this.#source?.releaseLock();
      this.#reader.feedEof();
      return;
    }
    const chunk = result.value;
    if (!(chunk instanceof Uint8Array)) {
      const error = new TypeError(
        `Cannot feed the StreamReader from its ReadableStream as a chunk must be a Uint8Array: received ${
          describeValue(chunk)
        }`,
      );
      this._cancel(error);
      this.#reader.setException(error);
      return;
    }
    this.#reader.feedData(chunk);
    this.#pump();
  };
}

/**
 * {@linkcode StreamReaderProtocol}: the protocol that connects a transport
 * to a {@linkcode StreamReader} and a {@linkcode StreamWriter}.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import type { Transport } from "../eventloop/transports.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import {
  checkLoopOption,
  checkOptionNames,
  describeValue,
} from "../eventloop/_lowlevel.ts";
import { STREAM_READER_PROTOCOL_OPTIONS } from "./_options.ts";
import { type Coroutine, isCoroutine } from "../tasks/coroutine.ts";
import type { Task } from "../tasks/task.ts";
import { FlowControlProtocol } from "./flow_control_protocol.ts";
import type { StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";

/**
 * Called for each connection a server accepts, with the connection's reader
 * and writer. A generator function's coroutine runs as a task; a plain
 * function is just called.
 *
 * asyncio: the `client_connected_cb` of `asyncio.start_server()`.
 */
export type ClientConnectedCallback = (
  reader: StreamReader,
  writer: StreamWriter,
) => Coroutine<unknown> | unknown;

/**
 * Options of the {@linkcode StreamReaderProtocol} constructor.
 *
 * asyncio: the arguments of `StreamReaderProtocol(reader,
 * client_connected_cb, loop)`.
 */
export interface StreamReaderProtocolOptions {
  /**
   * Server side: called with a new reader and writer when the connection is
   * made.
   *
   * @default {null}
   */
  clientConnectedCb?: ClientConnectedCallback | null;
  /**
   * The loop of the connection.
   *
   * @default {the running loop}
   */
  loop?: EventLoop;
}

/**
 * Adapts a transport to a {@linkcode StreamReader}: data and EOF go to the
 * reader, a lost connection becomes the reader's EOF or exception, and the
 * flow-control events serve a {@linkcode StreamWriter}'s `drain()`. On the
 * server side it makes the writer and calls the client-connected callback
 * (running a coroutine as a task, whose error is reported to the loop's
 * exception handler and closes the connection).
 *
 * `openConnection()` and `startServer()` use it; use it yourself with
 * `loop.createConnection()` for options they do not pass on.
 *
 * State machine: `connectionMade -> dataReceived* -> eofReceived? ->
 * connectionLost`.
 *
 * asyncio: `asyncio.StreamReaderProtocol`.
 *
 * @example Feeding a reader through the protocol
 * ```ts
 * import { StreamReader, StreamReaderProtocol } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const line = await run(function* () {
 *   const reader = new StreamReader();
 *   const protocol = new StreamReaderProtocol(reader);
 *   protocol.dataReceived(new TextEncoder().encode("one\ntwo"));
 *   protocol.connectionLost(null);
 *   return [yield* reader.readLine(), yield* reader.readLine()];
 * }());
 * assert.deepEqual(line.map((l) => new TextDecoder().decode(l)), ["one\n", "two"]);
 * ```
 */
export class StreamReaderProtocol extends FlowControlProtocol {
  #reader: StreamReader | null;
  #clientConnectedCb: ClientConnectedCallback | null;
  #writer: StreamWriter | null = null;
  #task: Task<unknown> | null = null;
  #transport: Transport | null = null;
  #overTls = false;
  /** Done when the connection is lost: what `waitClosed()` waits for. */
  #closed: Future<void> | null = null;
  /**
   * What getBuffer() gives when the reader has no buffer of its own (none,
   * or a reader of another kind, fed copies).
   */
  #scratch: Uint8Array | null = null;

  /**
   * Makes the protocol.
   *
   * @param reader The reader to feed (or `null`).
   * @param options The client-connected callback (server side), the loop.
   * @throws {TypeError} If `reader` is not a StreamReader or `null`, an
   * option is unknown, `loop` is not an EventLoop, or `clientConnectedCb` is
   * given and is not a function.
   */
  constructor(
    reader: StreamReader | null,
    options?: StreamReaderProtocolOptions,
  ) {
    if (options !== undefined) {
      checkOptionNames(
        options,
        STREAM_READER_PROTOCOL_OPTIONS,
        "create StreamReaderProtocol",
      );
      checkLoopOption(options?.loop, "create StreamReaderProtocol");
    }
    if (
      reader !== null &&
      (typeof reader !== "object" ||
        typeof (reader as StreamReader).feedData !== "function")
    ) {
      throw new TypeError(
        `Cannot create StreamReaderProtocol as 'reader' must be a StreamReader or null: received ${
          describeValue(reader)
        }`,
      );
    }
    super({ loop: options?.loop });
    const cb = options?.clientConnectedCb ?? null;
    if (cb !== null && typeof cb !== "function") {
      throw new TypeError(
        `Cannot create StreamReaderProtocol as 'clientConnectedCb' must be a function: received ${
          describeValue(cb)
        }`,
      );
    }
    this.#reader = reader;
    this.#clientConnectedCb = cb;
  }

  /** @ignore @internal Whether this is the server side of a connection. */
  override get _isServerSide(): boolean {
    return this.#clientConnectedCb !== null;
  }

  /** @ignore @internal The transport of the connection. */
  get _transport(): Transport | null {
    return this.#transport;
  }

  /**
   * The connection is made: the reader gets the transport for flow control;
   * on the server side the writer is made and the callback called.
   *
   * @param transport The transport.
   */
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
    const reader = this.#reader;
    this.#overTls = isTls(transport);
    const cb = this.#clientConnectedCb;
    if (reader !== null) {
      reader.setTransport(transport);
      if (cb === null && canStartTls(transport)) reader._setReadOnDemand(true);
    }
    if (cb === null) return;
    const loop = this.#loop();
    const writer = new StreamWriter(transport, this, { reader, loop });
    this.#writer = writer;
    let result: unknown;
    try {
      result = cb(reader as StreamReader, writer);
    } catch (error) {
      loop.callExceptionHandler({
        message: "Unhandled exception in client_connected_cb",
        exception: error,
        transport,
      });
      transport.close();
      return;
    }
    if (isCoroutine(result)) {
      const task = loop.createTask(result);
      this.#task = task;
      task.addDoneCallback((done) => {
        if (done.cancelled()) {
          transport.close();
          return;
        }
        const error = done.exception();
        if (error !== undefined) {
          loop.callExceptionHandler({
            message: "Unhandled exception in client_connected_cb",
            exception: error,
            transport,
          });
          transport.close();
        }
      });
    }
  }

  /**
   * The connection is gone: the reader gets EOF (or the error), waiting
   * drains and `waitClosed()` return (or throw the error).
   *
   * @param error The error, or `null` for a clean close.
   */
  override connectionLost(error: Error | null): void {
    const reader = this.#reader;
    if (reader !== null) {
      if (error === null) reader.feedEof();
      else reader.setException(error);
    }
    const closed = this.#closedFuture();
    if (!closed.done()) {
      if (error === null) closed.setResult(undefined);
      else {
        closed.setException(error);
        // Nobody need wait for the close (a server callback often returns
        // without waitClosed()): mark the error retrieved, as asyncio's
        // StreamReaderProtocol.__del__ does, so it is not reported.
        closed.exception();
      }
    }
    super.connectionLost(error);
    this.#reader = null;
    this.#writer = null;
    this.#task = null;
    this.#transport = null;
  }

  /**
   * Bytes arrived: they go to the reader.
   *
   * @param data The bytes.
   */
  override dataReceived(data: Uint8Array): void {
    this.#reader?.feedData(data);
  }

  /**
   * The buffer for the transport's next read: the reader's own, one per
   * connection and reused, so that a read costs no allocation and the
   * reader copies out only the bytes each read method returns. Stream
   * transports (TCP, TLS, Unix) read through this and
   * {@linkcode StreamReaderProtocol.bufferUpdated}, as for a
   * `BufferedProtocol`; transports that only call `dataReceived()` (pipes)
   * still can.
   *
   * asyncio: its `StreamReaderProtocol` is a plain `Protocol`.
   *
   * @param _sizeHint Ignored (the reader sizes its buffer to the traffic).
   * @returns A non-empty buffer.
   */
  getBuffer(_sizeHint: number): Uint8Array {
    const reader = this.#reader;
    if (reader !== null && typeof reader._getBuffer === "function") {
      return reader._getBuffer();
    }
    return this.#scratch ??= new Uint8Array(65536);
  }

  /**
   * `nbytes` bytes arrived in the buffer of
   * {@linkcode StreamReaderProtocol.getBuffer}: they go to the reader.
   *
   * @param nbytes How many bytes arrived.
   */
  bufferUpdated(nbytes: number): void {
    const reader = this.#reader;
    if (reader === null) return;
    if (typeof reader._bufferUpdated === "function") {
      reader._bufferUpdated(nbytes);
    } else {
      // A reader of its own kind (it has feedData()) gets a copy.
      reader.feedData(this.#scratch!.slice(0, nbytes));
    }
  }

  /**
   * The peer closed its side: the reader gets EOF. The transport stays
   * half-open (so the writer can still write) unless it is TLS.
   *
   * @returns `true` to keep the transport open.
   */
  override eofReceived(): boolean {
    this.#reader?.feedEof();
    return !this.#overTls;
  }

  /**
   * The future `writer.waitClosed()` waits for: done once the connection is
   * lost.
   *
   * @param _writer The writer whose `waitClosed()` asks.
   * @returns The future.
   */
  override getCloseWaiter(_writer: StreamWriter): Future<void> {
    return this.#closedFuture();
  }

  /** @ignore @internal After `startTls`, the writer and reader use `transport`. */
  override _replaceTransport(transport: Transport): void {
    this.#transport = transport;
    this.#overTls = isTls(transport);
    this.#reader?._replaceTransport(
      transport,
      !this._isServerSide && canStartTls(transport),
    );
  }

  #closedFuture(): Future<void> {
    this.#closed ??= new Future<void>({ loop: this.#loop() });
    return this.#closed;
  }

  #loop(): EventLoop {
    return this._streamLoop ??= getEventLoop();
  }
}

/**
 * Whether `writer.startTls()` may take the transport over (plain TCP). Its
 * reader then reads on demand: Deno can upgrade a connection only while no
 * read is in flight on it, and cannot cancel one.
 */
function canStartTls(transport: Transport): boolean {
  const peer = transport.getExtraInfo("peername") as Deno.Addr | undefined;
  return peer?.transport === "tcp" && !isTls(transport);
}

/** Whether a transport carries TLS. */
function isTls(transport: Transport): boolean {
  return transport.getExtraInfo("sslcontext") != null ||
    transport.getExtraInfo("tls") != null;
}

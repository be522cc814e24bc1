/**
 * {@linkcode StreamWriter}: writing to a transport from coroutines, with
 * flow control.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import type { TlsOptions } from "../eventloop/network_options.ts";
import type { Transport, WriteTransport } from "../eventloop/transports.ts";
import {
  checkChunks,
  checkLoopOption,
  checkOptionNames,
  describeValue,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { STREAM_WRITER_OPTIONS, WRITER_START_TLS_OPTIONS } from "./_options.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import type { FlowControlProtocol } from "./flow_control_protocol.ts";
import type { StreamReader } from "./stream_reader.ts";
import { writableFromWriter } from "./_web_streams.ts";

/**
 * Options of {@linkcode StreamWriter.startTls}.
 *
 * asyncio: the keyword arguments of `StreamWriter.start_tls()`.
 */
export interface StreamWriterStartTlsOptions {
  /**
   * The name the server's certificate is checked against (and sent as SNI).
   *
   * @default {the peer's address}
   */
  serverHostname?: string;
  /**
   * Seconds the TLS handshake may take before the connection is closed and
   * `TimeoutError` is thrown.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
}

/**
 * Options of the {@linkcode StreamWriter} constructor.
 *
 * asyncio: the arguments of `StreamWriter(transport, protocol, reader,
 * loop)`.
 */
export interface StreamWriterOptions {
  /**
   * The reader of the same connection: `drain()` throws its exception once
   * the connection has broken.
   *
   * @default {null}
   */
  reader?: StreamReader | null;
  /**
   * The loop of the connection.
   *
   * @default {the running loop}
   */
  loop?: EventLoop;
}

/**
 * Writes to a transport: `write()` buffers at once and never blocks;
 * `yield* drain()` waits while the transport's buffer is above its
 * high-water mark, so a fast writer does not outrun a slow peer; `close()`
 * then `yield* waitClosed()` ends the connection.
 *
 * `openConnection()` and `startServer()` make writers; make one yourself
 * only over your own protocol.
 *
 * Beyond asyncio, {@linkcode StreamWriter.writable} is a Web
 * `WritableStream` over the writer, for `pipeTo`.
 *
 * asyncio: `asyncio.StreamWriter`.
 *
 * @example Writing a request and reading the reply
 * ```ts
 * import { openConnection, startServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * function* shout(reader: StreamReader, writer: StreamWriter) {
 *   const line = yield* reader.readLine();
 *   writer.write(new TextEncoder().encode(new TextDecoder().decode(line).toUpperCase()));
 *   yield* writer.drain();
 *   writer.close();
 *   yield* writer.waitClosed();
 * }
 *
 * const reply = await run(function* () {
 *   const server = yield* startServer(shout, "127.0.0.1", 0);
 *   const port = (server.sockets[0].addr as Deno.NetAddr).port;
 *   const [reader, writer] = yield* openConnection("127.0.0.1", port);
 *   writer.write(new TextEncoder().encode("hello\n"));
 *   yield* writer.drain();
 *   const reply = yield* reader.read();
 *   writer.close();
 *   yield* writer.waitClosed();
 *   server.close();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(reply);
 * }());
 * assert.equal(reply, "HELLO\n");
 * ```
 */
export class StreamWriter {
  #transport: WriteTransport;
  #protocol: FlowControlProtocol;
  #reader: StreamReader | null;
  #loop: EventLoop;
  #writable: WritableStream<Uint8Array> | null = null;

  /**
   * Makes a writer over a transport and the protocol that receives its
   * flow-control events.
   *
   * @param transport The transport to write to.
   * @param protocol The transport's protocol.
   * @param options The reader of the same connection, and the loop.
   * @throws {TypeError} If `transport` is not a write transport, an option is
   * unknown, `loop` is not an EventLoop, or `reader` is not a StreamReader.
   * @throws {Error} If no loop is given and none is running or set.
   */
  constructor(
    transport: WriteTransport,
    protocol: FlowControlProtocol,
    options?: StreamWriterOptions,
  ) {
    if (
      typeof transport !== "object" || transport === null ||
      typeof (transport as WriteTransport).write !== "function"
    ) {
      throw new TypeError(
        `Cannot create StreamWriter as 'transport' must be a WriteTransport: received ${
          describeValue(transport)
        }`,
      );
    }
    if (
      typeof protocol !== "object" || protocol === null ||
      typeof protocol._drainHelper !== "function"
    ) {
      throw new TypeError(
        `Cannot create StreamWriter as 'protocol' must be a FlowControlProtocol: received ${
          describeValue(protocol)
        }`,
      );
    }
    if (options !== undefined) {
      checkOptionNames(options, STREAM_WRITER_OPTIONS, "create StreamWriter");
      checkLoopOption(options?.loop, "create StreamWriter");
      const reader = options?.reader;
      if (
        reader !== undefined && reader !== null &&
        (typeof reader !== "object" ||
          typeof (reader as StreamReader).exception !== "function")
      ) {
        throw new TypeError(
          `Cannot create StreamWriter as 'reader' must be a StreamReader or null: received ${
            describeValue(reader)
          }`,
        );
      }
    }
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = options?.reader ?? null;
    this.#loop = options?.loop ?? protocol._streamLoop ?? getEventLoop();
  }

  /**
   * The transport the writer writes to.
   *
   * asyncio: `StreamWriter.transport`.
   *
   * @returns The transport.
   */
  get transport(): WriteTransport {
    return this.#transport;
  }

  /**
   * Writes bytes: they are buffered by the transport and sent as the
   * connection allows. Follow with `yield* drain()` to respect flow control.
   *
   * asyncio: `StreamWriter.write()`.
   *
   * @param data The bytes.
   * @throws {TypeError} If `data` is not a `Uint8Array`.
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot write to the StreamWriter as 'data' must be a Uint8Array: received ${
          describeValue(data)
        }`,
      );
    }
    this.#transport.write(data);
  }

  /**
   * Writes several chunks, in order.
   *
   * asyncio: `StreamWriter.writelines()`.
   *
   * @param chunks The chunks.
   * @throws {TypeError} If `chunks` is not an iterable of `Uint8Array`s
   * (checked before any is written).
   */
  writeLines(chunks: Iterable<Uint8Array>): void {
    this.#transport.writeLines(checkChunks(chunks, "write lines"));
  }

  /**
   * Closes the writing side once the buffer is flushed (a half-close); the
   * reading side stays open.
   *
   * asyncio: `StreamWriter.write_eof()`.
   */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /**
   * Whether the transport supports {@linkcode StreamWriter.writeEof}.
   *
   * asyncio: `StreamWriter.can_write_eof()`.
   *
   * @returns `true` where it does (TCP and Unix sockets; not TLS).
   */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /**
   * Closes the connection once the buffer is flushed. Follow with
   * `yield* waitClosed()`.
   *
   * asyncio: `StreamWriter.close()`.
   */
  close(): void {
    this.#transport.close();
  }

  /**
   * Whether the writer is closed or closing.
   *
   * asyncio: `StreamWriter.is_closing()`.
   *
   * @returns `true` after `close()` or once the connection is lost.
   */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * Waits until the connection is closed; throws the error that ended it,
   * if one did (a reset by the peer).
   *
   * asyncio: `StreamWriter.wait_closed()`.
   *
   * @returns A coroutine to `yield*`.
   * @throws The connection's error, if it ended with one.
   */
  waitClosed(): Coroutine<void> {
    return watchCoroutine(this.#waitClosed(), "StreamWriter.waitClosed");
  }

  *#waitClosed(): Coroutine<void> {
    yield* this.#protocol.getCloseWaiter(this);
  }

  /**
   * Extra information of the transport: `"peername"`, `"sockname"` (a
   * `Deno.Addr`) and the others the transport has.
   *
   * asyncio: `StreamWriter.get_extra_info()`.
   *
   * @param name What to get.
   * @param defaultValue Returned when the transport has no such information.
   * @returns The value.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * Waits until it is appropriate to write more: at once while the
   * transport's buffer is below its high-water mark, else until it drains.
   * Throws the connection's error once it is lost.
   *
   * After `close()` it gives the loop one turn and throws
   * `Deno.errors.ConnectionReset` ("Connection lost"), Deno's counterpart of
   * the `ConnectionResetError` asyncio raises there. (asyncio returns quietly
   * when its close() still has bytes to send and the connection is not gone
   * yet; Deno closes a connection a few turns later, so here a closed
   * writer's drain() always throws.)
   *
   * asyncio: `StreamWriter.drain()`.
   *
   * @returns A coroutine to `yield*`.
   * @throws The reader's exception, or `Deno.errors.ConnectionReset` once
   * the writer is closed or the connection is lost.
   *
   * @example drain() after close()
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { openConnection } from "@asyncio/asyncio/streams";
   * import assert from "node:assert/strict";
   *
   * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const served = listener.accept().then((conn) => conn.close());
   * const { port } = listener.addr as Deno.NetAddr;
   * const error = await run(function* () {
   *   const [_reader, writer] = yield* openConnection("127.0.0.1", port);
   *   writer.close();
   *   try {
   *     yield* writer.drain();
   *   } catch (error) {
   *     return error;
   *   } finally {
   *     yield* writer.waitClosed();
   *   }
   * }());
   * await served;
   * listener.close();
   * assert.ok(error instanceof Deno.errors.ConnectionReset);
   * ```
   */
  drain(): Coroutine<void> {
    return watchCoroutine(this.#drain(), "StreamWriter.drain");
  }

  *#drain(): Coroutine<void> {
    const reader = this.#reader;
    if (reader !== null) {
      const error = reader.exception();
      if (error !== null) throw error;
    }
    if (this.#transport.isClosing()) {
      // One turn of the loop, as asyncio gives connection_lost() before it
      // raises ConnectionResetError; a write-drain loop on a closed
      // connection then sees the error.
      yield;
      throw new Deno.errors.ConnectionReset("Connection lost");
    }
    const protocol = this.#protocol;
    // Nothing to wait for (the common case): skip _drainHelper's generator.
    // (Strict checks: an object without these fields still gets its own
    // _drainHelper called.)
    if (protocol._paused === false && protocol._connectionLost === false) {
      return;
    }
    yield* protocol._drainHelper();
  }

  /**
   * Upgrades the connection to TLS (client side, as after a `STARTTLS`
   * exchange): it drains, runs the handshake, and from then on the writer
   * writes and the reader reads through TLS. It works at any time after
   * the peer's go-ahead has been read, other awaits in between included,
   * as long as the peer has sent nothing more: until TLS starts, the reader
   * of a client connection over plain TCP reads from the socket only while
   * one of its reads waits (Deno can take over a connection only while no
   * read is in flight on it, and cannot cancel one).
   *
   * Deno cannot upgrade the server side of a connection: on a writer from
   * `startServer` this throws a `TypeError`.
   *
   * asyncio: `StreamWriter.start_tls()`.
   *
   * @param tlsOptions `true`, or {@linkcode TlsOptions} (`caCerts`,
   * `alpnProtocols`).
   * @param options `serverHostname`, checked against the certificate
   * (default: the peer's address).
   * @returns A coroutine to `yield*`.
   * @throws {TypeError} On the server side, or with bad options.
   * @throws {Error} If the reader holds bytes not read yet, which the peer
   * sent after its go-ahead (asyncio would read them after the upgrade as
   * if they had come through TLS), or if the peer sent more while a read
   * was in flight.
   * @throws {Error} If the handshake fails (the reader then gets the error).
   *
   * @example Upgrading after a STARTTLS exchange
   * ```ts ignore
   * import { openConnection } from "@asyncio/asyncio/streams";
   *
   * const [reader, writer] = yield* openConnection("mail.example.com", 587);
   * // ... EHLO, then:
   * writer.write(new TextEncoder().encode("STARTTLS\r\n"));
   * yield* reader.readLine(); // "220 Ready to start TLS"
   * yield* writer.startTls(true, { serverHostname: "mail.example.com" });
   * ```
   */
  startTls(
    tlsOptions: TlsOptions | true,
    options?: StreamWriterStartTlsOptions,
  ): Coroutine<void> {
    return watchCoroutine(
      this.#startTls(tlsOptions, options),
      "StreamWriter.startTls",
    );
  }

  *#startTls(
    tlsOptions: TlsOptions | true,
    options?: StreamWriterStartTlsOptions,
  ): Coroutine<void> {
    checkOptionNames(options, WRITER_START_TLS_OPTIONS, "start TLS");
    const protocol = this.#protocol;
    const unread = this.#reader?._buffered ?? 0;
    if (unread > 0) {
      throw new Error(
        `Cannot start TLS as the reader holds ${unread} bytes not read yet: the peer sent them after its go-ahead, in plain text`,
      );
    }
    yield* this.drain();
    const transport = yield* this.#loop.startTls(
      this.#transport as Transport,
      protocol,
      tlsOptions,
      {
        serverSide: protocol._isServerSide,
        serverHostname: options?.serverHostname,
        sslHandshakeTimeout: options?.sslHandshakeTimeout,
        sslShutdownTimeout: options?.sslShutdownTimeout,
      },
    );
    this.#transport = transport;
    protocol._replaceTransport(transport);
  }

  /**
   * The writer as a Web `WritableStream`: each chunk is written and, when
   * the transport is above its high-water mark, drained before the next;
   * closing the stream closes the writer and waits until it is closed;
   * aborting it aborts the transport. The same stream is returned on every
   * access. The writer's loop must keep running while it is written to.
   *
   * @returns The stream.
   *
   * @example Piping a Web stream into a connection
   * ```ts
   * import { openConnection, startServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
   * import { fromPromise } from "@asyncio/asyncio/tasks";
   * import { run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const received: string[] = [];
   * function* collect(reader: StreamReader, writer: StreamWriter) {
   *   received.push(new TextDecoder().decode(yield* reader.read()));
   *   writer.close();
   * }
   * await run(function* () {
   *   const server = yield* startServer(collect, "127.0.0.1", 0);
   *   const port = (server.sockets[0].addr as Deno.NetAddr).port;
   *   const [, writer] = yield* openConnection("127.0.0.1", port);
   *   const body = new Blob(["piped ", "through"]).stream();
   *   yield* fromPromise(body.pipeTo(writer.writable));
   *   server.close();
   *   yield* server.waitClosed();
   * }());
   * assert.deepEqual(received, ["piped through"]);
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= writableFromWriter(this, this.#loop);
    return this.#writable;
  }

  /** @ignore @internal Whether `drain()` would do more than return at once. */
  _mustDrain(): boolean {
    const protocol = this.#protocol;
    return protocol._paused || protocol._connectionLost ||
      this.#transport.isClosing() || this.#reader?.exception() != null;
  }

  /** @ignore @internal */
  get _protocol(): FlowControlProtocol {
    return this.#protocol;
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<StreamWriter transport=... reader=...>`.
   */
  toString(): string {
    const info = ["StreamWriter", `transport=${String(this.#transport)}`];
    if (this.#reader !== null) info.push(`reader=${this.#reader.toString()}`);
    return `<${info.join(" ")}>`;
  }
}

/**
 * {@linkcode openConnection} and {@linkcode openUnixConnection}: connect and
 * get a reader and a writer.
 *
 * @module
 */

import type {
  CreateConnectionOptions,
  CreateUnixConnectionOptions,
} from "../eventloop/network_options.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import { checkOptionNames, watchCoroutine } from "../eventloop/_lowlevel.ts";
import {
  OPEN_CONNECTION_OPTIONS,
  OPEN_UNIX_CONNECTION_OPTIONS,
} from "./_options.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { StreamReader } from "./stream_reader.ts";
import { StreamReaderProtocol } from "./stream_reader_protocol.ts";
import { StreamWriter } from "./stream_writer.ts";

/**
 * Options of {@linkcode openConnection}.
 *
 * asyncio: the keyword arguments of `asyncio.open_connection()`.
 */
export interface OpenConnectionOptions extends CreateConnectionOptions {
  /**
   * The reader's limit: the longest line `readLine()` accepts, and half the
   * buffer size at which reading pauses.
   *
   * @default {65536}
   */
  limit?: number;
}

/**
 * Options of {@linkcode openUnixConnection}.
 *
 * asyncio: the keyword arguments of `asyncio.open_unix_connection()`.
 */
export interface OpenUnixConnectionOptions extends CreateUnixConnectionOptions {
  /**
   * The reader's limit.
   *
   * @default {65536}
   */
  limit?: number;
}

/**
 * Connects to `host:port` over TCP (or TLS with `ssl`) and returns the
 * connection's reader and writer.
 *
 * asyncio: `asyncio.open_connection()`.
 *
 * @param host The host name or address.
 * @param port The port.
 * @param options `limit` of the reader; the options of
 * `loop.createConnection()`: `ssl` (`true` or {@linkcode TlsOptions}),
 * `serverHostname`, `sslHandshakeTimeout`, `family`, `proto`, `flags`,
 * `happyEyeballsDelay`, `interleave`, `allErrors`. An unknown option throws
 * a `TypeError`.
 * @returns `[reader, writer]`.
 * @throws {RangeError} If `limit` is not a positive integer, or `port` is
 * out of range.
 * @throws {Deno.errors.ConnectionRefused} If nobody listens there.
 * @throws {Deno.errors.NotCapable} Without `--allow-net`.
 *
 * @example A line-based client and server
 * ```ts
 * import { openConnection, startServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * function* pong(reader: StreamReader, writer: StreamWriter) {
 *   const line = yield* reader.readLine();
 *   if (new TextDecoder().decode(line) === "PING\n") {
 *     writer.write(new TextEncoder().encode("PONG\n"));
 *   }
 *   writer.close();
 *   yield* writer.waitClosed();
 * }
 *
 * const answer = await run(function* () {
 *   const server = yield* startServer(pong, "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [reader, writer] = yield* openConnection("127.0.0.1", port);
 *   writer.write(new TextEncoder().encode("PING\n"));
 *   yield* writer.drain();
 *   const line = yield* reader.readLine();
 *   writer.close();
 *   yield* writer.waitClosed();
 *   server.close();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(line);
 * }());
 * assert.equal(answer, "PONG\n");
 * ```
 */
export function openConnection(
  host: string,
  port: number,
  options?: OpenConnectionOptions,
): Coroutine<[StreamReader, StreamWriter]> {
  return watchCoroutine(
    openConnectionCoroutine(host, port, options),
    "openConnection",
  );
}

function* openConnectionCoroutine(
  host: string,
  port: number,
  options?: OpenConnectionOptions,
): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  checkOptionNames(options, OPEN_CONNECTION_OPTIONS, "open connection");
  const { limit, ...rest } = options ?? {};
  const reader = new StreamReader({ limit, loop });
  const protocol = new StreamReaderProtocol(reader, { loop });
  const [transport] = yield* loop.createConnection(
    () => protocol,
    host,
    port,
    rest,
  );
  return [reader, new StreamWriter(transport, protocol, { reader, loop })];
}

/**
 * Connects to a Unix socket and returns the connection's reader and writer.
 *
 * asyncio: `asyncio.open_unix_connection()`.
 *
 * @param path The socket's path.
 * @param options `limit` of the reader. asyncio's other options are
 * refused: Deno cannot speak TLS over a Unix socket, so `ssl` throws.
 * @returns `[reader, writer]`.
 * @throws {RangeError} If `limit` is not a positive integer.
 * @throws {TypeError} If an option is unknown or not supported.
 * @throws {Deno.errors.NotFound} If no socket exists at `path`.
 * @throws {Deno.errors.ConnectionRefused} If nobody listens on it.
 *
 * @example Over a Unix socket
 * ```ts
 * import { openUnixConnection, startUnixServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = `${dir}/echo.sock`;
 * function* echo(reader: StreamReader, writer: StreamWriter) {
 *   writer.write(yield* reader.readLine());
 *   yield* writer.drain();
 *   writer.close();
 * }
 * const line = await run(function* () {
 *   const server = yield* startUnixServer(echo, path);
 *   const [reader, writer] = yield* openUnixConnection(path);
 *   writer.write(new TextEncoder().encode("over a socket file\n"));
 *   const line = yield* reader.readLine();
 *   writer.close();
 *   server.close();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(line);
 * }());
 * Deno.removeSync(dir, { recursive: true });
 * assert.equal(line, "over a socket file\n");
 * ```
 */
export function openUnixConnection(
  path: string,
  options?: OpenUnixConnectionOptions,
): Coroutine<[StreamReader, StreamWriter]> {
  return watchCoroutine(
    openUnixConnectionCoroutine(path, options),
    "openUnixConnection",
  );
}

function* openUnixConnectionCoroutine(
  path: string,
  options?: OpenUnixConnectionOptions,
): Coroutine<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  checkOptionNames(
    options,
    OPEN_UNIX_CONNECTION_OPTIONS,
    "open Unix connection",
  );
  const { limit, ...rest } = options ?? {};
  const reader = new StreamReader({ limit, loop });
  const protocol = new StreamReaderProtocol(reader, { loop });
  const [transport] = yield* loop.createUnixConnection(
    () => protocol,
    path,
    rest,
  );
  return [reader, new StreamWriter(transport, protocol, { reader, loop })];
}

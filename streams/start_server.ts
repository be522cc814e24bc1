/**
 * {@linkcode startServer} and {@linkcode startUnixServer}: serve each
 * connection with a reader and a writer.
 *
 * @module
 */

import type {
  CreateServerOptions,
  CreateUnixServerOptions,
} from "../eventloop/network_options.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Server } from "../eventloop/server.ts";
import {
  checkOptionNames,
  describeValue,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { START_SERVER_OPTIONS, START_UNIX_SERVER_OPTIONS } from "./_options.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { StreamReader } from "./stream_reader.ts";
import {
  type ClientConnectedCallback,
  StreamReaderProtocol,
} from "./stream_reader_protocol.ts";

/**
 * Options of {@linkcode startServer}.
 *
 * asyncio: the keyword arguments of `asyncio.start_server()`.
 */
export interface StartServerOptions extends CreateServerOptions {
  /**
   * The limit of each connection's reader.
   *
   * @default {65536}
   */
  limit?: number;
}

/**
 * Options of {@linkcode startUnixServer}.
 *
 * asyncio: the keyword arguments of `asyncio.start_unix_server()`.
 */
export interface StartUnixServerOptions extends CreateUnixServerOptions {
  /**
   * The limit of each connection's reader.
   *
   * @default {65536}
   */
  limit?: number;
}

/**
 * Listens on `host:port` and calls `clientConnectedCb(reader, writer)` for
 * each connection. A generator function's coroutine runs as a task: if it
 * throws, the error goes to the loop's exception handler and the connection
 * is closed. A plain function is just called.
 *
 * asyncio: `asyncio.start_server()`.
 *
 * @param clientConnectedCb Serves one connection.
 * @param host Where to listen (`null` or `""`: every IPv4 interface; an
 * array: each).
 * @param port The port; 0 picks a free one (`server.sockets[0].addr`).
 * @param options `limit` of the readers; the options of
 * `loop.createServer()`: `ssl` (with `cert` and `key`; with `caCerts` and
 * `verifyMode` to verify client certificates, whose details the writer's
 * `getExtraInfo("peercert")` then reports), `sslHandshakeTimeout`, `backlog`, `startServing`, `reusePort`,
 * `reuseAddress`, `keepAlive`, `family`, `flags`. An unknown option throws a
 * `TypeError`.
 * @returns The `Server`: `close()` then `yield* waitClosed()` to stop it.
 * @throws {TypeError} If `clientConnectedCb` is not a function.
 * @throws {RangeError} If `limit` is not a positive integer, or `port` is
 * out of range.
 * @throws {Deno.errors.AddrInUse} If the port is taken.
 *
 * @example An echo server
 * ```ts
 * import { openConnection, startServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * function* echo(reader: StreamReader, writer: StreamWriter) {
 *   while (true) {
 *     const data = yield* reader.read(4096);
 *     if (data.length === 0) break;
 *     writer.write(data);
 *     yield* writer.drain();
 *   }
 *   writer.close();
 *   yield* writer.waitClosed();
 * }
 *
 * const echoed = await run(function* () {
 *   const server = yield* startServer(echo, "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [reader, writer] = yield* openConnection("127.0.0.1", port);
 *   writer.write(new TextEncoder().encode("echo me"));
 *   writer.writeEof();
 *   const echoed = yield* reader.read();
 *   writer.close();
 *   yield* writer.waitClosed();
 *   server.close();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(echoed);
 * }());
 * assert.equal(echoed, "echo me");
 * ```
 */
export function startServer(
  clientConnectedCb: ClientConnectedCallback,
  host: string | string[] | null,
  port: number,
  options?: StartServerOptions,
): Coroutine<Server> {
  return watchCoroutine(
    startServerCoroutine(clientConnectedCb, host, port, options),
    "startServer",
  );
}

function* startServerCoroutine(
  clientConnectedCb: ClientConnectedCallback,
  host: string | string[] | null,
  port: number,
  options?: StartServerOptions,
): Coroutine<Server> {
  const loop = getRunningLoop();
  checkOptionNames(options, START_SERVER_OPTIONS, "start server");
  const { limit, ...rest } = options ?? {};
  checkServerArguments(clientConnectedCb, limit);
  return yield* loop.createServer(
    () =>
      new StreamReaderProtocol(new StreamReader({ limit, loop }), {
        clientConnectedCb,
        loop,
      }),
    host,
    port,
    rest,
  );
}

/**
 * Listens on a Unix socket and calls `clientConnectedCb(reader, writer)`
 * for each connection, as {@linkcode startServer} does.
 *
 * asyncio: `asyncio.start_unix_server()`.
 *
 * @param clientConnectedCb Serves one connection.
 * @param path The socket's path (a stale socket file there is replaced).
 * @param options `limit` of the readers; `startServing`. `ssl` throws
 * before anything listens (Deno cannot speak TLS over a Unix socket), as do
 * `backlog`, `cleanupSocket: false` and `sock`.
 * @returns The `Server`.
 * @throws {TypeError} If `clientConnectedCb` is not a function.
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example Serving on a Unix socket
 * ```ts
 * import { openUnixConnection, startUnixServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = `${dir}/greet.sock`;
 * function greet(_reader: StreamReader, writer: StreamWriter) {
 *   writer.write(new TextEncoder().encode("hello\n")); // a plain function
 *   writer.close();
 * }
 * const line = await run(function* () {
 *   const server = yield* startUnixServer(greet, path);
 *   const [reader, writer] = yield* openUnixConnection(path);
 *   const line = yield* reader.readLine();
 *   writer.close();
 *   server.close();
 *   yield* server.waitClosed();
 *   return new TextDecoder().decode(line);
 * }());
 * Deno.removeSync(dir, { recursive: true });
 * assert.equal(line, "hello\n");
 * ```
 */
export function startUnixServer(
  clientConnectedCb: ClientConnectedCallback,
  path: string,
  options?: StartUnixServerOptions,
): Coroutine<Server> {
  return watchCoroutine(
    startUnixServerCoroutine(clientConnectedCb, path, options),
    "startUnixServer",
  );
}

function* startUnixServerCoroutine(
  clientConnectedCb: ClientConnectedCallback,
  path: string,
  options?: StartUnixServerOptions,
): Coroutine<Server> {
  const loop = getRunningLoop();
  checkOptionNames(options, START_UNIX_SERVER_OPTIONS, "start Unix server");
  const { limit, ...rest } = options ?? {};
  checkServerArguments(clientConnectedCb, limit);
  return yield* loop.createUnixServer(
    () =>
      new StreamReaderProtocol(new StreamReader({ limit, loop }), {
        clientConnectedCb,
        loop,
      }),
    path,
    rest,
  );
}

function checkServerArguments(
  clientConnectedCb: unknown,
  limit: number | undefined,
): void {
  if (typeof clientConnectedCb !== "function") {
    throw new TypeError(
      `Cannot start the server as 'clientConnectedCb' must be a function: received ${
        describeValue(clientConnectedCb)
      }`,
    );
  }
  // Fails now, with the caller's stack, rather than at each connection.
  new StreamReader({ limit });
}

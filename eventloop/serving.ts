/**
 * {@linkcode serving}: `async with server:` inside a coroutine.
 *
 * @module
 */

import type { Coroutine } from "./_coroutine.ts";
import { Server } from "./server.ts";
import { describeValue, isGenerator } from "./_util.ts";
import { watchCoroutine } from "./_never_awaited.ts";

/**
 * Runs `body` with `server`, then — however `body` ends: a result, an error,
 * a cancellation — closes the server and waits until it is closed (its
 * listeners and every connection it accepted), as `async with server:` does
 * on leaving the block. Returns `body`'s result, or throws its error.
 *
 * `await using` cannot be written inside a generator, and a `using` scope
 * could close the server but not wait; this is the form for coroutines,
 * like `timeout(delay, body)` and `taskGroup(body)`.
 *
 * asyncio: `async with server:` (`Server.__aexit__`: `close()`, then
 * `wait_closed()`).
 *
 * @typeParam T The body's result.
 * @param server A server from `loop.createServer()`, `startServer()` and
 * the like.
 * @param body A coroutine, or a function of the server that returns one.
 * @returns A coroutine of the body's result.
 * @throws {TypeError} If `server` is not a Server or `body` not a coroutine
 * (or a function returning one).
 * @throws The body's error, once the server is closed.
 *
 * @example Serving inside a coroutine until a client says stop
 * ```ts
 * import { run, serving } from "@asyncio/asyncio/eventloop";
 * import { Event } from "@asyncio/asyncio/sync";
 * import { openConnection, startServer, type StreamReader, type StreamWriter } from "@asyncio/asyncio/streams";
 * import assert from "node:assert/strict";
 *
 * const stop = new Event();
 * function* handle(reader: StreamReader, writer: StreamWriter) {
 *   if (new TextDecoder().decode(yield* reader.readLine()) === "stop\n") stop.set();
 *   writer.close();
 * }
 *
 * const served = await run(function* () {
 *   const server = yield* startServer(handle, "127.0.0.1", 0);
 *   const port = (server.sockets[0].addr as Deno.NetAddr).port;
 *   // async with server:
 *   yield* serving(server, function* () {
 *     const [, writer] = yield* openConnection("127.0.0.1", port);
 *     writer.write(new TextEncoder().encode("stop\n"));
 *     yield* stop.wait();
 *     writer.close();
 *   });
 *   // Here the server is closed and its connections are gone.
 *   return server.isServing();
 * }());
 * assert.equal(served, false);
 * ```
 */
export function serving<T>(
  server: Server,
  body: Coroutine<T> | ((server: Server) => Coroutine<T>),
): Coroutine<T> {
  return watchCoroutine(servingCoroutine(server, body), "serving");
}

function* servingCoroutine<T>(
  server: Server,
  body: Coroutine<T> | ((server: Server) => Coroutine<T>),
): Coroutine<T> {
  if (!(server instanceof Server)) {
    if (isGenerator(body)) body.return(undefined as T);
    throw new TypeError(
      `serving() expects a Server as 'server': received ${
        describeValue(server)
      }`,
    );
  }
  if (typeof body !== "function" && !isGenerator(body)) {
    throw new TypeError(
      `serving() expects a coroutine, or a function returning one, as 'body': received ${
        describeValue(body)
      }`,
    );
  }
  try {
    const coro = typeof body === "function" ? body(server) : body;
    if (!isGenerator(coro)) {
      throw new TypeError(
        `serving()'s 'body' must return a coroutine: received ${
          describeValue(coro)
        }`,
      );
    }
    return yield* coro;
  } finally {
    server.close();
    yield* server.waitClosed();
  }
}

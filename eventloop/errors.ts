/**
 * The base errors of the module: cancellation, invalid state and timeouts.
 *
 * @module
 */

/**
 * Thrown into a coroutine at the point where it is suspended when its task is
 * cancelled, and thrown by {@linkcode Future.result} of a cancelled future.
 *
 * A coroutine may catch it to clean up, but should rethrow it (or call
 * `uncancel()`) unless it really means to swallow the cancellation.
 *
 * asyncio: `asyncio.CancelledError`.
 *
 * @example Catching a cancellation
 * ```ts
 * import { CancelledError, Future, newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * const fut = loop.createFuture<number>();
 * fut.cancel("no longer needed");
 * assert.throws(() => fut.result(), CancelledError);
 * loop.close();
 * ```
 */
export class CancelledError extends Error {
  /**
   * Makes a cancellation error.
   *
   * @param message The cancellation message, as passed to `cancel(msg)`.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "CancelledError";
  }
}

/**
 * Thrown when an operation is not allowed in the current state of a
 * {@linkcode Future}: asking for the result of a pending future, or setting the
 * result of a future that is already done.
 *
 * asyncio: `asyncio.InvalidStateError`.
 *
 * @example Reading a pending future
 * ```ts
 * import { InvalidStateError, newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * const fut = loop.createFuture();
 * assert.throws(() => fut.result(), InvalidStateError);
 * loop.close();
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Makes an invalid-state error.
   *
   * @param message What was wrong.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "InvalidStateError";
  }
}

/**
 * Thrown when a deadline passes: by `timeout`, `waitFor` and `asCompleted`.
 *
 * asyncio: `TimeoutError` (the builtin, which `asyncio.TimeoutError` aliases).
 *
 * @example Recognising a timeout
 * ```ts
 * import { TimeoutError } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const err = new TimeoutError("too slow");
 * assert.ok(err instanceof Error);
 * assert.equal(err.name, "TimeoutError");
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Makes a timeout error.
   *
   * @param message What timed out.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "TimeoutError";
  }
}

/**
 * Thrown by `run()` and `Runner.run()` when Ctrl-C (SIGINT) interrupted the
 * main coroutine: the first Ctrl-C cancels the main task, so its `finally`
 * blocks run, and once it has finished, this is thrown in place of its
 * `CancelledError`. A second Ctrl-C ends the process at once. A program that
 * installs its own SIGINT handler with `loop.addSignalHandler()` is left to
 * handle Ctrl-C itself. If nobody catches it, the program ends as Python's
 * does: killed by SIGINT, so a shell sees status 130 (set up by the first
 * `Runner.run()`; other uncaught errors keep Deno's status 1).
 *
 * asyncio: the builtin `KeyboardInterrupt`, as `asyncio.run()` raises it.
 *
 * @example Recognising an interrupted run
 * ```ts
 * import { KeyboardInterrupt } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const err = new KeyboardInterrupt();
 * assert.equal(err.name, "KeyboardInterrupt");
 * assert.ok(err instanceof Error);
 * ```
 */
export class KeyboardInterrupt extends Error {
  /**
   * Makes the error.
   *
   * @param message What was interrupted.
   */
  constructor(message?: string) {
    super(message ?? "interrupted by Ctrl-C (SIGINT)");
    this.name = "KeyboardInterrupt";
  }
}

/**
 * Thrown by `loop.sendfile()` with `fallback: false`: Deno has no zero-copy
 * `sendfile(2)` (nor `os.sendfile`), so the only way to send a file is to
 * read it in chunks and write them, which `fallback: false` forbids.
 *
 * asyncio: `asyncio.SendfileNotAvailableError` (a `RuntimeError`).
 *
 * @example Asking for a native sendfile
 * ```ts
 * import { getRunningLoop, Protocol, run, SendfileNotAvailableError } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const path = Deno.makeTempFileSync();
 * const error = await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* loop.createServer(() => new Protocol(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [transport] = yield* loop.createConnection(() => new Protocol(), "127.0.0.1", port);
 *   using file = Deno.openSync(path);
 *   try {
 *     yield* loop.sendfile(transport, file, 0, null, { fallback: false });
 *   } catch (error) {
 *     return error;
 *   } finally {
 *     transport.close();
 *     server.close();
 *     server.closeClients();
 *     yield* server.waitClosed();
 *   }
 * }());
 * Deno.removeSync(path);
 * assert.ok(error instanceof SendfileNotAvailableError);
 * ```
 */
export class SendfileNotAvailableError extends Error {
  /**
   * Makes the error.
   *
   * @param message Why sendfile is not available.
   */
  constructor(message?: string) {
    super(message ?? "sendfile is not available");
    this.name = "SendfileNotAvailableError";
  }
}

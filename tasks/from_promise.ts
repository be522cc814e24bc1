/**
 * {@linkcode fromPromise}: how Promises from Deno's own APIs come into the
 * loop.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { CancelledError } from "../eventloop/errors.ts";
import type { Future } from "../eventloop/future.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import { abortMessage, checkLoop, checkSignal } from "./_signal.ts";
import {
  cancelMessage,
  checkOptionNames,
  describeValue,
  ioFuture,
  isPromiseLike,
} from "../eventloop/_lowlevel.ts";
import { FROM_PROMISE_OPTIONS } from "./_options.ts";

/** Options of {@linkcode fromPromise}. */
export interface FromPromiseOptions {
  /**
   * Aborted when the returned future is cancelled, so the operation behind the
   * promise stops (give its `signal` to `fetch`, `Deno.Command` and the like).
   *
   * @default {undefined}
   */
  controller?: AbortController;
  /**
   * When this signal aborts, the returned future is cancelled.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * The loop of the future.
   *
   * @default {the running loop}
   */
  loop?: EventLoop;
}

/**
 * Wraps a Promise (or a function that starts one) in a Future of the loop, so
 * a coroutine can `yield*` it.
 *
 * Given a function, it is called at once with an `AbortSignal` that aborts
 * when the future is cancelled: cancelling the waiting task then stops the
 * operation itself (a `fetch`, a child process). A rejection becomes the
 * future's error; nothing is left to reject unobserved. While the promise is
 * pending, a virtual clock does not jump ahead of it.
 *
 * asyncio: `asyncio.wrap_future()` is the nearest; asyncio has no Promises.
 *
 * @typeParam T The promised value.
 * @param source A promise, or `(signal) => promise`.
 * @param options An AbortController to abort on cancellation, a signal that
 * cancels, the loop.
 * @returns The future.
 * @throws {TypeError} If `source` is neither a PromiseLike nor a function
 * that returns one.
 * @throws {TypeError} If an option is unknown, or `signal`, `controller` or
 * `loop` is not an AbortSignal, an AbortController or an EventLoop.
 * @throws {Error} If no loop is given and none is running.
 *
 * @example Awaiting a Promise inside a coroutine
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { fromPromise } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const text = await run(function* () {
 *   const data = yield* fromPromise(Promise.resolve(new Uint8Array([104, 105])));
 *   return new TextDecoder().decode(data);
 * }());
 * assert.equal(text, "hi");
 * ```
 *
 * @example Cancellation aborts the operation
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { fromPromise, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * let aborted = false;
 * await run(function* () {
 *   const fut = fromPromise((signal) =>
 *     new Promise<void>((_resolve, reject) => {
 *       signal.addEventListener("abort", () => {
 *         aborted = true;
 *         reject(signal.reason);
 *       });
 *     })
 *   );
 *   yield* sleep(0);
 *   fut.cancel();
 * }());
 * assert.ok(aborted);
 * ```
 */
export function fromPromise<T>(
  source: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  options?: FromPromiseOptions,
): Future<T> {
  // Checked before `source` is called, so a bad option starts nothing.
  if (options !== undefined) {
    checkOptionNames(options, FROM_PROMISE_OPTIONS, "call fromPromise()");
  }
  checkSignal(options?.signal, "fromPromise()");
  checkLoop(options?.loop, "fromPromise()");
  if (
    options?.controller !== undefined &&
    !(options.controller instanceof AbortController)
  ) {
    throw new TypeError(
      `fromPromise()'s 'controller' must be an AbortController: received ${
        describeValue(options.controller)
      }`,
    );
  }
  const loop = options?.loop ?? getRunningLoop();
  let controller = options?.controller;
  let promise: PromiseLike<T>;
  if (typeof source === "function") {
    controller ??= new AbortController();
    promise = source(controller.signal);
  } else {
    promise = source;
  }
  if (!isPromiseLike(promise)) {
    throw new TypeError(
      `fromPromise() expected a Promise or a function returning one: received ${
        describeValue(promise)
      }`,
    );
  }
  const future = ioFuture(loop, promise);
  const signal = options?.signal;
  if (signal !== undefined) {
    if (signal.aborted) future.cancel(abortMessage(signal));
    else {
      const onAbort = () => future.cancel(abortMessage(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      future.addDoneCallback(() => {
        signal.removeEventListener("abort", onAbort);
      });
    }
  }
  if (controller !== undefined) {
    const abortWith = controller;
    future.addDoneCallback((f) => {
      if (f.cancelled()) abortWith.abort(new CancelledError(cancelMessage(f)));
    });
  }
  return future;
}

/**
 * {@linkcode ensureFuture}: a Future for anything awaitable.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import { checkLoop } from "./_signal.ts";
import { toFuture } from "./_to_future.ts";
import { checkOptionNames, type Coroutine } from "../eventloop/_lowlevel.ts";
import { ENSURE_FUTURE_OPTIONS } from "./_options.ts";

/** Options of {@linkcode ensureFuture}. */
export interface EnsureFutureOptions {
  /**
   * The loop to use.
   *
   * @default {the running loop, else the one set with `setEventLoop()`}
   */
  loop?: EventLoop;
}

/**
 * A Future for `value`: a Future is returned as it is, a coroutine is wrapped
 * in a task, and a PromiseLike goes through {@linkcode fromPromise}. The task
 * or future belongs to `loop`, else the running loop, else (as in asyncio
 * 3.11-3.13) the loop set with `setEventLoop()`, where the task runs once
 * that loop does.
 *
 * asyncio: `asyncio.ensure_future()`.
 *
 * @typeParam T The result type.
 * @param value A Future, a coroutine or a PromiseLike.
 * @param options The loop.
 * @returns The future.
 * @throws {TypeError} For anything else, an unknown option, or a `loop`
 * that is not an EventLoop.
 * @throws {Error} If a Future of another loop is given with `loop`; or if
 * a coroutine or PromiseLike is given while no loop runs and none is set,
 * with a message that says how to make one.
 *
 * @example One shape for three kinds of awaitable
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { ensureFuture } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const sum = await run(function* () {
 *   const a = ensureFuture(function* () { return 1; }());
 *   const b = ensureFuture(Promise.resolve(2));
 *   const c = ensureFuture(a);
 *   assert.equal(c, a);
 *   return (yield* a) + (yield* b);
 * }());
 * assert.equal(sum, 3);
 * ```
 */
export function ensureFuture<T>(
  value: Future<T> | Coroutine<T> | PromiseLike<T>,
  options?: EnsureFutureOptions,
): Future<T> {
  if (options !== undefined) {
    checkOptionNames(options, ENSURE_FUTURE_OPTIONS, "call ensureFuture()");
  }
  checkLoop(options?.loop, "ensureFuture()");
  if (value instanceof Future) {
    if (options?.loop !== undefined && options.loop !== value.getLoop()) {
      throw new Error(
        "ensureFuture(): the future's loop differs from the 'loop' given",
      );
    }
    return value;
  }
  return toFuture(value, options?.loop, "ensureFuture()");
}

/**
 * {@linkcode waitFor}: wait for an awaitable, with a time limit.
 *
 * @module
 */

import {
  type Coroutine,
  describeNonCoroutine,
  describeValue,
  isGenerator,
  isPromiseLike,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { CancelledError, TimeoutError } from "../eventloop/errors.ts";
import { Future } from "../eventloop/future.ts";
import { ensureFuture } from "./ensure_future.ts";
import { fromPromise } from "./from_promise.ts";
import type { Awaitable } from "./gather.ts";
import { timeout as withTimeout } from "./timeout.ts";

/**
 * Waits for `aw` for at most `timeout` seconds and gives its result. On
 * expiry `aw` is cancelled and waited for (its `finally` blocks run), then
 * {@linkcode TimeoutError} is thrown. `null` waits for as long as it takes.
 *
 * Built on {@linkcode timeout}, as in asyncio 3.12: a coroutine runs inside
 * the calling task (no new task); a Future or Task is waited for, and
 * cancelling the waiter cancels it. If `aw` catches its cancellation and
 * returns a value anyway, that value is returned. A `timeout` of 0 or less
 * cancels at once unless `aw` is already done.
 *
 * asyncio: `asyncio.wait_for()`.
 *
 * @typeParam T The result type.
 * @param aw A coroutine, Future, Task or PromiseLike.
 * @param timeout Seconds, or `null` for no limit.
 * @returns A coroutine to `yield*`, giving the result of `aw`.
 * @throws {TypeError} If `aw` is not awaitable or `timeout` is neither a
 * number nor `null`.
 * @throws {TimeoutError} From the coroutine, when the time runs out.
 *
 * @example A reply that comes too late
 * ```ts
 * import { run, TimeoutError } from "@asyncio/asyncio/eventloop";
 * import { sleep, waitFor } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* reply(delay: number) {
 *   yield* sleep(delay);
 *   return "pong";
 * }
 * const outcome = await run(function* () {
 *   const fast = yield* waitFor(reply(1), 5);
 *   try {
 *     yield* waitFor(reply(10), 5);
 *   } catch (error) {
 *     if (error instanceof TimeoutError) return `${fast}, then a timeout`;
 *   }
 *   return "?";
 * }, { virtualTime: true });
 * assert.equal(outcome, "pong, then a timeout");
 * ```
 */
export function waitFor<T>(
  aw: Awaitable<T>,
  timeout: number | null,
): Coroutine<T> {
  if (!(aw instanceof Future) && !isGenerator(aw) && !isPromiseLike(aw)) {
    throw new TypeError(
      `waitFor()'s 'aw' must be a coroutine, a Future or a PromiseLike: received ${
        describeNonCoroutine(aw)
      }`,
    );
  }
  if (
    timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))
  ) {
    throw new TypeError(
      `waitFor()'s 'timeout' must be a number of seconds or null: received ${
        describeValue(timeout)
      }`,
    );
  }
  return watchCoroutine(waitForCoroutine(aw, timeout), "waitFor");
}

function* waitForCoroutine<T>(
  aw: Awaitable<T>,
  timeout: number | null,
): Coroutine<T> {
  if (timeout !== null && timeout <= 0) {
    const fut = ensureFuture(aw);
    if (fut.done()) return fut.result();
    yield* cancelAndWait(fut);
    try {
      return fut.result();
    } catch (error) {
      if (error instanceof CancelledError) {
        const timeoutError = new TimeoutError();
        timeoutError.cause = error;
        throw timeoutError;
      }
      throw error;
    }
  }
  return yield* withTimeout(timeout, awaitIt(aw));
}

function* awaitIt<T>(aw: Awaitable<T>): Coroutine<T> {
  if (aw instanceof Future) return yield* aw;
  if (isGenerator(aw)) return yield* aw as Coroutine<T>;
  return yield* fromPromise(aw as PromiseLike<T>);
}

/** Cancels `fut` and waits until it is done (asyncio's `_cancel_and_wait`). */
function* cancelAndWait(fut: Future<unknown>): Coroutine<void> {
  const waiter = fut.getLoop().createFuture<void>();
  const release = () => {
    if (!waiter.done()) waiter.setResult();
  };
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(release);
  }
}

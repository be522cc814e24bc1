/**
 * {@linkcode shield}: protect an awaitable from cancellation.
 *
 * @module
 */

import type { Future } from "../eventloop/future.ts";
import { toFuture } from "./_to_future.ts";
import type { Awaitable } from "./gather.ts";

/**
 * Protects an awaitable from being cancelled by whoever waits for it.
 *
 * It returns an outer future that follows the inner one (a coroutine is
 * wrapped in a task). Cancelling the outer future — for instance by
 * cancelling the task that waits on it — leaves the inner one running; the
 * waiter gets `CancelledError` at once. Cancelling the inner one itself still
 * cancels the outer. Keep a reference to the inner task if its result or
 * error still matters after the outer was cancelled.
 *
 * asyncio: `asyncio.shield()`.
 *
 * @typeParam T The result type.
 * @param aw A Future, Task, coroutine or PromiseLike.
 * @returns The outer future (the inner one itself if it is already done).
 * @throws {TypeError} If `aw` is not awaitable.
 * @throws {Error} If `aw` is a coroutine or promise while no loop runs and
 * none is set with `setEventLoop()` (whose loop it then uses, as asyncio
 * 3.11-3.13 do).
 *
 * @example The inner work finishes although the waiter was cancelled
 * ```ts
 * import { CancelledError, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, shield, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   const save = createTask(function* () {
 *     yield* sleep(2);
 *     log.push("saved");
 *   }());
 *   const waiter = createTask(function* () {
 *     yield* shield(save);
 *   }());
 *   yield* sleep(1);
 *   waiter.cancel();
 *   try {
 *     yield* waiter;
 *   } catch (error) {
 *     log.push(error instanceof CancelledError ? "waiter cancelled" : "?");
 *   }
 *   yield* save;
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["waiter cancelled", "saved"]);
 * ```
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const inner = toFuture(aw, undefined, "shield()");
  if (inner.done()) return inner;
  const outer = inner.getLoop().createFuture<T>();
  const onInnerDone = (inner: Future<T>) => {
    if (outer.cancelled()) {
      // Nobody waits for the outcome any more; mark an error as seen.
      if (!inner.cancelled()) inner.exception();
      return;
    }
    if (inner.cancelled()) {
      outer.cancel();
      return;
    }
    const error = inner.exception();
    if (error !== undefined) outer.setException(error);
    else outer.setResult(inner.result());
  };
  const onOuterDone = () => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  };
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}

/**
 * {@linkcode asCompleted}: results in the order they come in.
 *
 * @module
 */

import { TimeoutError } from "../eventloop/errors.ts";
import type { Future } from "../eventloop/future.ts";
import type { TimerHandle } from "../eventloop/handle.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import {
  checkOptionNames,
  type Coroutine,
  describeValue,
} from "../eventloop/_lowlevel.ts";
import { checkAwaitable, toFuture } from "./_to_future.ts";
import { checkAwaitables } from "./_iterable.ts";
import type { Awaitable } from "./gather.ts";
import { AS_COMPLETED_OPTIONS } from "./_options.ts";

/** Options of {@linkcode asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Seconds until the coroutines not yet given a result throw
   * `TimeoutError`; `null` or `undefined`: no limit.
   *
   * @default {undefined}
   */
  timeout?: number | null;
}

/**
 * Runs the awaitables concurrently and returns one coroutine per awaitable;
 * `yield*` them in turn to get the results in the order the awaitables
 * finish (the first coroutine gives the first result to come in, and so on).
 * A failed awaitable's error is thrown by the coroutine that receives it.
 *
 * Coroutines are wrapped in tasks and promises go through `fromPromise`, at
 * once. With `timeout`, every coroutine still waiting when the time runs out
 * — and every one started later — throws {@linkcode TimeoutError}; the
 * awaitables themselves are not cancelled.
 *
 * asyncio: `asyncio.as_completed(aws, timeout=None)` (3.12: an iterator of
 * coroutines).
 *
 * @typeParam T The result type.
 * @param aws The awaitables (duplicates count once): any iterable (an
 * array, a Set, an iterator helper), but not a generator object, which is a
 * coroutine here: spread a generator's items into an array first.
 * @param options `timeout`.
 * @returns An array of coroutines, as many as distinct awaitables.
 * @throws {TypeError} If `aws` is not an iterable of awaitables, an option
 * is unknown, or `timeout` is not a number.
 * @throws {Error} If no loop is running.
 *
 * @example Handling results as they arrive
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { asCompleted, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const order = await run(function* () {
 *   const order: string[] = [];
 *   for (const next of asCompleted([sleep(3, "c"), sleep(1, "a"), sleep(2, "b")])) {
 *     order.push(yield* next);
 *   }
 *   return order;
 * }, { virtualTime: true });
 * assert.deepEqual(order, ["a", "b", "c"]);
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Awaitable<T>>,
  options?: AsCompletedOptions,
): Coroutine<T>[] {
  checkAwaitables(aws, "asCompleted()", "awaitables");
  if (options !== undefined) {
    checkOptionNames(options, AS_COMPLETED_OPTIONS, "call asCompleted()");
  }
  const timeout = options?.timeout ?? null;
  if (
    timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))
  ) {
    throw new TypeError(
      `asCompleted()'s 'timeout' must be a number of seconds or null: received ${
        describeValue(timeout)
      }`,
    );
  }
  const items = new Set(aws);
  for (const item of items) checkAwaitable(item, "asCompleted()");
  const loop = getRunningLoop();
  const todo = new Set<Future<T>>();
  const made: Future<T>[] = [];
  try {
    for (const item of items) {
      const fut = toFuture(item, loop, "asCompleted()");
      if (fut !== item) made.push(fut);
      todo.add(fut);
    }
  } catch (error) {
    // Cancel the tasks made here, not the caller's own futures.
    for (const fut of made) fut.cancel();
    throw error;
  }
  // Finished futures in completion order; `null` marks a timeout. An item
  // stays here until a coroutine takes it, so a coroutine cancelled after
  // being woken loses nothing (as asyncio's Queue.get()).
  const arrived: Array<Future<T> | null> = [];
  // Wake-ups of the coroutines waiting for an arrival, oldest first.
  const getters: Future<void>[] = [];
  const wakeNext = () => {
    while (getters.length > 0) {
      const getter = getters.shift()!;
      if (!getter.done()) {
        getter.setResult();
        return;
      }
    }
  };
  const deliver = (item: Future<T> | null) => {
    arrived.push(item);
    wakeNext();
  };
  let timer: TimerHandle | null = null;
  const onCompletion = (fut: Future<T>) => {
    if (!todo.delete(fut)) return;
    deliver(fut);
    if (todo.size === 0) timer?.cancel();
  };
  for (const fut of todo) fut.addDoneCallback(onCompletion);
  if (todo.size > 0 && timeout !== null) {
    timer = loop.callLater(timeout, () => {
      for (const fut of todo) {
        fut.removeDoneCallback(onCompletion);
        deliver(null);
      }
      todo.clear();
    });
  }
  function* waitForOne(): Coroutine<T> {
    while (arrived.length === 0) {
      const getter = loop.createFuture<void>();
      getters.push(getter);
      try {
        yield* getter;
      } catch (error) {
        getter.cancel();
        const index = getters.indexOf(getter);
        if (index >= 0) getters.splice(index, 1);
        // Woken but cancelled before taking the item: pass the wake-up on.
        if (arrived.length > 0 && !getter.cancelled()) wakeNext();
        throw error;
      }
    }
    const item = arrived.shift()!;
    if (item === null) {
      throw new TimeoutError("asCompleted(): the time ran out");
    }
    return item.result();
  }
  const coros: Coroutine<T>[] = [];
  for (let i = 0; i < todo.size; i++) coros.push(waitForOne());
  return coros;
}

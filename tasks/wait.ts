/**
 * {@linkcode wait}: wait for some or all of a set of futures.
 *
 * @module
 */

import {
  checkOptionNames,
  type Coroutine,
  describeValue,
  isGenerator,
  isGeneratorFunction,
  isPromiseLike,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { WAIT_OPTIONS } from "./_options.ts";
import { Future } from "../eventloop/future.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { TimerHandle } from "../eventloop/handle.ts";
import { checkAwaitables } from "./_iterable.ts";

/**
 * `wait()` returns when any future finishes or is cancelled.
 *
 * asyncio: `asyncio.FIRST_COMPLETED`.
 *
 * @example The first of two sleeps
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, FIRST_COMPLETED, sleep, wait } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const fast = createTask(sleep(1, "fast"));
 *   const slow = createTask(sleep(5, "slow"));
 *   const [done, pending] = yield* wait([fast, slow], { returnWhen: FIRST_COMPLETED });
 *   assert.deepEqual([...done], [fast]);
 *   assert.deepEqual([...pending], [slow]);
 *   slow.cancel();
 * }(), { virtualTime: true });
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * `wait()` returns when any future finishes with an error, or when all are
 * done (a cancelled future does not count as an error).
 *
 * asyncio: `asyncio.FIRST_EXCEPTION`.
 *
 * @example Stopping at the first failure
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, FIRST_EXCEPTION, sleep, wait } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const failing = createTask(function* () {
 *     yield* sleep(1);
 *     throw new Error("boom");
 *   }());
 *   const slow = createTask(sleep(5));
 *   const [done, pending] = yield* wait([failing, slow], { returnWhen: FIRST_EXCEPTION });
 *   assert.deepEqual([...done], [failing]);
 *   assert.equal((failing.exception() as Error).message, "boom");
 *   assert.deepEqual([...pending], [slow]);
 *   slow.cancel();
 * }(), { virtualTime: true });
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * `wait()` returns when all futures are done (the default).
 *
 * asyncio: `asyncio.ALL_COMPLETED`.
 *
 * @example Waiting for everything
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { ALL_COMPLETED, createTask, sleep, wait } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const tasks = [1, 2, 3].map((n) => createTask(sleep(n, n)));
 *   const [done, pending] = yield* wait(tasks, { returnWhen: ALL_COMPLETED });
 *   assert.equal(done.size, 3);
 *   assert.equal(pending.size, 0);
 * }(), { virtualTime: true });
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When {@linkcode wait} returns. */
export type ReturnWhen =
  | typeof FIRST_COMPLETED
  | typeof FIRST_EXCEPTION
  | typeof ALL_COMPLETED;

/** Options of {@linkcode wait}. */
export interface WaitOptions {
  /**
   * Seconds to wait at most; when they run out, `wait` returns what is done
   * so far (it does not throw, and cancels nothing). `null` or `undefined`:
   * no limit.
   *
   * @default {undefined}
   */
  timeout?: number | null;
  /**
   * When to return: {@linkcode FIRST_COMPLETED}, {@linkcode FIRST_EXCEPTION}
   * or {@linkcode ALL_COMPLETED}.
   *
   * @default {ALL_COMPLETED}
   */
  returnWhen?: ReturnWhen;
}

/**
 * Waits until some or all of the futures (or tasks) are done, as
 * `returnWhen` says, or until `timeout` seconds pass, and returns
 * `[done, pending]` as two Sets of the futures given. Nothing is cancelled
 * and nothing is thrown for the futures' errors: look at each future.
 *
 * Coroutines are refused, as in asyncio 3.11+: wrap them with `createTask`
 * first, so that you hold the tasks that end up in the sets.
 *
 * asyncio: `asyncio.wait(aws, timeout=None, return_when=ALL_COMPLETED)`.
 *
 * @typeParam F The type of the futures.
 * @param aws The futures or tasks: any iterable (an array, a Set, a Map's
 * `values()`, an iterator helper such as `tasks.values().filter(...)`), but
 * not a generator object, which is a coroutine here: spread a generator's
 * items into an array first.
 * @param options `timeout` and `returnWhen`.
 * @returns A coroutine to `yield*`, giving `[done, pending]`.
 * @throws {TypeError} If `aws` is not an iterable of futures (coroutines and
 * promises included), an option is unknown, or `timeout` is not a number.
 * @throws {RangeError} If `aws` is empty or `returnWhen` is unknown.
 *
 * @example The first of several tasks to finish
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, FIRST_COMPLETED, sleep, wait } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const winner = await run(function* () {
 *   const tasks = [createTask(sleep(2, "slow")), createTask(sleep(1, "fast"))];
 *   const [done, pending] = yield* wait(tasks, { returnWhen: FIRST_COMPLETED });
 *   for (const task of pending) task.cancel();
 *   return [...done][0].result();
 * }, { virtualTime: true });
 * assert.equal(winner, "fast");
 * ```
 */
export function wait<F extends Future<unknown>>(
  aws: Iterable<F>,
  options?: WaitOptions,
): Coroutine<[Set<F>, Set<F>]> {
  checkAwaitables(aws, "wait()", "futures");
  if (options !== undefined) {
    checkOptionNames(options, WAIT_OPTIONS, "call wait()");
  }
  const futures = new Set(aws);
  if (futures.size === 0) {
    throw new RangeError(
      "wait() needs at least one future in 'aws': received an empty iterable",
    );
  }
  for (const fut of futures) {
    if (isGenerator(fut)) {
      throw new TypeError(
        "wait() does not accept coroutines: wrap each one with createTask() and pass the tasks",
      );
    }
    if (!(fut instanceof Future)) {
      const hint = isPromiseLike(fut)
        ? " (wrap a Promise with fromPromise())"
        : isGeneratorFunction(fut)
        ? " (call it and wrap the coroutine with createTask())"
        : "";
      throw new TypeError(
        `wait() expects futures or tasks in 'aws'${hint}: received ${
          describeValue(fut)
        }`,
      );
    }
  }
  const timeout = options?.timeout ?? null;
  if (
    timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))
  ) {
    throw new TypeError(
      `wait()'s 'timeout' must be a number of seconds or null: received ${
        describeValue(timeout)
      }`,
    );
  }
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new RangeError(
      `wait()'s 'returnWhen' must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED: received ${
        describeValue(returnWhen)
      }`,
    );
  }
  return watchCoroutine(waitCoroutine(futures, timeout, returnWhen), "wait");
}

function* waitCoroutine<F extends Future<unknown>>(
  futures: Set<F>,
  timeout: number | null,
  returnWhen: ReturnWhen,
): Coroutine<[Set<F>, Set<F>]> {
  const loop = getRunningLoop();
  const waiter = loop.createFuture<void>();
  let timer: TimerHandle | null = null;
  if (timeout !== null) {
    timer = loop.callLater(timeout, () => {
      if (!waiter.done()) waiter.setResult();
    });
  }
  let counter = futures.size;
  const onCompletion = (f: F) => {
    counter--;
    if (
      counter <= 0 || returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() &&
        f.exception() !== undefined)
    ) {
      timer?.cancel();
      if (!waiter.done()) waiter.setResult();
    }
  };
  for (const fut of futures) fut.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    timer?.cancel();
    for (const fut of futures) fut.removeDoneCallback(onCompletion);
  }
  const done = new Set<F>();
  const pending = new Set<F>();
  for (const fut of futures) (fut.done() ? done : pending).add(fut);
  return [done, pending];
}

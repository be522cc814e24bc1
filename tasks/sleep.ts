/**
 * {@linkcode sleep}: suspend a coroutine for a while.
 *
 * @module
 */

import { watchCoroutine } from "../eventloop/_never_awaited.ts";
import type { Future } from "../eventloop/future.ts";
import type { TimerHandle } from "../eventloop/handle.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Coroutine } from "../eventloop/_coroutine.ts";
import { checkDelay } from "../eventloop/_util.ts";
import { reuseError } from "./_reuse.ts";

/**
 * Suspends the calling coroutine for `delay` seconds and then returns
 * `result`. `sleep(0)` gives the loop exactly one turn, letting other tasks
 * run; `Infinity` sleeps until cancelled.
 *
 * asyncio: `asyncio.sleep()`.
 *
 * @typeParam T The type of `result`.
 * @param delay Seconds to sleep (0 or less: one turn of the loop).
 * @param result What to return.
 * @returns A coroutine to `yield*`.
 * @throws {TypeError} If `delay` is not a number or is NaN.
 *
 * @example Sleeping with a result
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const value = await run(function* () {
 *   return yield* sleep(0.01, "rested");
 * }());
 * assert.equal(value, "rested");
 * ```
 */
export function sleep(delay: number): Coroutine<void>;
/**
 * Suspends the calling coroutine for `delay` seconds and then returns
 * `result`.
 *
 * @typeParam T The type of `result`.
 * @param delay Seconds to sleep.
 * @param result What to return.
 * @returns A coroutine to `yield*`.
 *
 * @example Sleeping with a result
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await run(sleep(0, 5)), 5);
 * ```
 */
export function sleep<T>(delay: number, result: T): Coroutine<T>;
export function sleep<T>(delay: number, result?: T): Coroutine<T | undefined> {
  checkDelay(delay, "sleep()'s 'delay'");
  return watchCoroutine(
    new Sleep(delay, result) as unknown as Coroutine<T | undefined>,
    "sleep",
  );
}

/** Taken by `yield*` or a task (its `[Symbol.iterator]` ran), not started. */
const CLAIMED = -1;
const START = 0;
const WAITING = 1;
const DONE = 2;

/**
 * sleep() as a hand-written coroutine: it behaves as the generator
 *
 *     if (delay <= 0) { yield; return result; }
 *     timer = loop.callLater(delay, ...); try { return yield* fut } finally { timer.cancel() }
 *
 * but costs a fraction of a generator, and `sleep(0)` is on the hot path of
 * every cooperative loop. Extending the built-in Iterator gives it the
 * iterator helpers a Generator has. Like a generator, it runs once: a second
 * `yield*` (or task) of the same `sleep()` throws (see tasks/_reuse.ts).
 */
class Sleep<T> extends Iterator<Future<unknown> | undefined, T, unknown> {
  #delay: number;
  #result: T;
  #state = START;
  #future: Future<T> | null = null;
  #timer: TimerHandle | null = null;

  constructor(delay: number, result: T) {
    super();
    this.#delay = delay;
    this.#result = result;
  }

  override next(): IteratorResult<Future<unknown> | undefined, T> {
    if (this.#state <= START) {
      this.#state = WAITING;
      const delay = this.#delay;
      if (delay <= 0) return { done: false, value: undefined };
      const loop = getRunningLoop();
      const future = loop.createFuture<T>();
      this.#future = future;
      if (delay !== Infinity) {
        this.#timer = loop.callLater(
          delay,
          setResultUnlessDone,
          future,
          this.#result,
        );
      }
      return { done: false, value: future as Future<unknown> };
    }
    if (this.#state === WAITING) {
      this.#state = DONE;
      const future = this.#future;
      if (future === null) return { done: true, value: this.#result };
      this.#cleanUp();
      return { done: true, value: future.result() };
    }
    return { done: true, value: undefined as T };
  }

  override throw(
    error: unknown,
  ): IteratorResult<Future<unknown> | undefined, T> {
    this.#state = DONE;
    this.#cleanUp();
    throw error;
  }

  override return(value?: T): IteratorResult<Future<unknown> | undefined, T> {
    this.#state = DONE;
    this.#cleanUp();
    return { done: true, value: value as T };
  }

  override [Symbol.iterator](): this {
    if (this.#state !== START) {
      throw reuseError("sleep()", this.#state !== DONE);
    }
    this.#state = CLAIMED;
    return this;
  }

  #cleanUp(): void {
    if (this.#timer !== null) {
      this.#timer.cancel();
      this.#timer = null;
    }
  }
}

function setResultUnlessDone<T>(future: Future<T>, result: T): void {
  if (!future.done()) future.setResult(result);
}

/**
 * {@linkcode sleep}: suspend a coroutine for a while.
 *
 * @module
 */

import type { Future } from "../eventloop/future.ts";
import type { TimerHandle } from "../eventloop/handle.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import {
  checkDelay,
  type Coroutine,
  type HandBuilt,
  handBuilt,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";

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
  return watchCoroutine(new Sleep(delay, result), "sleep");
}

/**
 * sleep(), hand-built (see eventloop/_coroutine.ts):
 * it behaves as the generator
 *
 *     if (delay <= 0) { yield; return result }
 *     timer = loop.callLater(delay, ...); try { return yield* fut }
 *     finally { timer.cancel() }
 *
 * at a fraction of a generator's cost: `sleep(0)` is the step of every
 * cooperative loop, and a generator made `deno task bench`'s task-step row
 * half as fast again.
 */
interface Sleep<T> extends Coroutine<T> {}
class Sleep<T> implements HandBuilt<T> {
  _runState = 0;
  #delay: number;
  #result: T;
  #started = false;
  #future: Future<T> | null = null;
  #timer: TimerHandle | null = null;

  constructor(delay: number, result: T) {
    this.#delay = delay;
    this.#result = result;
  }

  _step(): IteratorResult<Future<unknown> | undefined, T> {
    if (!this.#started) {
      this.#started = true;
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
      return { done: false, value: future };
    }
    const future = this.#future;
    if (future === null) return { done: true, value: this.#result };
    this._leave();
    return { done: true, value: future.result() };
  }

  _leave(): void {
    if (this.#timer !== null) {
      this.#timer.cancel();
      this.#timer = null;
    }
  }
}

handBuilt(Sleep, "sleep()");

function setResultUnlessDone<T>(future: Future<T>, result: T): void {
  if (!future.done()) future.setResult(result);
}

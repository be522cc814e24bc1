/**
 * {@linkcode LifoQueue}: a queue that gives the newest item first.
 *
 * @module
 */

import { Queue } from "./queue.ts";

/**
 * A {@linkcode Queue} that gives the most recently put item first (a
 * stack), with the same waiting, `taskDone()`/`join()` and `shutdown()`.
 *
 * asyncio: `asyncio.LifoQueue`.
 *
 * @typeParam T The type of the items.
 *
 * @example Last in, first out
 * ```ts
 * import { LifoQueue } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const stack = new LifoQueue<string>();
 * for (const page of ["home", "docs", "api"]) stack.putNowait(page);
 * assert.equal(stack.getNowait(), "api");
 * assert.equal(stack.getNowait(), "docs");
 * assert.equal(stack.qsize(), 1);
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  #stack: T[] = [];

  /** @ignore @internal */
  override _size(): number {
    return this.#stack.length;
  }

  /** @ignore @internal */
  override _items(): T[] {
    return this.#stack.slice();
  }

  /** @ignore @internal */
  override _put(item: T): void {
    this.#stack.push(item);
  }

  /** @ignore @internal */
  override _get(): T {
    return this.#stack.pop() as T;
  }
}

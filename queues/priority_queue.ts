/**
 * {@linkcode PriorityQueue}: a queue that gives the smallest item first.
 *
 * @module
 */

import { Queue } from "./queue.ts";
import { pythonOrder } from "./_compare.ts";
import {
  checkOptionNames,
  describeValue,
  type OptionNames,
} from "../eventloop/_lowlevel.ts";

/** Options of the {@linkcode PriorityQueue} constructor. */
export interface PriorityQueueOptions<T> {
  /**
   * Orders two items: negative if `a` comes out first, positive if `b`
   * does, 0 if either may.
   *
   * @default {Python's order: numbers by value, strings by characters,
   * arrays element by element like tuples; other items throw a TypeError}
   */
  compare?: (a: T, b: T) => number;
}

const PRIORITY_QUEUE_OPTIONS: OptionNames<PriorityQueueOptions<unknown>> = {
  compare: true,
};

/**
 * A {@linkcode Queue} that gives the smallest item first, as ordered by the
 * `compare` option. The default order is Python's, so the usual asyncio
 * idiom of `[priority, data]` entries works: `[1, "x"]` comes before
 * `[2, "a"]`. As in Python, two entries whose priorities tie are ordered by
 * their next element, which must then be comparable too (add a sequence
 * number, or pass `compare`). Items that cannot be ordered make `put()`
 * throw a TypeError, and the queue is left unchanged.
 *
 * asyncio: `asyncio.PriorityQueue`.
 *
 * @typeParam T The type of the items.
 *
 * @example Smallest priority first
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { PriorityQueue } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const queue = new PriorityQueue<[number, string]>();
 * queue.putNowait([3, "low"]);
 * queue.putNowait([1, "urgent"]);
 * queue.putNowait([2, "normal"]);
 * const order = await run(function* () {
 *   const out: string[] = [];
 *   while (!queue.empty()) out.push((yield* queue.get())[1]);
 *   return out;
 * }());
 * assert.deepEqual(order, ["urgent", "normal", "low"]);
 * ```
 *
 * @example A comparator for objects
 * ```ts
 * import { PriorityQueue } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * interface Job { deadline: number; name: string }
 * const queue = new PriorityQueue<Job>(0, {
 *   compare: (a, b) => a.deadline - b.deadline,
 * });
 * queue.putNowait({ deadline: 20, name: "later" });
 * queue.putNowait({ deadline: 10, name: "sooner" });
 * assert.equal(queue.getNowait().name, "sooner");
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  #heap: T[] = [];
  #compare: (a: T, b: T) => number;

  /**
   * Makes a priority queue.
   *
   * @param maxsize The most items it holds; 0 or less for no limit
   * (default 0).
   * @param options The order of the items.
   * @throws {RangeError} If `maxsize` is not an integer.
   * @throws {TypeError} If `maxsize` is not a number, an option is unknown,
   * or `compare` is given and is not a function.
   */
  constructor(maxsize?: number, options?: PriorityQueueOptions<T>) {
    super(maxsize);
    if (options !== undefined) {
      checkOptionNames(options, PRIORITY_QUEUE_OPTIONS, "create PriorityQueue");
    }
    const compare = options?.compare;
    if (compare !== undefined && typeof compare !== "function") {
      throw new TypeError(
        `Cannot create PriorityQueue as 'compare' must be a function: received ${
          describeValue(compare)
        }`,
      );
    }
    this.#compare = compare ?? pythonOrder;
  }

  /** @ignore @internal */
  override _size(): number {
    return this.#heap.length;
  }

  /** @ignore @internal The heap, as asyncio shows it. */
  override _items(): T[] {
    return this.#heap.slice();
  }

  /**
   * @internal Sifts up. Every comparison runs before the heap is touched,
   * so a comparator that throws leaves it as it was.
   * @ignore
   */
  override _put(item: T): void {
    const heap = this.#heap;
    const compare = this.#compare;
    let pos = heap.length;
    const path: number[] = [];
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!(compare(item, heap[parent]) < 0)) break;
      path.push(parent);
      pos = parent;
    }
    let hole = heap.length;
    heap.push(item);
    for (const parent of path) {
      heap[hole] = heap[parent];
      hole = parent;
    }
    heap[hole] = item;
  }

  /**
   * @internal Sifts down, again comparing before moving anything, so that
   * a comparator that throws loses no item.
   * @ignore
   */
  override _get(): T {
    const heap = this.#heap;
    const compare = this.#compare;
    const top = heap[0];
    const n = heap.length - 1;
    if (n === 0) {
      heap.pop();
      return top;
    }
    const last = heap[n];
    const path: number[] = [];
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && compare(heap[child + 1], heap[child]) < 0) {
        child++;
      }
      if (!(compare(heap[child], last) < 0)) break;
      path.push(child);
      pos = child;
    }
    heap.pop();
    let hole = 0;
    for (const child of path) {
      heap[hole] = heap[child];
      hole = child;
    }
    heap[hole] = last;
    return top;
  }
}

/**
 * {@linkcode Queue}: a FIFO queue for producer and consumer tasks.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import type { Future } from "../eventloop/future.ts";
import {
  type Coroutine,
  describeValue,
  type HandBuilt,
  handBuilt,
  LoopBinding,
  ParkingLot,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.ts";

/**
 * A first-in, first-out queue for tasks. With a positive `maxsize`, `put()`
 * suspends while the queue is full; `get()` suspends while it is empty.
 * `putNowait()` and `getNowait()` never suspend: they throw
 * {@linkcode QueueFull} / {@linkcode QueueEmpty} instead.
 *
 * No item is lost or duplicated when a `get()` or `put()` is cancelled: a
 * cancelled `get()` takes nothing (an item it was woken for stays for the
 * next getter, who is woken in its place), and a cancelled `put()` adds
 * nothing (a free slot it was woken for goes to the next putter).
 *
 * `taskDone()` and `join()` track when every item put has been processed;
 * `shutdown()` stops the queue (asyncio 3.13). Calls that do not need to
 * wait do not suspend, so a producer can fill the queue in one step.
 *
 * asyncio: `asyncio.Queue`.
 *
 * @typeParam T The type of the items.
 *
 * @example A producer and two workers
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Queue } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const queue = new Queue<number>(2);
 * const done: string[] = [];
 * function* worker(name: string) {
 *   for (;;) {
 *     const job = yield* queue.get();
 *     yield* sleep(job);
 *     done.push(`${name}:${job}`);
 *     queue.taskDone();
 *   }
 * }
 * await run(function* () {
 *   const workers = [createTask(worker("a")), createTask(worker("b"))];
 *   for (const job of [3, 1, 1, 2]) yield* queue.put(job);
 *   yield* queue.join();
 *   for (const w of workers) w.cancel();
 * }(), { virtualTime: true });
 * assert.deepEqual(done, ["b:1", "b:1", "a:3", "b:2"]);
 * ```
 */
export class Queue<T> {
  #maxsize: number;
  // The waiters (eventloop/_parking_lot.ts), bound to one loop together. A
  // getter woken for an item, or a putter for a free slot, that leaves
  // without it passes the wake-up on while the item or slot is still there.
  #binding = new LoopBinding(this);
  /** @ignore @internal The tasks waiting in get(). */
  _getters: ParkingLot<void> = new ParkingLot(this, {
    binding: this.#binding,
    handOff: () => {
      if (this._size() > 0) this._getters.unparkFirst();
    },
  });
  /** @ignore @internal The tasks waiting in put(). */
  _putters: ParkingLot<void> = new ParkingLot(this, {
    binding: this.#binding,
    handOff: () => {
      if (!this.full()) this._putters.unparkFirst();
    },
  });
  /** @ignore @internal Set by shutdown(). */
  _isShutdown = false;
  #unfinished = 0;
  /** The tasks waiting in join(), all woken at once. */
  #joiners: ParkingLot<void> = new ParkingLot(this, {
    binding: this.#binding,
    handOff: () => {},
  });
  /** The FIFO storage: `#items[#head..]`; the base class's only. */
  #items: T[] = [];
  #head = 0;

  /**
   * Makes a queue that holds at most `maxsize` items (0 or less: no limit).
   *
   * @param maxsize The most items the queue holds; 0 or less for no limit
   * (default 0).
   * @throws {RangeError} If `maxsize` is not an integer.
   * @throws {TypeError} If `maxsize` is not a number.
   */
  constructor(maxsize?: number) {
    if (maxsize === undefined) maxsize = 0;
    if (typeof maxsize !== "number" || !Number.isInteger(maxsize)) {
      const message =
        `Cannot create ${new.target.name} as 'maxsize' must be an integer: received ${
          describeValue(maxsize)
        }`;
      throw typeof maxsize === "number" && !Number.isNaN(maxsize)
        ? new RangeError(message)
        : new TypeError(message);
    }
    this.#maxsize = maxsize;
  }

  /**
   * The most items the queue holds; 0 or less means no limit.
   *
   * asyncio: `Queue.maxsize`.
   *
   * @returns The number given to the constructor.
   */
  get maxsize(): number {
    return this.#maxsize;
  }

  /**
   * How many items the queue holds now.
   *
   * asyncio: `Queue.qsize()`.
   *
   * @returns The count.
   */
  qsize(): number {
    return this._size();
  }

  /**
   * Whether the queue holds no item.
   *
   * asyncio: `Queue.empty()`.
   *
   * @returns `true` if `getNowait()` would throw.
   */
  empty(): boolean {
    return this._size() === 0;
  }

  /**
   * Whether the queue holds `maxsize` items (never, without a limit).
   *
   * asyncio: `Queue.full()`.
   *
   * @returns `true` if `putNowait()` would throw.
   */
  full(): boolean {
    return this.#maxsize > 0 && this._size() >= this.#maxsize;
  }

  /**
   * Puts an item, suspending while the queue is full.
   *
   * asyncio: `Queue.put()`.
   *
   * @param item The item.
   * @returns A coroutine to `yield*`.
   * @throws {QueueShutDown} If the queue is shut down (also while waiting).
   * @throws {CancelledError} If the task is cancelled while waiting; the
   * item was then not put.
   */
  put(item: T): Coroutine<void> {
    return watchCoroutine(new QueuePut(this, item), "Queue.put");
  }

  /**
   * Puts an item without suspending.
   *
   * asyncio: `Queue.put_nowait()`.
   *
   * @param item The item.
   * @throws {QueueFull} If the queue holds `maxsize` items.
   * @throws {QueueShutDown} If the queue is shut down.
   */
  putNowait(item: T): void {
    if (this._isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._put(item);
    this.#unfinished++;
    this._getters.unparkFirst();
  }

  /**
   * Removes and returns an item, suspending while the queue is empty.
   *
   * asyncio: `Queue.get()`.
   *
   * @returns A coroutine to `yield*`; it returns the item.
   * @throws {QueueShutDown} If the queue is shut down and empty (also while
   * waiting).
   * @throws {CancelledError} If the task is cancelled while waiting; no item
   * was then taken.
   */
  get(): Coroutine<T> {
    return watchCoroutine(new QueueGet(this), "Queue.get");
  }

  /**
   * Removes and returns an item without suspending.
   *
   * asyncio: `Queue.get_nowait()`.
   *
   * @returns The item.
   * @throws {QueueEmpty} If the queue is empty.
   * @throws {QueueShutDown} If the queue is empty and shut down.
   */
  getNowait(): T {
    if (this._size() === 0) {
      throw this._isShutdown ? new QueueShutDown() : new QueueEmpty();
    }
    const item = this._get();
    this._putters.unparkFirst();
    return item;
  }

  /**
   * Marks one item taken with `get()` as processed. When every item put has
   * been marked, `join()` returns.
   *
   * asyncio: `Queue.task_done()`.
   *
   * @throws {Error} If called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new Error(
        "Queue.taskDone() called too many times: every item put is already marked done",
      );
    }
    if (--this.#unfinished === 0) this.#finished();
  }

  /**
   * Waits until every item put has been marked processed with `taskDone()`
   * (returns at once if they all are).
   *
   * asyncio: `Queue.join()`.
   *
   * @returns A coroutine to `yield*`.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  join(): Coroutine<void> {
    return watchCoroutine(this.#join(), "Queue.join");
  }

  *#join(): Coroutine<void> {
    if (this.#unfinished > 0) yield* this.#joiners.park();
  }

  /**
   * Shuts the queue down: `put()` and `putNowait()` throw
   * {@linkcode QueueShutDown} from now on, and so do `get()` and
   * `getNowait()` once the queue is empty. Tasks waiting in `put()` or
   * `get()` are woken to see it. With `immediate`, the items left are
   * dropped (and counted as done for `join()`), so `get()` throws at once.
   *
   * asyncio: `Queue.shutdown()` (3.13).
   *
   * @param immediate Drop the items left in the queue (default `false`).
   * @throws {TypeError} If `immediate` is not a boolean.
   */
  shutdown(immediate?: boolean): void {
    if (immediate !== undefined && typeof immediate !== "boolean") {
      throw new TypeError(
        `Cannot shut the queue down as 'immediate' must be a boolean: received ${
          describeValue(immediate)
        }`,
      );
    }
    this._isShutdown = true;
    if (immediate) {
      while (this._size() > 0) {
        this._get();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#finished();
    }
    this._getters.unparkAll();
    this._putters.unparkAll();
  }

  /**
   * A short description for logs, as asyncio's `str(queue)` gives it: the
   * items in storage order (a `PriorityQueue` shows its heap), then the
   * waiting getters and putters, the unfinished tasks, and `shutdown`.
   *
   * @returns For example `<Queue maxsize=2 _queue=[1, 'a'] tasks=2>`.
   *
   * @example What a queue holds
   * ```ts
   * import { Queue } from "@asyncio/asyncio/queues";
   * import assert from "node:assert/strict";
   *
   * const queue = new Queue<number | string>();
   * queue.putNowait(1);
   * queue.putNowait("a");
   * assert.equal(String(queue), "<Queue maxsize=0 _queue=[1, 'a'] tasks=2>");
   * ```
   */
  toString(): string {
    let text = `<${this.constructor.name} maxsize=${this.#maxsize}`;
    if (this._size() > 0) text += ` _queue=${pythonRepr(this._items())}`;
    // asyncio's lists drop a waiter when they wake it.
    const getters = this._getters.parked;
    const putters = this._putters.parked;
    if (getters > 0) text += ` _getters[${getters}]`;
    if (putters > 0) text += ` _putters[${putters}]`;
    if (this.#unfinished > 0) text += ` tasks=${this.#unfinished}`;
    if (this._isShutdown) text += " shutdown";
    return text + ">";
  }

  // The storage, overridden by PriorityQueue and LifoQueue (asyncio's
  // `_init`, `_put`, `_get`).

  /** @ignore @internal How many items are stored. */
  _size(): number {
    return this.#items.length - this.#head;
  }

  /** @ignore @internal The items, in storage order (a copy). */
  _items(): T[] {
    return this.#items.slice(this.#head);
  }

  /** @ignore @internal Stores an item. */
  _put(item: T): void {
    this.#items.push(item);
  }

  /** @ignore @internal Removes the next item; only called when there is one. */
  _get(): T {
    const items = this.#items;
    const head = this.#head;
    const item = items[head];
    items[head] = undefined as T;
    if (head + 1 === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (head >= 1024 && head * 2 >= items.length) {
      // Compact once the consumed prefix is most of the array.
      this.#items = items.slice(head + 1);
      this.#head = 0;
    } else {
      this.#head = head + 1;
    }
    return item;
  }

  #finished(): void {
    this.#joiners.unparkAll();
  }
}

/**
 * An item as Python's `repr()` shows it, for the text form of a queue:
 * strings in quotes, arrays as lists, plain objects as dicts, anything else
 * as JavaScript prints it.
 */
function pythonRepr(value: unknown, depth = 0): string {
  if (typeof value === "string") {
    return value.includes("'") && !value.includes('"')
      ? `"${value}"`
      : `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  }
  if (Array.isArray(value)) {
    if (depth > 3) return "[...]";
    return `[${value.map((item) => pythonRepr(item, depth + 1)).join(", ")}]`;
  }
  if (
    typeof value === "object" && value !== null &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    if (depth > 3) return "{...}";
    return `{${
      Object.entries(value).map(([key, item]) =>
        `${pythonRepr(key)}: ${pythonRepr(item, depth + 1)}`
      ).join(", ")
    }}`;
  }
  try {
    return String(value);
  } catch {
    return "<unprintable>";
  }
}

// asyncio's Queue.get() and Queue.put(), hand-built (see
// eventloop/_coroutine.ts): they behave as
//
//     while (queue.empty()) {           // put(): while (queue.full())
//       if (queue._isShutdown) throw new QueueShutDown();
//       yield* queue._getters.park();   // put(): queue._putters
//     }
//     return queue.getNowait();         // put(): queue.putNowait(item)
//
// putNowait() wakes the first getter and getNowait() the first putter;
// shutdown() wakes them all; a getter (putter) that leaves with the wake-up
// passes it on while the item (the free slot) is still there (the lots'
// hand-off). Hand-built because the generators made `deno task bench`'s
// Queue row a third slower: most calls need not wait, and then the
// generator is most of the cost.

interface QueueGet<T> extends Coroutine<T> {}
class QueueGet<T> implements HandBuilt<T> {
  _runState = 0;
  #queue: Queue<T>;
  #park: Coroutine<void> | null = null;

  constructor(queue: Queue<T>) {
    this.#queue = queue;
  }

  _step(value: unknown): IteratorResult<Future<unknown> | undefined, T> {
    const queue = this.#queue;
    const park = this.#park;
    if (park !== null) {
      this.#park = null;
      park.next(value);
    }
    while (queue._size() === 0) {
      if (queue._isShutdown) throw new QueueShutDown();
      const parking = queue._getters.park();
      const suspended = parking.next();
      if (!suspended.done) {
        this.#park = parking;
        return suspended;
      }
    }
    return { done: true, value: queue.getNowait() };
  }

  _leave(): void {
    const park = this.#park;
    if (park !== null) {
      this.#park = null;
      park.return();
    }
  }
}
handBuilt(QueueGet, "queue.get()");

interface QueuePut<T> extends Coroutine<void> {}
class QueuePut<T> implements HandBuilt<void> {
  _runState = 0;
  #queue: Queue<T>;
  #item: T;
  #park: Coroutine<void> | null = null;

  constructor(queue: Queue<T>, item: T) {
    this.#queue = queue;
    this.#item = item;
  }

  _step(value: unknown): IteratorResult<Future<unknown> | undefined, void> {
    const queue = this.#queue;
    const park = this.#park;
    if (park !== null) {
      this.#park = null;
      park.next(value);
    }
    while (queue.full()) {
      if (queue._isShutdown) throw new QueueShutDown();
      const parking = queue._putters.park();
      const suspended = parking.next();
      if (!suspended.done) {
        this.#park = parking;
        return suspended;
      }
    }
    queue.putNowait(this.#item);
    return { done: true, value: undefined };
  }

  _leave(): void {
    const park = this.#park;
    if (park !== null) {
      this.#park = null;
      park.return();
    }
  }
}
handBuilt(QueuePut, "queue.put()");

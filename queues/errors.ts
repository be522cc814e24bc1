/**
 * The errors of the queues: {@linkcode QueueEmpty}, {@linkcode QueueFull} and
 * {@linkcode QueueShutDown}.
 *
 * @module
 */

/**
 * Thrown by `getNowait()` when the queue has no item.
 *
 * asyncio: `asyncio.QueueEmpty`.
 *
 * @example Getting from an empty queue
 * ```ts
 * import { Queue, QueueEmpty } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new Queue<number>().getNowait(), QueueEmpty);
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   */
  constructor(message?: string) {
    super(message ?? "The queue is empty");
    this.name = "QueueEmpty";
  }
}

/**
 * Thrown by `putNowait()` when the queue already holds `maxsize` items.
 *
 * asyncio: `asyncio.QueueFull`.
 *
 * @example Putting into a full queue
 * ```ts
 * import { Queue, QueueFull } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const queue = new Queue<number>(1);
 * queue.putNowait(1);
 * assert.throws(() => queue.putNowait(2), QueueFull);
 * ```
 */
export class QueueFull extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   */
  constructor(message?: string) {
    super(message ?? "The queue is full");
    this.name = "QueueFull";
  }
}

/**
 * Thrown by `put()` and `putNowait()` once the queue is shut down, and by
 * `get()` and `getNowait()` once it is shut down and empty.
 *
 * asyncio: `asyncio.QueueShutDown` (3.13).
 *
 * @example Putting into a shut-down queue
 * ```ts
 * import { Queue, QueueShutDown } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const queue = new Queue<number>();
 * queue.shutdown();
 * assert.throws(() => queue.putNowait(1), QueueShutDown);
 * ```
 */
export class QueueShutDown extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened.
   */
  constructor(message?: string) {
    super(message ?? "The queue is shut down");
    this.name = "QueueShutDown";
  }
}

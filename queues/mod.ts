/**
 * Queues for producer and consumer tasks: `Queue` (FIFO), `PriorityQueue`
 * and `LifoQueue`, with `QueueEmpty`, `QueueFull` and `QueueShutDown`, as in
 * asyncio 3.13. `put()`, `get()` and `join()` are coroutines; the others are
 * plain methods. No item is lost or duplicated when a waiting `get()` or
 * `put()` is cancelled.
 *
 * @example A bounded producer/consumer pipeline
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask } from "@asyncio/asyncio/tasks";
 * import { Queue, QueueShutDown } from "@asyncio/asyncio/queues";
 * import assert from "node:assert/strict";
 *
 * const queue = new Queue<number>(10);
 * const total = await run(function* () {
 *   const consumer = createTask(function* () {
 *     let sum = 0;
 *     for (;;) {
 *       try {
 *         sum += yield* queue.get();
 *       } catch (error) {
 *         if (error instanceof QueueShutDown) return sum;
 *         throw error;
 *       }
 *     }
 *   }());
 *   for (let i = 1; i <= 100; i++) yield* queue.put(i);
 *   queue.shutdown();
 *   return yield* consumer;
 * }());
 * assert.equal(total, 5050);
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./lifo_queue.ts";
export * from "./priority_queue.ts";
export * from "./queue.ts";

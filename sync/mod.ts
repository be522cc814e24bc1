/**
 * Synchronization primitives for tasks: `Lock`, `Event`, `Condition`,
 * `Semaphore`, `BoundedSemaphore`, `Barrier` and `BrokenBarrierError`, with
 * asyncio's semantics — FIFO fairness, and no wake-up lost when a waiter is
 * cancelled. They are not thread-safe (Deno has no shared-memory threads on
 * one loop) and bind to the running loop on first use.
 *
 * Operations that can wait are coroutines (`yield* lock.acquire()`,
 * `yield* event.wait()`); the others are plain methods (`lock.release()`,
 * `event.set()`). `hold()` turns asyncio's `async with lock:` into
 * `using _ = yield* lock.hold();`.
 *
 * @example Two tasks taking turns on a lock
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Lock } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * const log: string[] = [];
 * function* worker(name: string) {
 *   for (let i = 0; i < 2; i++) {
 *     using _ = yield* lock.hold();
 *     log.push(name);
 *     yield* sleep(0);
 *   }
 * }
 * await run(function* () {
 *   const a = createTask(worker("a"));
 *   const b = createTask(worker("b"));
 *   yield* a;
 *   yield* b;
 * }());
 * assert.deepEqual(log, ["a", "b", "a", "b"]);
 * ```
 *
 * @module
 */

export * from "./barrier.ts";
export * from "./condition.ts";
export * from "./event.ts";
export * from "./lock.ts";
export * from "./semaphore.ts";

/**
 * Tasks and the coroutine toolkit: `Task`, `createTask`, `sleep`,
 * `ensureFuture`, `fromPromise`, `currentTask`, `allTasks`; and structured
 * concurrency: `gather`, `shield`, `waitFor`, `wait`, `asCompleted`,
 * `timeout`/`timeoutAt`, `TaskGroup`/`taskGroup`, `ExceptionGroup`,
 * `eagerTaskFactory`.
 *
 * @example Two tasks interleaving
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: number[] = [];
 * await run(function* () {
 *   const t = createTask(function* () {
 *     for (let i = 1; i <= 3; i += 2) { log.push(i); yield* sleep(1); }
 *   }());
 *   for (let i = 0; i <= 2; i += 2) { log.push(i); yield* sleep(1); }
 *   yield* t;
 * }(), { virtualTime: true });
 * assert.deepEqual(log, [0, 1, 2, 3]);
 * ```
 *
 * @example A task group under a deadline
 * ```ts
 * import { run, TimeoutError } from "@asyncio/asyncio/eventloop";
 * import { sleep, taskGroup, timeout } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const outcome = await run(function* () {
 *   try {
 *     yield* timeout(5, taskGroup(function* (tg) {
 *       tg.createTask(sleep(1));
 *       tg.createTask(sleep(60)); // too slow: cancelled at the deadline
 *     }));
 *     return "all done";
 *   } catch (error) {
 *     return error instanceof TimeoutError ? "timed out" : "failed";
 *   }
 * }, { virtualTime: true });
 * assert.equal(outcome, "timed out");
 * ```
 *
 * @module
 */

export * from "./as_completed.ts";
export * from "./call_graph.ts";
export * from "./coroutine.ts";
export * from "./create_task.ts";
export * from "./eager_task_factory.ts";
export * from "./ensure_future.ts";
export * from "./exception_group.ts";
export * from "./from_promise.ts";
export * from "./gather.ts";
export * from "./shield.ts";
export * from "./sleep.ts";
export * from "./task.ts";
export * from "./to_thread.ts";
export * from "./task_group.ts";
export * from "./timeout.ts";
export * from "./wait.ts";
export * from "./wait_for.ts";

/**
 * {@linkcode eagerTaskFactory}: tasks that start running at once.
 *
 * @module
 */

import type { EventLoop, TaskFactoryOptions } from "../eventloop/event_loop.ts";
import type { Coroutine } from "../eventloop/_coroutine.ts";
import { Task } from "./task.ts";

/**
 * A task factory for `loop.setTaskFactory()` that makes eager tasks: a new
 * task runs its coroutine synchronously, inside `createTask`, up to its first
 * suspension. A coroutine that finishes without suspending gives a task that
 * is already done, and never costs a turn of the loop. Order of side effects
 * changes accordingly: the task's first step runs before the code that
 * follows `createTask`.
 *
 * asyncio: `asyncio.eager_task_factory` (3.12).
 *
 * @typeParam T The coroutine's result type.
 * @param loop The loop (given by `createTask`).
 * @param coro The coroutine.
 * @param options The task's name.
 * @returns The task, possibly already done.
 *
 * @example A task that finishes inside createTask
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, eagerTaskFactory } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 *   const task = createTask(function* () {
 *     log.push("child ran");
 *     return 1;
 *   }());
 *   log.push("after createTask");
 *   assert.ok(task.done());
 *   assert.equal(task.result(), 1);
 * });
 * assert.deepEqual(log, ["child ran", "after createTask"]);
 * ```
 */
export function eagerTaskFactory<T>(
  loop: EventLoop,
  coro: Coroutine<T>,
  options: TaskFactoryOptions,
): Task<T> {
  return new Task<T>(coro, {
    loop,
    name: options?.name,
    eagerStart: true,
  });
}

/**
 * {@linkcode createTask}, {@linkcode currentTask} and {@linkcode allTasks}.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Task } from "./task.ts";
import { cancelOnAbort, checkLoop, checkSignal } from "./_signal.ts";
import {
  builtOptions,
  checkCoroutine,
  checkedCoro,
  checkOptionNames,
  type Coroutine,
  currentTaskOf,
  tasksOf,
} from "../eventloop/_lowlevel.ts";
import { CREATE_TASK_OPTIONS } from "./_options.ts";

/** Options of {@linkcode createTask}. */
export interface CreateTaskOptions {
  /**
   * The task's name.
   *
   * @default {"Task-N"}
   */
  name?: string;
  /**
   * When this signal aborts, the task is cancelled (at once if it has
   * already aborted), as if `task.cancel()` were called. The cancel message
   * is the abort reason's message.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Run the task's first step at once, inside `createTask`, up to the
   * coroutine's first suspension (asyncio 3.14's `eager_start`). `false`
   * schedules it on the next pass even when an eager task factory is set;
   * left out, the loop's task factory decides (the default one schedules
   * it).
   *
   * @default {undefined}
   */
  eagerStart?: boolean;
}

/**
 * Starts a coroutine as a task on the running loop; it runs from the next
 * pass on, concurrently with the caller.
 *
 * Keep a reference to the task (or put it in a `TaskGroup`): its error is
 * only seen by whoever waits for it.
 *
 * asyncio: `asyncio.create_task()`.
 *
 * @typeParam T The coroutine's result type.
 * @param coro The coroutine.
 * @param options The task's name, a signal that cancels it, and
 * `eagerStart`.
 * @returns The task.
 * @throws {Error} If no loop is running.
 * @throws {TypeError} If `coro` is not a coroutine, an option is unknown,
 * `signal` is not an AbortSignal, or `eagerStart` is not a boolean.
 *
 * @example Two tasks running side by side
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * function* say(what: string, delay: number) {
 *   yield* sleep(delay);
 *   log.push(what);
 * }
 * await run(function* () {
 *   const a = createTask(say("world", 2), { name: "a" });
 *   const b = createTask(say("hello", 1));
 *   yield* a;
 *   yield* b;
 *   assert.equal(a.getName(), "a");
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["hello", "world"]);
 * ```
 *
 * @example An AbortSignal cancels the task
 * ```ts
 * import { CancelledError, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const outcome = await run(function* () {
 *   const task = createTask(sleep(3600), { signal: controller.signal });
 *   yield* sleep(1);
 *   controller.abort();
 *   try {
 *     yield* task;
 *     return "finished";
 *   } catch (error) {
 *     return error instanceof CancelledError ? "cancelled" : "failed";
 *   }
 * }(), { virtualTime: true });
 * assert.equal(outcome, "cancelled");
 * ```
 *
 * @example An eager task starts inside createTask
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   const task = createTask(function* () {
 *     log.push("child starts");
 *     yield* sleep(1);
 *     log.push("child ends");
 *   }(), { eagerStart: true });
 *   log.push("parent goes on");
 *   yield* task;
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["child starts", "parent goes on", "child ends"]);
 * ```
 */
export function createTask<T>(
  coro: Coroutine<T>,
  options?: CreateTaskOptions,
): Task<T> {
  checkCoroutine(coro, "createTask()");
  if (options === undefined || options === null) {
    const loop = getRunningLoop();
    checkedCoro.next = coro;
    return loop.createTask(coro);
  }
  checkOptionNames(options, CREATE_TASK_OPTIONS, "call createTask()");
  if (!("signal" in options)) {
    // Only the loop's names are left: it checks their values, not the names.
    const loop = getRunningLoop();
    builtOptions.next = options;
    checkedCoro.next = coro;
    return loop.createTask(coro, options);
  }
  const signal = options.signal;
  // Checked before the task is made: a bad signal starts nothing.
  if (signal !== undefined) checkSignal(signal, "createTask()");
  const task = getRunningLoop().createTask(coro, {
    name: options.name,
    eagerStart: options.eagerStart,
  });
  if (signal !== undefined) cancelOnAbort(task as Task<unknown>, signal);
  return task;
}

/**
 * The task whose step is running, or `null` when a plain callback runs.
 *
 * asyncio: `asyncio.current_task()`.
 *
 * @param loop The loop to ask.
 * @returns The task, or `null`.
 * @throws {Error} If no loop is given and none is running.
 * @throws {TypeError} If `loop` is given and is not an EventLoop.
 *
 * @example Finding yourself
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { currentTask } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const name = await run(function* () {
 *   return currentTask()?.getName();
 * }());
 * assert.match(name!, /^Task-\d+$/);
 * ```
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  checkLoop(loop, "currentTask()");
  return currentTaskOf(loop ?? getRunningLoop());
}

/**
 * The tasks of a loop that are not done yet.
 *
 * asyncio: `asyncio.all_tasks()`.
 *
 * @param loop The loop to ask.
 * @returns A new set of the pending tasks.
 * @throws {Error} If no loop is given and none is running.
 * @throws {TypeError} If `loop` is given and is not an EventLoop.
 *
 * @example Counting what is still running
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { allTasks, createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const sleeper = createTask(sleep(5));
 *   assert.equal(allTasks().size, 2);
 *   yield* sleeper;
 *   assert.equal(allTasks().size, 1);
 * }(), { virtualTime: true });
 * ```
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  checkLoop(loop, "allTasks()");
  const tasks = new Set<Task<unknown>>();
  for (const task of tasksOf(loop ?? getRunningLoop())) {
    if (!task.done()) tasks.add(task);
  }
  return tasks;
}

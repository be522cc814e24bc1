/**
 * {@linkcode eagerTaskFactory} and {@linkcode createEagerTaskFactory}: tasks
 * that start running at once.
 *
 * @module
 */

import type {
  EventLoop,
  TaskFactory,
  TaskFactoryOptions,
} from "../eventloop/event_loop.ts";
import {
  builtOptions,
  checkFunction,
  checkOptionNames,
  type Coroutine,
  TASK_FACTORY_OPTIONS,
} from "../eventloop/_lowlevel.ts";
import { Task, type TaskOptions } from "./task.ts";

/**
 * A task class that `createEagerTaskFactory` can make tasks with: `Task` or
 * a subclass, constructed as `new Ctor(coro, { loop, name, eagerStart })`.
 */
export type TaskConstructor = new <T>(
  coro: Coroutine<T>,
  options: TaskOptions,
) => Task<T>;

/**
 * A task factory for `loop.setTaskFactory()` that makes eager tasks: a new
 * task runs its coroutine synchronously, inside `createTask`, up to its first
 * suspension. A coroutine that finishes without suspending gives a task that
 * is already done, and never costs a turn of the loop. Order of side effects
 * changes accordingly: the task's first step runs before the code that
 * follows `createTask`. As in asyncio 3.14, `createTask(coro, { eagerStart:
 * false })` still makes a task that waits for the next pass.
 *
 * asyncio: `asyncio.eager_task_factory` (3.12).
 *
 * @typeParam T The coroutine's result type.
 * @param loop The loop (given by `createTask`).
 * @param coro The coroutine.
 * @param options The task's name, and `eagerStart` (default `true`).
 * @returns The task, possibly already done.
 * @throws {TypeError} If an option is unknown or of the wrong type.
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
  checkOptionNames(options, TASK_FACTORY_OPTIONS, "call eagerTaskFactory()");
  const taskOptions = {
    loop,
    name: options?.name,
    eagerStart: options?.eagerStart ?? true,
  };
  builtOptions.next = taskOptions;
  return new Task<T>(coro, taskOptions);
}

/**
 * Makes a task factory, like {@linkcode eagerTaskFactory}, whose eager tasks
 * are instances of `customTaskConstructor` (`Task` or a subclass of it). It
 * constructs each as `new customTaskConstructor(coro, { loop, name,
 * eagerStart })`, with `eagerStart` `true` unless `createTask` was given
 * `eagerStart: false`.
 *
 * asyncio: `asyncio.create_eager_task_factory()` (3.12).
 *
 * @param customTaskConstructor The task class.
 * @returns A factory for `loop.setTaskFactory()`.
 * @throws {TypeError} If `customTaskConstructor` is not a function.
 *
 * @example Eager tasks of a subclass that counts them
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import {
 *   type Coroutine,
 *   createEagerTaskFactory,
 *   createTask,
 *   Task,
 *   type TaskOptions,
 * } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * let made = 0;
 * class CountedTask<T> extends Task<T> {
 *   constructor(coro: Coroutine<T>, options: TaskOptions) {
 *     super(coro, options);
 *     made++;
 *   }
 * }
 * await run(function* () {
 *   getRunningLoop().setTaskFactory(createEagerTaskFactory(CountedTask));
 *   const task = createTask(function* () {
 *     return "at once";
 *   }());
 *   assert.ok(task instanceof CountedTask);
 *   assert.equal(task.result(), "at once");
 * });
 * assert.equal(made, 1);
 * ```
 */
export function createEagerTaskFactory(
  customTaskConstructor: TaskConstructor,
): TaskFactory {
  checkFunction(
    customTaskConstructor,
    "createEagerTaskFactory()'s 'customTaskConstructor'",
  );
  return <T>(
    loop: EventLoop,
    coro: Coroutine<T>,
    options: TaskFactoryOptions,
  ): Task<T> => {
    checkOptionNames(options, TASK_FACTORY_OPTIONS, "call the task factory");
    return new customTaskConstructor<T>(coro, {
      loop,
      name: options?.name,
      eagerStart: options?.eagerStart ?? true,
    });
  };
}

/**
 * {@linkcode TaskGroup} and {@linkcode taskGroup}: structured concurrency.
 *
 * @module
 */

import { CancelledError } from "../eventloop/errors.ts";
import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { CreateTaskOptions } from "./create_task.ts";
import {
  addFanIn,
  checkCoroutine,
  checkedCoro,
  checkOptionNames,
  type Coroutine,
  currentTaskOf,
  describeNonCoroutine,
  describeValue,
  ExceptionGroup,
  FanIn,
  isGenerator,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import type { Task } from "./task.ts";
import { cancelOnAbort, checkSignal } from "./_signal.ts";
import { markFanOut } from "./_call_graph_hooks.ts";
import { closeUnused } from "./_reuse.ts";
import { CREATE_TASK_OPTIONS } from "./_options.ts";

/** The body of a task group: it starts the children with `tg.createTask`. */
export type TaskGroupBody<T> = (tg: TaskGroup) => Coroutine<T>;

/**
 * A group of child tasks that all end before the group does. Made and run by
 * {@linkcode taskGroup} (or `new TaskGroup().run(body)`): the body starts
 * children with {@linkcode TaskGroup.createTask}, and the group waits for
 * every child before it returns the body's result.
 *
 * - The first child to fail cancels the other children and the body; the
 *   errors are then thrown together as an {@linkcode ExceptionGroup}.
 * - An error of the body cancels the children and joins the group's errors.
 * - A cancellation from outside cancels the children too, and propagates as
 *   `CancelledError` once they are done (unless children failed: their
 *   `ExceptionGroup` wins).
 *
 * asyncio: `asyncio.TaskGroup`.
 *
 * @example Children that fail together
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { ExceptionGroup, sleep, TaskGroup } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   try {
 *     yield* new TaskGroup().run(function* (tg) {
 *       tg.createTask(function* () {
 *         try {
 *           yield* sleep(10);
 *         } finally {
 *           log.push("sibling cancelled");
 *         }
 *       }());
 *       tg.createTask(function* () {
 *         yield* sleep(1);
 *         throw new Error("boom");
 *       }());
 *     });
 *   } catch (error) {
 *     assert.ok(error instanceof ExceptionGroup);
 *     log.push((error.errors[0] as Error).message);
 *   }
 * }, { virtualTime: true });
 * assert.deepEqual(log, ["sibling cancelled", "boom"]);
 * ```
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: EventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #tasks = new Children();
  #errors: unknown[] = [];
  #onCompleted: Future<void> | null = null;

  /**
   * Makes a group; {@linkcode TaskGroup.run} runs it. Most code calls
   * {@linkcode taskGroup} instead.
   */
  constructor() {}

  /**
   * Starts a child task of the group. Call it from the body, from a child,
   * or from anywhere while the group is running.
   *
   * asyncio: `TaskGroup.create_task()`.
   *
   * @typeParam T The coroutine's result type.
   * @param coro The child's coroutine.
   * @param options The child's name, a signal that cancels it, and
   * `eagerStart` (see `createTask`; an eager child that finishes at once is
   * accounted for at once).
   * @returns The child task.
   * @throws {Error} If the group has not started, is finished, or is shutting
   * down after a failure (the coroutine is closed unrun).
   * @throws {TypeError} If `coro` is not a coroutine, or an option is unknown
   * or of the wrong type.
   *
   * @example Collecting the children's results
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { sleep, taskGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const sum = await run(function* () {
   *   const [a, b] = yield* taskGroup(function* (tg) {
   *     return [tg.createTask(sleep(2, 40)), tg.createTask(sleep(1, 2))];
   *   });
   *   return a.result() + b.result();
   * }, { virtualTime: true });
   * assert.equal(sum, 42);
   * ```
   */
  createTask<T>(coro: Coroutine<T>, options?: CreateTaskOptions): Task<T> {
    checkCoroutine(coro, "TaskGroup.createTask()");
    if (options !== undefined) {
      checkOptionNames(
        options,
        CREATE_TASK_OPTIONS,
        "call TaskGroup.createTask()",
      );
    }
    const signal = options?.signal;
    checkSignal(signal, "TaskGroup.createTask()");
    let problem: string | null = null;
    if (!this.#entered) problem = "has not been entered";
    else if (this.#exiting && this.#tasks.size === 0) problem = "is finished";
    else if (this.#aborting) problem = "is shutting down";
    if (problem !== null) {
      closeUnused(coro);
      throw new Error(`TaskGroup ${problem}`);
    }
    const loop = this.#loop!;
    checkedCoro.next = coro;
    const task: Task<T> = options === undefined || options === null
      ? loop.createTask(coro)
      : loop.createTask(coro, {
        name: options.name,
        eagerStart: options.eagerStart,
      });
    if (signal !== undefined) cancelOnAbort(task as Task<unknown>, signal);
    // An eager task may be done already: account for it at once.
    if (task.done()) {
      this.#settle(task as Task<unknown>);
    } else {
      this.#tasks.add(task as Task<unknown>);
      this.#fanIn ??= new FanIn(loop, this.#onTaskDoneCallback);
      addFanIn(task as Task<unknown>, this.#fanIn);
    }
    return task;
  }

  /**
   * Runs `body` as the group's scope in the current task and returns its
   * result once every child is done. A group runs once.
   *
   * asyncio: `async with TaskGroup() as tg:`.
   *
   * @typeParam T The body's result type.
   * @param body `(tg) => Coroutine<T>`: starts the children.
   * @returns A coroutine to `yield*`, giving the body's result.
   * @throws {TypeError} If `body` is not a function.
   * @throws {ExceptionGroup} From the coroutine, when children or the body
   * failed.
   * @throws {CancelledError} From the coroutine, when cancelled from outside.
   * @throws {Error} From the coroutine, if the group already ran or no task
   * is running.
   *
   * @example Running a group made beforehand
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { sleep, TaskGroup } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const tg = new TaskGroup();
   * const value = await run(function* () {
   *   return yield* tg.run(function* (group) {
   *     const child = group.createTask(sleep(1, "child"));
   *     return yield* child;
   *   });
   * }, { virtualTime: true });
   * assert.equal(value, "child");
   * ```
   */
  run<T>(body: TaskGroupBody<T>): Coroutine<T> {
    if (typeof body !== "function") {
      throw new TypeError(
        `TaskGroup's 'body' must be a function (tg) => coroutine: received ${
          describeValue(body)
        }${
          isGenerator(body)
            ? " (pass the generator function itself, not its call: function* (tg) { ... })"
            : ""
        }`,
      );
    }
    return watchCoroutine(this.#scope(body), "TaskGroup.run");
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<TaskGroup tasks=2 cancelling>`.
   */
  toString(): string {
    let info = "";
    if (this.#tasks.size > 0) info += ` tasks=${this.#tasks.size}`;
    if (this.#errors.length > 0) info += ` errors=${this.#errors.length}`;
    if (this.#aborting) info += " cancelling";
    else if (this.#entered) info += " entered";
    return `<TaskGroup${info}>`;
  }

  *#scope<T>(body: TaskGroupBody<T>): Coroutine<T> {
    if (this.#entered) throw new Error("TaskGroup has already been entered");
    const loop = getRunningLoop();
    const parent = currentTaskOf(loop);
    if (parent === null) {
      throw new Error("TaskGroup cannot determine the parent task");
    }
    this.#loop = loop;
    this.#parentTask = parent;
    this.#entered = true;
    let result: T;
    let failed = false;
    let error: unknown;
    try {
      const coro = body(this);
      if (!isGenerator(coro)) {
        throw new TypeError(
          `TaskGroup's 'body' must return a coroutine: received ${
            describeNonCoroutine(coro)
          }`,
        );
      }
      result = yield* coro;
    } catch (e) {
      failed = true;
      error = e;
    }
    yield* this.#exit(failed, error);
    if (failed) throw error;
    return result!;
  }

  /** asyncio's `TaskGroup._aexit`: waits for the children, then decides. */
  *#exit(failed: boolean, error: unknown): Coroutine<void> {
    this.#exiting = true;
    const parent = this.#parentTask!;
    let propagateCancellation: CancelledError | null =
      failed && error instanceof CancelledError ? error : null;
    if (failed && !this.#aborting) {
      // The body failed or our task is being cancelled: stop the children.
      this.#abort();
    }
    // A loop, since the wait can be cancelled more than once when the parent
    // task is cancelled repeatedly.
    while (this.#tasks.size > 0) {
      if (this.#onCompleted === null) {
        this.#onCompleted = this.#loop!.createFuture<void>();
        const tasks = this.#tasks;
        markFanOut(this.#onCompleted, "TaskGroup", () => tasks);
      }
      try {
        yield* this.#onCompleted;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        if (!this.#aborting) {
          // Cancelled from outside while the body had ended normally.
          propagateCancellation = e;
          this.#abort();
        }
      }
      this.#onCompleted = null;
    }
    if (this.#parentCancelRequested) {
      // We cancelled the parent ourselves; take that request back, and drop
      // the CancelledError if it was the only one.
      if (parent.uncancel() === 0) propagateCancellation = null;
    }
    const errors = this.#errors;
    if (propagateCancellation !== null && errors.length === 0) {
      throw propagateCancellation;
    }
    if (failed && !(error instanceof CancelledError)) errors.push(error);
    if (errors.length > 0) {
      // Keep an outside cancellation counted: take it back and request it
      // again, so the parent's count stays the same (asyncio 3.12).
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) {
      if (!task.done()) task.cancel();
    }
  }

  /** The done-callback of every child (eventloop/_fan_in.ts). */
  #fanIn: FanIn<Task<unknown>> | null = null;

  #onTaskDoneCallback = (task: Task<unknown>): void => {
    this.#tasks.delete(task);
    this.#settle(task);
  };

  /** A child is done: wake the exit if it was the last, and take its error. */
  #settle(task: Task<unknown>): void {
    const onCompleted = this.#onCompleted;
    if (onCompleted !== null && this.#tasks.size === 0 && !onCompleted.done()) {
      onCompleted.setResult();
    }
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === undefined) return;
    this.#errors.push(error);
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message:
          `Task ${task.toString()} has errored out but its parent task ${parent.toString()} is already completed`,
        exception: error,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Cancel the body too: it may be waiting on something else. The
      // CancelledError this throws into it is taken back in #exit.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  }
}

/**
 * A group's children not yet accounted for, in the order made. Each child
 * keeps its slot here (`Task._groupSlot`: a task belongs to the one group
 * that made it), so adding or removing one is a store, where a Set hashed
 * every child on the way in and out, a tenth of what a child cost; the empty
 * slots are squeezed out once they are three quarters of the array.
 * Removing happens only in a done-callback, never while the group walks its
 * children (to cancel them, or for a call graph), so a walk sees each once.
 */
class Children implements Iterable<Task<unknown>> {
  #slots: (Task<unknown> | null)[] = [];
  #inSlots = 0;
  /**
   * What a task factory handed over that another group holds by its slot
   * (a task made once and returned twice): kept as a Set would keep it.
   */
  #others: Set<Task<unknown>> | null = null;

  /** How many children are in the list. */
  get size(): number {
    return this.#inSlots + (this.#others?.size ?? 0);
  }

  add(task: Task<unknown>): void {
    const slot = task._groupSlot;
    if (slot === -1) {
      task._groupSlot = this.#slots.length;
      this.#slots.push(task);
      this.#inSlots++;
    } else if (this.#slots[slot] !== task) {
      (this.#others ??= new Set()).add(task);
    }
  }

  delete(task: Task<unknown>): void {
    if (this.#others?.delete(task)) return;
    const slots = this.#slots;
    const slot = task._groupSlot;
    if (slot === -1 || slots[slot] !== task) return;
    slots[slot] = null;
    task._groupSlot = -1;
    this.#inSlots--;
    if (this.#inSlots === 0) {
      slots.length = 0;
    } else if (slots.length >= 64 && this.#inSlots < slots.length >> 2) {
      let kept = 0;
      for (let i = 0; i < slots.length; i++) {
        const child = slots[i];
        if (child === null) continue;
        child._groupSlot = kept;
        slots[kept++] = child;
      }
      slots.length = kept;
    }
  }

  *[Symbol.iterator](): Generator<Task<unknown>, void, undefined> {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const child = slots[i];
      if (child !== null) yield child;
    }
    if (this.#others !== null) yield* this.#others;
  }
}

/**
 * Runs `body` with a new {@linkcode TaskGroup} and returns the body's result
 * once every child it started is done. The body runs in the current task.
 *
 * The first child to fail cancels the others and the body, and the group
 * throws an {@linkcode ExceptionGroup} of every error (the body's own error
 * included). Cancelling the task that runs the group cancels every child;
 * the group then throws `CancelledError` once they are all done.
 *
 * asyncio: `async with asyncio.TaskGroup() as tg:`.
 *
 * @typeParam T The body's result type.
 * @param body `(tg) => Coroutine<T>`: starts children with `tg.createTask`.
 * @returns A coroutine to `yield*`, giving the body's result.
 * @throws {TypeError} If `body` is not a function.
 * @throws {ExceptionGroup} From the coroutine, when children or the body
 * failed.
 * @throws {CancelledError} From the coroutine, when cancelled from outside.
 *
 * @example Downloads in parallel, waiting for all
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import { sleep, taskGroup } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const results: string[] = [];
 * function* download(name: string, seconds: number) {
 *   yield* sleep(seconds);
 *   results.push(name);
 * }
 * const elapsed = await run(function* () {
 *   yield* taskGroup(function* (tg) {
 *     tg.createTask(download("big", 3));
 *     tg.createTask(download("small", 1));
 *   });
 *   return getRunningLoop().time();
 * }, { virtualTime: true });
 * assert.deepEqual(results, ["small", "big"]);
 * assert.equal(elapsed, 3);
 * ```
 */
export function taskGroup<T>(body: TaskGroupBody<T>): Coroutine<T> {
  return watchCoroutine(new TaskGroup().run(body), "taskGroup");
}

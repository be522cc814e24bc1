/**
 * {@linkcode Task}: drives a coroutine (a generator) on the event loop.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { CancelledError, InvalidStateError } from "../eventloop/errors.ts";
import { Future, type FutureOptions } from "../eventloop/future.ts";
import {
  PRINT_STACK_OPTIONS,
  TASK_OPTIONS,
  TASK_STACK_OPTIONS,
} from "./_options.ts";
import {
  addTask,
  addWaiter,
  cancelMessage,
  checkedCoro,
  checkOptionNames,
  type Coroutine,
  describeCallback,
  describeNonCoroutine,
  describeValue,
  GENERATOR_NEXT,
  isGenerator,
  isPromiseLike,
  keepCancelledError,
  makeCancelledError,
  markRetrieved,
  pushReady,
  removeTask,
  runningLoop,
  savedCancelledError,
  setCancelMessage,
  swapCurrentTask,
} from "../eventloop/_lowlevel.ts";
import { claimGenerator, refuseReuse } from "./_reuse.ts";
import { checkStackLimit, formatTaskStack, taskStack } from "./_task_stack.ts";

let taskCounter = 0;

/** Options of the {@linkcode Task} constructor. */
export interface TaskOptions extends FutureOptions {
  /**
   * The task's name.
   *
   * @default {"Task-N"}
   */
  name?: string;
  /**
   * Run the first step at once, synchronously, inside the constructor, when
   * the loop is running a pass (asyncio 3.14's `eager_start`); otherwise the
   * first step is scheduled on the next pass as usual.
   *
   * @default {false}
   */
  eagerStart?: boolean;
}

/** Options of {@linkcode Task.getStack}. */
export interface TaskStackOptions {
  /**
   * The most entries to return: the innermost (newest) ones, as Python keeps
   * the newest frames of a stack. `null` or `undefined`: all.
   *
   * @default {undefined}
   */
  limit?: number | null;
}

/** Options of {@linkcode Task.printStack}. */
export interface PrintStackOptions extends TaskStackOptions {
  /**
   * Receives the text (asyncio's `file`).
   *
   * @default {console.error}
   */
  write?: (text: string) => void;
}

/**
 * A Future that drives a coroutine: it runs the generator step by step on the
 * loop. A bare `yield` gives the loop one turn; `yield*` of a Future suspends
 * until it is done, then resumes with its result or throws its error into the
 * generator; anything else yielded is thrown back in as a `TypeError`.
 *
 * `cancel()` throws {@linkcode CancelledError} into the generator at the
 * `yield` where it is suspended, so `finally` blocks run; the coroutine may
 * even catch it. `cancelling()` and `uncancel()` count requests as in asyncio
 * 3.11+.
 *
 * asyncio: `asyncio.Task`.
 *
 * @typeParam T The coroutine's result type.
 *
 * @example Cancellation runs `finally`
 * ```ts
 * import { CancelledError, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   const task = createTask(function* () {
 *     try {
 *       yield* sleep(3600);
 *     } finally {
 *       log.push("cleaned up");
 *     }
 *   }());
 *   yield* sleep(1);
 *   task.cancel();
 *   try {
 *     yield* task;
 *   } catch (error) {
 *     log.push(error instanceof CancelledError ? "cancelled" : "?");
 *   }
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["cleaned up", "cancelled"]);
 * ```
 */
export class Task<T = unknown> extends Future<T> {
  /** @ignore @internal */
  _coro: Coroutine<T>;
  /**
   * @internal The coroutine's own `next`, taken before the task claimed it
   * (a claimed generator's `next` property throws: see _reuse.ts).
   * @ignore
   */
  _coroNext: Coroutine<T>["next"];
  /**
   * @internal The name given, or the N of the default name `Task-N` until
   * it is first read.
   * @ignore
   */
  _name: string | number;
  /** @ignore @internal Links of the loop's list of pending tasks. */
  _livePrev: Task<unknown> | null = null;
  /** @ignore @internal */
  _liveNext: Task<unknown> | null = null;
  /** @ignore @internal The future this task waits on, if it waits on one. */
  _futWaiter: Future<unknown> | null = null;
  /** @ignore @internal Throw CancelledError into the coroutine at its next step. */
  _mustCancel = false;
  /** @ignore @internal */
  _numCancelsRequested = 0;
  /** @ignore @internal The future that woke this task; null for a plain step. */
  _wakeFrom: Future<unknown> | null = null;
  /**
   * @internal Ready-queue flag; a task step is never skipped. Kept on the
   * prototype (below the class), not in every task.
   * @ignore
   */
  declare readonly _cancelled: false;
  /** @ignore @internal Its slot among its TaskGroup's children, or -1. */
  _groupSlot = -1;
  /** @ignore @internal Made by the first read of `signal`; null until then. */
  _abortController: AbortController | null = null;

  /** @ignore @internal The option names the constructor takes (see Future's). */
  static override readonly _optionNames: Readonly<Record<string, true>> =
    TASK_OPTIONS;

  /**
   * Wraps a coroutine in a task scheduled to start on the next pass. Prefer
   * `createTask()` or `loop.createTask()`.
   *
   * @param coro The coroutine (a generator object).
   * @param options The loop, the name, and eager start.
   * @throws {TypeError} If `coro` is not a coroutine, an option is unknown,
   * `loop` is not an EventLoop, or `eagerStart` is not a boolean.
   * @throws {Error} If `coro` was already given to a task (or, for the
   * module's own coroutines such as `sleep()`, awaited with `yield*`): a
   * coroutine runs once, as asyncio's `RuntimeError` says. From then on,
   * `yield* coro` throws the same error; wait for the task instead.
   */
  constructor(coro: Coroutine<T>, options?: TaskOptions) {
    if (coro === checkedCoro.next) {
      checkedCoro.next = null;
    } else if (!isGenerator(coro)) {
      throw new TypeError(
        `A Task needs a coroutine (a generator object): received ${
          describeNonCoroutine(coro)
        }`,
      );
    }
    const eagerStart = options?.eagerStart;
    if (eagerStart !== undefined && typeof eagerStart !== "boolean") {
      throw new TypeError(
        `A Task's 'eagerStart' must be a boolean: received ${
          describeValue(eagerStart)
        }`,
      );
    }
    super(options);
    // A coroutine runs once (see _reuse.ts): a plain generator is claimed
    // below; the module's own coroutines claim themselves, or throw if
    // already used.
    const next = coro.next;
    const plain = next === GENERATOR_NEXT;
    if (!plain) {
      if (next === refuseReuse) refuseReuse.call(coro);
      coro[Symbol.iterator]();
    }
    this._coro = coro;
    this._coroNext = next;
    // The default name is numbered now and spelled out on first use.
    const number = ++taskCounter;
    this._name = options?.name !== undefined ? String(options.name) : number;
    const loop = this.getLoop();
    if (loop.isClosed()) {
      coro.return(undefined as T);
      throw new Error("Event loop is closed");
    }
    if (plain) claimGenerator(coro);
    addTask(loop, this as Task<unknown>);
    // asyncio checks loop.is_running(); here a loop runs code only inside a
    // pass, so a task made between passes (from a promise callback) waits
    // for the next one.
    if (eagerStart === true && runningLoop() === loop) {
      startEagerly(this as Task<unknown>);
    } else {
      pushReady(loop, this);
    }
  }

  /**
   * The task's name.
   *
   * @returns The name.
   */
  getName(): string {
    const name = this._name;
    return typeof name === "string" ? name : (this._name = `Task-${name}`);
  }

  /**
   * Renames the task.
   *
   * @param name The new name.
   */
  setName(name: string): void {
    this._name = String(name);
  }

  /**
   * The coroutine the task drives. It belongs to the task: advancing it
   * (`next()`, `yield*`) or giving it to another task throws.
   *
   * @returns The generator object.
   */
  getCoro(): Coroutine<T> {
    return this._coro;
  }

  /**
   * The future the task is suspended on (`yield* future`), or `null` when it
   * is running, ready to run, or done. `captureCallGraph()` follows these
   * links down a chain of tasks.
   *
   * asyncio: none (the private `Task._fut_waiter`).
   *
   * @returns The future, or `null`.
   *
   * @example What a sleeping task waits on
   * ```ts
   * import { Future, run } from "@asyncio/asyncio/eventloop";
   * import { createTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   const child = createTask(sleep(1));
   *   assert.equal(child.waitingOn(), null); // not started yet
   *   yield* sleep(0);
   *   assert.ok(child.waitingOn() instanceof Future);
   *   yield* child;
   *   assert.equal(child.waitingOn(), null);
   * }(), { virtualTime: true });
   * ```
   */
  waitingOn(): Future<unknown> | null {
    return this._futWaiter;
  }

  /**
   * An `AbortSignal` that aborts once the task is done — finished, failed or
   * cancelled — so an operation the task started with it (a `fetch`, a
   * `Deno.Command`) stops with the task. Its reason is the task's
   * {@linkcode CancelledError} when the task was cancelled, else an
   * `AbortError` `DOMException`. It is made on first read, so a task that
   * never asks for it pays nothing.
   *
   * It aborts when the task is done rather than when `cancel()` is called: a
   * cancellation request can be taken back (`uncancel()`, as `timeout()`
   * does), and an aborted signal cannot.
   *
   * @returns The task's signal.
   *
   * @example A child process stops with its task
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createTask, currentTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * let signal: AbortSignal | undefined;
   * await run(function* () {
   *   const task = createTask(function* () {
   *     signal = currentTask()!.signal; // give it to fetch() or Deno.Command
   *     yield* sleep(3600);
   *   }());
   *   yield* sleep(1);
   *   assert.equal(signal?.aborted, false);
   *   task.cancel();
   *   yield* sleep(0);
   *   yield* sleep(0);
   *   assert.equal(signal?.aborted, true);
   * }(), { virtualTime: true });
   * ```
   */
  get signal(): AbortSignal {
    let controller = this._abortController;
    if (controller === null) {
      controller = this._abortController = new AbortController();
      // Once made, finish() aborts it the moment the task is done.
      if (this.done()) abortWhenDone(this as Task<unknown>);
    }
    return controller.signal;
  }

  /**
   * Requests cancellation: {@linkcode CancelledError} is thrown into the
   * coroutine at its suspension point on its next step (the future it waits
   * on is cancelled, which wakes it).
   *
   * asyncio: `Task.cancel()`.
   *
   * @param msg A message for the CancelledError.
   * @returns `false` if the task is already done, else `true`.
   */
  override cancel(msg?: string): boolean {
    // `this` is read here first: a cancel() that lost its object fails in
    // its own frame, where the loop's report recognizes it.
    const done = this.done();
    markRetrieved(this);
    if (done) return false;
    this._numCancelsRequested++;
    const waiter = this._futWaiter;
    if (waiter !== null && waiter.cancel(msg)) return true;
    this._mustCancel = true;
    setCancelMessage(this, msg);
    return true;
  }

  /**
   * How many cancellation requests are pending (cancel() calls minus
   * uncancel() calls).
   *
   * asyncio: `Task.cancelling()`.
   *
   * @returns The count.
   */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /**
   * Takes back one cancellation request; at zero a pending cancellation that
   * has not been delivered yet is dropped (asyncio 3.13).
   *
   * asyncio: `Task.uncancel()`.
   *
   * @returns The remaining count.
   */
  uncancel(): number {
    if (this._numCancelsRequested > 0) {
      this._numCancelsRequested--;
      if (this._numCancelsRequested === 0) this._mustCancel = false;
    }
    return this._numCancelsRequested;
  }

  /**
   * What the suspended task waits on: the future or task it is suspended in
   * (`yield* other`), what that task waits on in turn, and so on down to a
   * future that is not a task — outermost first. Empty while the task runs
   * or is ready to run, and once it is done.
   *
   * A generator's frames cannot be inspected in JavaScript, so this chain of
   * futures stands for asyncio's list of frames; a failed task's error keeps
   * its own `stack`, which `printStack()` prints.
   *
   * asyncio: `Task.get_stack(limit=None)`.
   *
   * @param options `limit`: the most entries, the innermost kept.
   * @returns The futures, outermost first.
   * @throws {RangeError} If `limit` is not a non-negative integer.
   * @throws {TypeError} If an option is unknown.
   *
   * @example A task waiting on a task waiting on a sleep
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   const inner = createTask(sleep(10), { name: "inner" });
   *   const outer = createTask(function* () { yield* inner; }(), { name: "outer" });
   *   yield* sleep(1);
   *   const stack = outer.getStack();
   *   assert.equal(stack.length, 2);
   *   assert.equal(stack[0], inner); // then the sleep's timer future
   *   assert.deepEqual(outer.getStack({ limit: 1 }), [stack[1]]);
   *   yield* outer;
   *   assert.deepEqual(outer.getStack(), []); // done
   * }(), { virtualTime: true });
   * ```
   */
  getStack(options?: TaskStackOptions): Future<unknown>[] {
    if (options !== undefined) {
      checkOptionNames(options, TASK_STACK_OPTIONS, "call getStack()");
    }
    return taskStack(this, checkStackLimit(options?.limit, "getStack()"));
  }

  /**
   * Prints what the task waits on (see {@linkcode Task.getStack}), one line
   * per future, and in debug mode where each task was made; for a task that
   * failed, its error's stack; otherwise that there is no stack.
   *
   * asyncio: `Task.print_stack(limit=None, file=None)`.
   *
   * @param options `limit`, and `write` to receive the text instead of
   * `console.error`.
   * @throws {RangeError} If `limit` is not a non-negative integer.
   * @throws {TypeError} If an option is unknown, or `write` is not a
   * function.
   *
   * @example Printing the chain of a waiting task
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * let text = "";
   * await run(function* () {
   *   const inner = createTask(sleep(10), { name: "inner" });
   *   const outer = createTask(function* () { yield* inner; }(), { name: "outer" });
   *   yield* sleep(1);
   *   outer.printStack({ write: (t) => text = t });
   *   yield* outer;
   * }(), { virtualTime: true });
   * assert.equal(
   *   text,
   *   [
   *     "Stack for Task 'outer' (pending) (most recent call last):",
   *     "  awaits Task 'inner' (pending)",
   *     "  awaits Future (pending)",
   *   ].join("\n"),
   * );
   * ```
   */
  printStack(options?: PrintStackOptions): void {
    if (options !== undefined) {
      checkOptionNames(options, PRINT_STACK_OPTIONS, "call printStack()");
    }
    const limit = checkStackLimit(options?.limit, "printStack()");
    const write = options?.write ?? ((text: string) => console.error(text));
    if (typeof write !== "function") {
      throw new TypeError(
        `printStack()'s 'write' must be a function: received ${
          describeValue(write)
        }`,
      );
    }
    write(formatTaskStack(this, limit));
  }

  /**
   * Not supported: a task's result comes from its coroutine.
   *
   * @param _result Ignored.
   * @throws {Error} Always.
   */
  override setResult(_result: T): never {
    throw new Error("Task does not support setResult() operation");
  }

  /**
   * Not supported: a task's error comes from its coroutine.
   *
   * @param _exception Ignored.
   * @throws {Error} Always.
   */
  override setException(_exception: unknown): never {
    throw new Error("Task does not support setException() operation");
  }

  /**
   * A short description for logs. A pending task with a cancellation
   * requested shows `cancelling`, as asyncio's does.
   *
   * @returns For example `<Task pending name='Task-1' coro=main()>`, or
   * `<Task cancelling name='Task-1' coro=main()>` after `cancel()`.
   *
   * @example The state after cancel()
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   const task = createTask(sleep(10), { name: "sleeper" });
   *   yield* sleep(0);
   *   task.cancel();
   *   assert.match(String(task), /^<Task cancelling name='sleeper' /);
   *   yield* sleep(0);
   *   assert.match(String(task), /^<Task cancelled name='sleeper' /);
   * }(), { virtualTime: true });
   * ```
   */
  override toString(): string {
    const base = !this.done() && this._numCancelsRequested > 0
      ? "cancelling"
      : super.toString().slice(1, -1).replace(/^\w+ /, "");
    return `<${this.constructor.name} ${base} name='${this.getName()}' coro=${
      describeCallback(this._coro)
    }>`;
  }

  /** @ignore @internal Runs from the ready queue: a plain step or a wake-up. */
  _run(): void {
    const future = this._wakeFrom;
    if (future === null) {
      step(this as Task<unknown>, undefined, false);
      return;
    }
    this._wakeFrom = null;
    let value: unknown;
    try {
      value = future.result();
    } catch (error) {
      step(this as Task<unknown>, error, true);
      return;
    }
    step(this as Task<unknown>, value, false);
  }
}

Object.defineProperty(Task.prototype, "_cancelled", { value: false });

// A task's steps are module functions rather than private methods: a class
// with private methods gives each instance a slot for its brand.

/**
 * The only place that advances the coroutine (`next`) or throws into it.
 *
 * Invariant: either the task waits on exactly one future (`_futWaiter`,
 * registered to wake it) and no step is scheduled, or one step is scheduled
 * on the ready queue and it waits on none.
 */
function step(task: Task<unknown>, value: unknown, isError: boolean): void {
  if (task.done()) {
    task.getLoop().callExceptionHandler({
      message: `Task step called on a task that is done: ${task.toString()}`,
      exception: new InvalidStateError("Task is already done"),
      task,
    });
    return;
  }
  if (task._mustCancel) {
    if (!(isError && value instanceof CancelledError)) {
      value = makeCancelledError(task);
      isError = true;
    }
    task._mustCancel = false;
  }
  task._futWaiter = null;
  const loop = task.getLoop();
  const previous = swapCurrentTask(loop, task);
  runStep(task, loop, value, isError);
  swapCurrentTask(loop, previous);
}

function runStep(
  task: Task<unknown>,
  loop: EventLoop,
  value: unknown,
  isError: boolean,
): void {
  let result: IteratorResult<Future<unknown> | undefined, unknown>;
  try {
    result = isError
      ? task._coro.throw(value)
      : task._coroNext.call(task._coro, value);
  } catch (error) {
    if (error instanceof CancelledError) {
      keepCancelledError(task, error);
      finish(task, CANCELLED_OUTCOME, undefined);
    } else {
      finish(task, ERROR_OUTCOME, error);
    }
    return;
  }
  if (result.done) {
    if (task._mustCancel) {
      // Cancelled right before the coroutine returned.
      task._mustCancel = false;
      finish(task, CANCELLED_OUTCOME, undefined);
    } else {
      finish(task, RESULT_OUTCOME, result.value);
    }
    return;
  }
  const yielded = result.value;
  if (yielded === undefined) {
    pushReady(loop, task);
  } else if (yielded instanceof Future) {
    if (yielded.getLoop() !== loop) {
      throwSoon(
        task,
        new Error(
          `Task ${task.toString()} got Future ${yielded.toString()} attached to a different loop`,
        ),
      );
    } else if (yielded === task) {
      throwSoon(
        task,
        new Error(`Task cannot await on itself: ${task.toString()}`),
      );
    } else if (yielded.done()) {
      task._wakeFrom = yielded;
      pushReady(loop, task);
    } else {
      addWaiter(yielded, task);
      task._futWaiter = yielded;
      if (task._mustCancel && yielded.cancel(cancelMessage(task))) {
        task._mustCancel = false;
      }
    }
  } else {
    throwSoon(task, badYield(yielded, task));
  }
}

/** Schedules a step that throws `error` into the coroutine. */
function throwSoon(task: Task<unknown>, error: Error): void {
  task.getLoop().callSoon(() => step(task, error, true));
}

/** Settles the task as Future's own methods do (Task's refuse to). */
function finish(task: Task<unknown>, outcome: number, value: unknown): void {
  removeTask(task.getLoop(), task);
  if (outcome === RESULT_OUTCOME) {
    Future.prototype.setResult.call(task, value);
  } else if (outcome === ERROR_OUTCOME) {
    Future.prototype.setException.call(
      task,
      value ?? new Error(`The coroutine of ${task.getName()} threw ${value}`),
    );
  } else {
    Future.prototype.cancel.call(task, cancelMessage(task));
  }
  if (task._abortController !== null) abortWhenDone(task);
}

/** asyncio 3.12's `__eager_start`: the first step runs now. */
function startEagerly(task: Task<unknown>): void {
  const loop = task.getLoop();
  const previous = swapCurrentTask(loop, task);
  try {
    runStep(task, loop, undefined, false);
  } finally {
    swapCurrentTask(loop, previous);
  }
}

/** Aborts a done task's signal, with its CancelledError if it was cancelled. */
function abortWhenDone(task: Task<unknown>): void {
  const controller = task._abortController!;
  if (controller.signal.aborted) return;
  if (task.cancelled()) {
    controller.abort(
      savedCancelledError(task) ?? new CancelledError(cancelMessage(task)),
    );
  } else {
    controller.abort();
  }
}

const RESULT_OUTCOME = 0;
const ERROR_OUTCOME = 1;
const CANCELLED_OUTCOME = 2;

function badYield(yielded: unknown, task: Task<unknown>): TypeError {
  if (isGenerator(yielded)) {
    return new TypeError(
      `'yield' was used instead of 'yield*' for a generator in task ${task.toString()}`,
    );
  }
  if (isPromiseLike(yielded)) {
    return new TypeError(
      `Task ${task.toString()} got a Promise: wrap it with 'yield* fromPromise(promise)'`,
    );
  }
  return new TypeError(
    `Task ${task.toString()} got bad yield: ${
      describeValue(yielded)
    } (yield a Future with 'yield*', or a bare 'yield' to give the loop a turn)`,
  );
}

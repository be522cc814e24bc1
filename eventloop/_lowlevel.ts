// The loop's internal surface: the one door into eventloop/'s internals for
// the layers above it (tasks/, sync/, queues/, streams/, subprocess/), as
// trio.lowlevel is the one door into Trio's core. Never re-exported: it is
// not public API, and may change with the loop.
//
// The contract. A file outside eventloop/ imports from eventloop/ only its
// public modules and this one, and reads or writes no underscore member
// (`_state`, `_ioStarted()`) of eventloop's classes: what it needs from the
// loop's internals is a function here, or a member of an interface exported
// here (`Runnable`, `Waiter`, `Linked`, `PipeControl`, `OptionNamed`), which
// it may implement and call.
// tests/layers_test.ts enforces both rules. What is here:
//
// - scheduling: the ready queue (`pushReady`), the task that runs now
//   (`currentTaskOf`, `swapCurrentTask`), the loop's set of pending tasks;
// - waiting: the ParkingLot under every synchronization primitive, and the
//   hooks a Task needs on the futures it waits for;
// - I/O: the one bridge from a Deno promise to the loop (`whenSettled`,
//   `ioFuture`), which keeps a virtual clock from jumping past an operation
//   in flight; resources released when the loop closes;
// - coroutines: the type, debug mode's never-awaited watch, the rule that a
//   coroutine runs once;
// - argument checks and descriptions shared by every layer's errors.

import type { CancelledError } from "./errors.ts";
import type { EventLoop } from "./event_loop.ts";
import { type Future, Future as FutureClass } from "./future.ts";
import type { FanIn } from "./_fan_in.ts";
import type { Runnable, Waiter } from "./handle.ts";
import { loopState } from "./_state.ts";

export type { Coroutine } from "./_coroutine.ts";
export { GENERATOR_NEXT, type HandBuilt, handBuilt } from "./_coroutine.ts";
export type { Runnable, Waiter } from "./handle.ts";
export type { Linked } from "./_task_list.ts";
export { watchCoroutine } from "./_never_awaited.ts";
export { FanIn } from "./_fan_in.ts";
export {
  LoopBinding,
  ParkingLot,
  type ParkingLotOptions,
} from "./_parking_lot.ts";
export {
  checkCallback,
  checkCoroutine,
  checkCount,
  checkDelay,
  checkFunction,
  describeCallback,
  describeNonCoroutine,
  describeValue,
  isGenerator,
  isGeneratorFunction,
  isPromiseLike,
  reuseError,
} from "./_util.ts";
export { checkChunks, checkLoopOpen } from "./_util.ts";
export {
  builtOptions,
  checkedCoro,
  checkLoopOption,
  checkOptionNames,
  CREATE_CONNECTION_OPTIONS,
  CREATE_SERVER_OPTIONS,
  CREATE_UNIX_CONNECTION_OPTIONS,
  CREATE_UNIX_SERVER_OPTIONS,
  FUTURE_OPTIONS,
  isLoopLike,
  type OptionNames,
  SUBPROCESS_OPTIONS,
  TASK_FACTORY_OPTIONS,
} from "./_options.ts";
export {
  type ErrorClass,
  type ErrorMatcher,
  ExceptionGroup,
} from "./_exception_group.ts";
export {
  type PipeControl,
  ReadPipeTransport,
  WritePipeTransport,
} from "./_pipe_transport.ts";
export type { OptionNamed } from "./future.ts";
export { handsOver, ReadSize } from "./_read_buffer.ts";
export { checkWorkerFunction } from "./_job.ts";
export { ioFuture, whenSettled } from "./_io.ts";
export {
  noteKilledAtClose,
  subprocessHook,
  type SubprocessImplementation,
} from "./_subprocess_hook.ts";

/** A task as the loop holds it (tasks/task.ts's `Task`). */
export type LoopTask = NonNullable<EventLoop["_currentTask"]>;

// ---- Loops ----

/** The loop whose pass runs now, or `null` (plain code outside a pass). */
export function runningLoop(): EventLoop | null {
  return loopState.running;
}

/** The running loop, else the one set with `setEventLoop()`, else `null`. */
export function runningOrCurrentLoop(): EventLoop | null {
  return loopState.running ?? loopState.current;
}

// ---- Scheduling ----

/** Puts a task step (or any Runnable) at the end of `loop`'s ready queue. */
export function pushReady(loop: EventLoop, runnable: Runnable): void {
  loop._pushReady(runnable);
}

/** The task whose step runs on `loop` now, or `null`. */
export function currentTaskOf(loop: EventLoop): LoopTask | null {
  return loop._currentTask;
}

/**
 * Makes `task` the current task of `loop` (a step begins, or `null` when it
 * ends) and returns the one it replaces, to restore after the step.
 */
export function swapCurrentTask(
  loop: EventLoop,
  task: LoopTask | null,
): LoopTask | null {
  const previous = loop._currentTask;
  loop._currentTask = task;
  return previous;
}

/** Adds a new task to `loop`'s set of pending tasks. */
export function addTask(loop: EventLoop, task: LoopTask): void {
  loop._tasks.add(task);
}

/** Removes a task that is done from `loop`'s set of pending tasks. */
export function removeTask(loop: EventLoop, task: LoopTask): void {
  loop._tasks.delete(task);
}

/** The pending tasks of `loop`, in creation order. */
export function tasksOf(loop: EventLoop): Iterable<LoopTask> {
  return loop._tasks;
}

// ---- I/O accounting ----
// A promise of Deno comes in through whenSettled() or ioFuture() (re-exported
// above from eventloop/_io.ts): counted as I/O in flight while it is pending,
// so a virtual clock waits for it, and always observed.

/**
 * Runs `release` once when `loop` closes (child processes and their pipes
 * must not outlive it); {@linkcode offLoopClose} cancels that.
 */
export function onLoopClose(loop: EventLoop, release: () => void): void {
  loop._onClose.add(release);
}

/** Forgets a `release` given to {@linkcode onLoopClose}. */
export function offLoopClose(loop: EventLoop, release: () => void): void {
  loop._onClose.delete(release);
}

// ---- Futures: what a Task needs of the futures it is and waits for ----

/** Wakes `waiter` (a task) when `future` is done, with no callback handle. */
export function addWaiter(future: Future<unknown>, waiter: Waiter): void {
  future._addWaiter(waiter);
}

/**
 * Calls `fanIn._callback(future)` once `future` is done, in the pass and
 * order `future.addDoneCallback(fanIn._callback)` would, with no Handle per
 * future (eventloop/_fan_in.ts). A future whose `addDoneCallback` is its own
 * (a subclass's override) gets the callback through it, as asyncio does, and
 * so does one of another loop.
 */
export function addFanIn<F extends Future<unknown>>(
  future: F,
  fanIn: FanIn<F>,
): void {
  if (
    future.addDoneCallback === FUTURE_ADD_DONE_CALLBACK &&
    future._loop === fanIn._loop
  ) {
    future._addFanIn(fanIn);
  } else {
    const callback = fanIn._callback;
    future.addDoneCallback(callback);
  }
}

const FUTURE_ADD_DONE_CALLBACK = FutureClass.prototype.addDoneCallback;

/** The done-callbacks and waiters of a pending `future` (for call graphs). */
export function callbacksOf(
  future: Future<unknown>,
): ReadonlyArray<((future: never) => void) | Waiter | FanIn<never>> {
  const callbacks = future._callbacks;
  if (callbacks === null) return [];
  return Array.isArray(callbacks) ? callbacks : [callbacks];
}

/**
 * The CancelledError to throw for a cancelled `future`: the one its
 * coroutine raised, once, else a new one with its message (asyncio's
 * `_make_cancelled_error`).
 */
export function makeCancelledError(future: Future<unknown>): Error {
  return future._makeCancelledError();
}

/** The message `future` was cancelled with (or will be, for a task). */
export function cancelMessage(future: Future<unknown>): string | undefined {
  return future._cancelMessage;
}

/** Sets the message a task will be cancelled with. */
export function setCancelMessage(
  future: Future<unknown>,
  message: string | undefined,
): void {
  future._cancelMessage = message;
}

/** The CancelledError kept with {@linkcode keepCancelledError}, or `null`. */
export function savedCancelledError(
  future: Future<unknown>,
): CancelledError | null {
  return future._cancelledExc;
}

/** Keeps the CancelledError a task's coroutine raised, to rethrow it. */
export function keepCancelledError(
  future: Future<unknown>,
  error: CancelledError,
): void {
  future._cancelledExc = error;
}

/**
 * Marks `future`'s error as retrieved: it is not reported as "never
 * retrieved" when the future is collected (asyncio: `_log_traceback =
 * False`).
 */
export function markRetrieved(future: Future<unknown>): void {
  future._logTraceback = false;
}

/** Where `future` was made, in debug mode; otherwise `null`. */
export function sourceTraceback(future: Future<unknown>): string | null {
  return future._sourceTraceback;
}

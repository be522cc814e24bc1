/**
 * Handles for callbacks scheduled on an event loop.
 *
 * @module
 */

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import { describeCallback, isGenerator, lostThisHint } from "./_util.ts";

/**
 * @ignore @internal What the loop's ready queue holds: a {@linkcode Handle}, a task
 * step, or a transport's own step. The loop runs `_run()` unless
 * `_cancelled` is set; `_run()` never throws (errors go to the loop's
 * exception handler). The layers above the loop reach the queue through
 * `pushReady()` of `eventloop/_lowlevel.ts`.
 */
export interface Runnable {
  /** Skip it: the loop drops it instead of running it. */
  _cancelled: boolean;
  /** Runs it; never throws. */
  _run(): void;
}

/**
 * @ignore @internal Something a future wakes directly when it is done, with no
 * callback handle in between: a Task waiting on it. `_wakeFrom` is set to the
 * future before the waiter is put on the loop's ready queue.
 */
export interface Waiter extends Runnable {
  /** The future that woke it, or `null` for a plain step. */
  _wakeFrom: Future<unknown> | null;
}

/**
 * A callback scheduled with `loop.callSoon()`; `cancel()` keeps it from
 * running. The callback is called with no `this`: pass a method as an arrow
 * function (`() => task.cancel()`), not as `task.cancel`, which loses its
 * object in JavaScript (asyncio's bound methods keep theirs); a callback
 * that fails for want of its object is reported with that fix.
 *
 * asyncio: `asyncio.Handle`.
 *
 * @example Cancelling a scheduled callback
 * ```ts
 * import { newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * const calls: string[] = [];
 * const handle = loop.callSoon(() => calls.push("never"));
 * handle.cancel();
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * assert.ok(handle.cancelled());
 * assert.deepEqual(calls, []);
 * loop.close();
 * ```
 */
export class Handle implements Runnable {
  /** @ignore @internal */
  _callback: ((...args: never[]) => unknown) | null;
  /**
   * @internal The arguments; for a future's done-callback, the future
   * itself, its one argument, with no array made for it
   * (`loop._callSoonDone()`).
   * @ignore
   */
  _args: unknown[] | Future<unknown>;
  /** @ignore @internal */
  _loop: EventLoop;
  /** @ignore @internal */
  _cancelled = false;

  /**
   * Wraps a callback; use `loop.callSoon()` rather than this constructor.
   *
   * @param callback The function to call.
   * @param args Its arguments.
   * @param loop The loop it runs on.
   */
  constructor(
    callback: (...args: never[]) => unknown,
    args: unknown[],
    loop: EventLoop,
  ) {
    this._callback = callback;
    this._args = args;
    this._loop = loop;
  }

  /** Keeps the callback from running; does nothing if it already ran. */
  cancel(): void {
    if (!this._cancelled) {
      this._cancelled = true;
      this._callback = null;
      this._args = [];
    }
  }

  /**
   * Whether {@linkcode Handle.cancel} was called.
   *
   * @returns `true` once cancelled.
   */
  cancelled(): boolean {
    return this._cancelled;
  }

  /**
   * The loop the callback was scheduled on.
   *
   * @returns The loop.
   */
  getLoop(): EventLoop {
    return this._loop;
  }

  /**
   * @internal The one place where scheduled callbacks are called: with no
   * `this`, as asyncio calls a plain function (a bound method there keeps its
   * object; a method passed here does not, and the report says so).
   * @ignore
   */
  _run(): void {
    // deno-lint-ignore no-explicit-any -- the arguments were typed at callSoon
    const callback = this._callback as (...args: any[]) => unknown;
    try {
      const args = this._args;
      const result = Array.isArray(args) ? callback(...args) : callback(args);
      if (result !== undefined && isGenerator(result)) {
        droppedCoroutine(this);
      }
    } catch (exception) {
      this._loop.callExceptionHandler({
        message: `Exception in callback ${describeCallback(callback)}${
          lostThisHint(callback, exception)
        }`,
        exception,
        handle: this,
      });
    }
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Handle tick()>`.
   */
  toString(): string {
    const state = this._cancelled ? " cancelled" : "";
    return `<${this.constructor.name}${state} ${
      describeCallback(this._callback)
    }>`;
  }
}

/**
 * A callback made a coroutine and returned it to the loop, which drops
 * what callbacks return: a generator function passed as the callback, or
 * `() => sleep(1)`. asyncio would warn that it was never awaited. (A module
 * function, not a private method, which would give every handle a slot for
 * its brand.)
 */
function droppedCoroutine(handle: Handle): void {
  // Not closed: it may be a coroutine that someone else runs.
  handle._loop.callExceptionHandler({
    message: `Callback ${
      describeCallback(handle._callback)
    } returned a coroutine, which never runs: a callback must start it itself, as createTask(coro)`,
    handle,
  });
}

/**
 * A callback scheduled with `loop.callLater()` or `loop.callAt()`.
 *
 * asyncio: `asyncio.TimerHandle`.
 *
 * @example Reading when a timer is due
 * ```ts
 * import { newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop({ virtualTime: true });
 * const timer = loop.callLater(5, () => {});
 * assert.equal(timer.when(), loop.time() + 5);
 * timer.cancel();
 * loop.close();
 * ```
 */
export class TimerHandle extends Handle {
  /** @ignore @internal */
  _when: number;
  /** @ignore @internal FIFO order among timers due at the same time. */
  _seq: number;
  /** @ignore @internal Whether it is still in the loop's timer heap. */
  _scheduled = false;

  /**
   * Wraps a timed callback; use `loop.callAt()` rather than this constructor.
   *
   * @param when The loop time at which it is due.
   * @param seq Its order among timers with the same `when`.
   * @param callback The function to call.
   * @param args Its arguments.
   * @param loop The loop it runs on.
   */
  constructor(
    when: number,
    seq: number,
    callback: (...args: never[]) => unknown,
    args: unknown[],
    loop: EventLoop,
  ) {
    super(callback, args, loop);
    this._when = when;
    this._seq = seq;
  }

  /**
   * The loop time at which the callback is due, in seconds.
   *
   * @returns The deadline.
   */
  when(): number {
    return this._when;
  }

  /** Keeps the callback from running and tells the loop to drop it. */
  override cancel(): void {
    if (!this._cancelled) {
      if (this._scheduled) this._loop._timerHandleCancelled(this);
      super.cancel();
    }
  }
}

/**
 * {@linkcode Future}: the result of an operation that has not finished yet.
 *
 * @module
 */

import type { EventLoop } from "./event_loop.ts";
import { CancelledError, InvalidStateError } from "./errors.ts";
import { defaultLoop } from "./_state.ts";
import { builtOptions, checkOptionNames, FUTURE_OPTIONS } from "./_options.ts";
import { checkCallback, describeValue, isGeneratorFunction } from "./_util.ts";
import type { Waiter } from "./handle.ts";
import { FanIn } from "./_fan_in.ts";
import {
  captureSource,
  formatSource,
  type SourceStack,
  unwatchUnretrieved,
  watchUnretrieved,
} from "./_debug.ts";

const PENDING = 0;
const FINISHED = 1;
const CANCELLED = 2;
const STATE_NAMES = ["pending", "finished", "cancelled"] as const;

/**
 * @ignore @internal What a Future subclass declares so that its
 * constructor refuses option names it does not read (Task adds its own).
 * Exported through eventloop/_lowlevel.ts.
 */
export interface OptionNamed {
  /** The option names the constructor reads. */
  readonly _optionNames: Readonly<Record<string, true>>;
}

/** What a pending future keeps to call or wake once done. */
type DoneEntry = ((future: never) => void) | Waiter | FanIn<never>;

/** A done-callback as `addDoneCallback` receives it. */
export type DoneCallback<F> = (future: F) => void;

/** Options of the {@linkcode Future} constructor. */
export interface FutureOptions {
  /**
   * The loop the future's callbacks run on.
   *
   * @default {the running loop, else the one set with `setEventLoop`}
   */
  loop?: EventLoop;
}

/**
 * The eventual result of an operation: pending, then finished with a result or
 * an error, or cancelled.
 *
 * Done-callbacks are always scheduled through the loop with `callSoon`, never
 * called inline. A coroutine waits for a future with `yield*` (which gives its
 * result, or throws its error); plain async code can `await` it, as it is a
 * `PromiseLike`.
 *
 * asyncio: `asyncio.Future`.
 *
 * @typeParam T The type of the result.
 *
 * @example Waiting for a future from a task
 * ```ts
 * import { run, getRunningLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const answer = await run(function* () {
 *   const loop = getRunningLoop();
 *   const fut = loop.createFuture<number>();
 *   loop.callLater(0.01, () => fut.setResult(42));
 *   return yield* fut;
 * }());
 * assert.equal(answer, 42);
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /** @ignore @internal 0 pending, 1 finished, 2 cancelled. */
  _state: number = PENDING;
  /** @ignore @internal */
  _result: T | undefined = undefined;
  /** @ignore @internal */
  _exception: unknown = undefined;
  /** @ignore @internal */
  _loop: EventLoop;
  /**
   * @internal Functions, or waiters woken without a handle: the only one
   * as it is (most futures have one, and an array for it was a tenth of
   * what a gathered task allocates), an array once there are more.
   * @ignore
   */
  _callbacks: DoneEntry | DoneEntry[] | null = null;
  /** @ignore @internal */
  _cancelMessage: string | undefined = undefined;
  /** @ignore @internal The CancelledError a task's coroutine raised, kept to rethrow it. */
  _cancelledExc: CancelledError | null = null;
  /**
   * @internal Where the future was made, captured in debug mode only; its
   * text is formatted when first read (formatting is the costly part).
   * @ignore
   */
  _source: SourceStack | null = null;
  #logTraceback = false;

  /**
   * @internal The option names the constructor takes: a subclass with more
   * options (Task) names them all here, and its constructor passes them on.
   * @ignore
   */
  static readonly _optionNames: Readonly<Record<string, true>> = FUTURE_OPTIONS;

  /**
   * Makes a pending future. Prefer `loop.createFuture()`.
   *
   * @param options Which loop it belongs to.
   * @throws {TypeError} If `options` is not an options object: asyncio's
   * positional `Future(loop)` is `new Future({ loop })` here, and anything
   * else (`new Future(42)`) is refused rather than ignored; if an option is
   * unknown, or `loop` is not an EventLoop.
   */
  constructor(options?: FutureOptions) {
    let loop: EventLoop;
    if (options === undefined) {
      loop = defaultLoop();
    } else if (options === builtOptions.next && options !== null) {
      // Built by the module (createFuture, createTask) with its own loop.
      builtOptions.next = null;
      loop = options.loop!;
    } else {
      loop = loopOfOptions(options, new.target);
    }
    this._loop = loop;
    if (loop.getDebug()) this._source = captureSource(new.target);
  }

  /**
   * @internal Where the future was made, as stack lines without this
   * package's frames; `null` unless it was made in debug mode.
   * @ignore
   */
  get _sourceTraceback(): string | null {
    return this._source === null ? null : formatSource(this._source);
  }

  /**
   * @internal `true` while an error is set that nobody has read yet. Setting
   * it watches the future: if it is collected while still `true`, "exception
   * was never retrieved" goes to the loop's exception handler.
   * @ignore
   */
  get _logTraceback(): boolean {
    return this.#logTraceback;
  }

  /** @ignore @internal */
  set _logTraceback(value: boolean) {
    if (value === this.#logTraceback) return;
    this.#logTraceback = value;
    if (value) {
      watchUnretrieved(this, "_coro" in this ? "Task" : "Future");
    } else unwatchUnretrieved(this);
  }

  /**
   * The loop this future is bound to.
   *
   * @returns The loop.
   */
  getLoop(): EventLoop {
    return this._loop;
  }

  /**
   * Whether the future is finished or cancelled.
   *
   * @returns `true` unless it is pending.
   */
  done(): boolean {
    return this._state !== PENDING;
  }

  /**
   * Whether the future was cancelled.
   *
   * @returns `true` once cancelled.
   */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /**
   * The result of the future.
   *
   * @returns The value set with {@linkcode Future.setResult}.
   * @throws {CancelledError} If it was cancelled.
   * @throws {InvalidStateError} If it is still pending.
   * @throws The error set with {@linkcode Future.setException}.
   */
  result(): T {
    if (this._state === FINISHED) {
      if (this._exception !== undefined) {
        this._logTraceback = false;
        throw this._exception;
      }
      return this._result as T;
    }
    if (this._state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Result is not ready.");
  }

  /**
   * The error the future finished with, or `undefined` when it has a result.
   *
   * @returns The error, if any.
   * @throws {CancelledError} If it was cancelled.
   * @throws {InvalidStateError} If it is still pending.
   */
  exception(): unknown {
    if (this._state === FINISHED) {
      this._logTraceback = false;
      return this._exception;
    }
    if (this._state === CANCELLED) throw this._makeCancelledError();
    throw new InvalidStateError("Exception is not set.");
  }

  /**
   * Finishes the future with a result and schedules its callbacks.
   *
   * @param result The result.
   * @throws {InvalidStateError} If it is already done.
   */
  setResult(result: T): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`invalid state: ${this.toString()}`);
    }
    this._result = result;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  /**
   * Finishes the future with an error and schedules its callbacks.
   *
   * @param exception The error; anything but `undefined` or `null`.
   * @throws {InvalidStateError} If it is already done.
   * @throws {TypeError} If `exception` is `undefined` or `null`.
   */
  setException(exception: unknown): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`invalid state: ${this.toString()}`);
    }
    if (exception === undefined || exception === null) {
      throw new TypeError(
        `Cannot set the exception of a future as 'exception' must be an error: received ${exception}`,
      );
    }
    this._exception = exception;
    this._state = FINISHED;
    this._logTraceback = true;
    this._scheduleCallbacks();
  }

  /**
   * Cancels the future and schedules its callbacks.
   *
   * @param msg A message for the {@linkcode CancelledError}.
   * @returns `false` if it was already done, else `true`.
   */
  cancel(msg?: string): boolean {
    this._logTraceback = false;
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._cancelMessage = msg;
    this._scheduleCallbacks();
    return true;
  }

  /**
   * Adds a callback to be scheduled with `callSoon` when the future is done
   * (at once if it is done already).
   *
   * @param callback Called with the future.
   * @throws {TypeError} If `callback` is not a function, or is a generator
   * function (whose coroutine would never run).
   */
  addDoneCallback(callback: DoneCallback<this>): void {
    if (typeof callback !== "function" || isGeneratorFunction(callback)) {
      checkCallback(callback, "Cannot add a done callback as 'callback'");
    }
    if (this._state !== PENDING) {
      this._loop.callSoon(callback, this);
    } else {
      addEntry(this, callback);
    }
  }

  /**
   * Removes every registration of a callback.
   *
   * @param callback The callback given to {@linkcode Future.addDoneCallback}.
   * @returns How many were removed.
   */
  removeDoneCallback(callback: DoneCallback<this>): number {
    const callbacks = this._callbacks;
    if (callbacks === null) return 0;
    if (!Array.isArray(callbacks)) {
      if (callbacks !== callback) return 0;
      this._callbacks = null;
      return 1;
    }
    const kept = callbacks.filter((cb) => cb !== callback);
    const removed = callbacks.length - kept.length;
    if (removed > 0) this._callbacks = kept;
    return removed;
  }

  /** @ignore @internal Wakes `waiter` (a task) when done; no handle is made. */
  _addWaiter(waiter: Waiter): void {
    addEntry(this, waiter);
  }

  /**
   * @internal `addDoneCallback(fanIn._callback)` without a Handle for it
   * (eventloop/_fan_in.ts).
   * @ignore
   */
  _addFanIn(fanIn: FanIn<never>): void {
    if (this._state !== PENDING) fanIn._schedule(this as Future<unknown>);
    else addEntry(this as Future<unknown>, fanIn);
  }

  /** @ignore @internal */
  _scheduleCallbacks(): void {
    const callbacks = this._callbacks;
    if (callbacks === null) return;
    this._callbacks = null;
    if (!Array.isArray(callbacks)) {
      scheduleEntry(this, callbacks);
      return;
    }
    for (let i = 0; i < callbacks.length; i++) {
      scheduleEntry(this, callbacks[i]);
    }
  }

  /** @ignore @internal asyncio's `_make_cancelled_error`. */
  _makeCancelledError(): CancelledError {
    const saved = this._cancelledExc;
    if (saved !== null) {
      this._cancelledExc = null;
      return saved;
    }
    return new CancelledError(this._cancelMessage);
  }

  /**
   * Lets a coroutine wait with `yield* future`: it suspends while the future
   * is pending and gives its result (or throws its error) once done.
   *
   * @returns An iterator for `yield*`.
   */
  [Symbol.iterator](): Iterator<Future<T>, T, unknown> {
    return new FutureIterator(this);
  }

  /**
   * Lets plain async code `await` the future. The result arrives through a
   * done-callback, so the future's loop must be running.
   *
   * @typeParam R1 The type the fulfilled handler returns.
   * @typeParam R2 The type the rejected handler returns.
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the error (a {@linkcode CancelledError} if
   * cancelled).
   * @returns A promise of the handlers' result.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this._logTraceback = false;
    const promise = new Promise<T>((resolve, reject) => {
      const settle = () => {
        try {
          resolve(this.result());
        } catch (error) {
          reject(error);
        }
      };
      if (this._state !== PENDING) settle();
      else this.addDoneCallback(settle);
    });
    return promise.then(onfulfilled, onrejected);
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Future finished result=1>`.
   */
  toString(): string {
    let info = STATE_NAMES[this._state];
    if (this._state === FINISHED) {
      info += this._exception !== undefined
        ? ` exception=${String(this._exception)}`
        : ` result=${describeResult(this._result)}`;
    }
    return `<${this.constructor.name} ${info}>`;
  }
}

// Module functions rather than private methods: a class with private
// methods gives each instance a slot for its brand, and every task is a
// Future.

/** Adds a done-callback or a waiter to a pending future. */
function addEntry(future: Future<unknown>, entry: DoneEntry): void {
  const callbacks = future._callbacks;
  if (callbacks === null) future._callbacks = entry;
  else if (Array.isArray(callbacks)) callbacks.push(entry);
  else future._callbacks = [callbacks, entry];
}

/** Schedules a done-callback, or wakes a waiter, of a future now done. */
function scheduleEntry(future: Future<unknown>, entry: DoneEntry): void {
  if (typeof entry === "function") {
    future._loop._callSoonDone(entry, future);
  } else if (entry instanceof FanIn) {
    entry._schedule(future);
  } else {
    entry._wakeFrom = future;
    future._loop._pushReady(entry);
  }
}

/** Whether `value` looks like an EventLoop (of this copy of the package or another). */
function isLoop(value: unknown): value is EventLoop {
  return typeof value === "object" && value !== null &&
    typeof (value as EventLoop).createFuture === "function";
}

/**
 * The loop named by options given to a Future's (or a subclass's)
 * constructor, once they are checked; kept out of the constructor, whose
 * hot path is the module's own options.
 */
function loopOfOptions(
  options: unknown,
  ctor: { name: string } & OptionNamed,
): EventLoop {
  if (typeof options !== "object" || options === null) {
    throw badFutureOptions(ctor.name, options);
  }
  const given = (options as FutureOptions).loop;
  // A loop given positionally has no 'loop' field of its own.
  if (given === undefined && isLoop(options)) {
    throw badFutureOptions(ctor.name, options);
  }
  checkOptionNames(options, ctor._optionNames, `create ${ctor.name}`);
  if (given === undefined) return defaultLoop();
  if (isLoop(given)) return given;
  throw new TypeError(
    `Cannot create ${ctor.name} as 'loop' must be an EventLoop: received ${
      describeValue(given)
    }`,
  );
}

function badFutureOptions(name: string, options: unknown): TypeError {
  if (isLoop(options)) {
    const [asyncio, here, factory] = name === "Future"
      ? ["Future(loop)", "new Future({ loop })", "loop.createFuture()"]
      : [
        `${name}(coro, loop)`,
        `new ${name}(coro, { loop })`,
        "loop.createTask(coro)",
      ];
    return new TypeError(
      `Cannot create ${name} from a loop given positionally (asyncio's old ${asyncio}): pass it as an option, ${here}, or call ${factory}`,
    );
  }
  return new TypeError(
    `Cannot create ${name} as its options must be an object such as { loop }: received ${
      describeValue(options)
    }`,
  );
}

function describeResult(value: unknown): string {
  try {
    const text = typeof value === "string"
      ? JSON.stringify(value)
      : String(value);
    return text.length > 60 ? text.slice(0, 57) + "..." : text;
  } catch {
    return "<unprintable>";
  }
}

/**
 * The iterator behind `yield* future`: yields the future once while it is
 * pending, then returns its result. A class rather than a generator so that
 * `yield*` of a done future allocates almost nothing.
 */
class FutureIterator<T> implements Iterator<Future<T>, T, unknown> {
  #future: Future<T>;
  #yielded = false;

  constructor(future: Future<T>) {
    this.#future = future;
  }

  next(): IteratorResult<Future<T>, T> {
    const future = this.#future;
    if (future._state === PENDING) {
      if (!this.#yielded) {
        this.#yielded = true;
        return { done: false, value: future };
      }
      throw new Error(
        `'yield* future' was resumed before ${future.toString()} was done: futures can only be waited for inside a Task`,
      );
    }
    return { done: true, value: future.result() };
  }

  throw(error: unknown): IteratorResult<Future<T>, T> {
    throw error;
  }

  return(value: T): IteratorResult<Future<T>, T> {
    return { done: true, value };
  }
}

/**
 * {@linkcode timeout}, {@linkcode timeoutAt} and {@linkcode Timeout}: a
 * deadline for a block of code.
 *
 * @module
 */

import {
  type Coroutine,
  currentTaskOf,
  describeValue,
  isGenerator,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { CancelledError, TimeoutError } from "../eventloop/errors.ts";
import type { Handle } from "../eventloop/handle.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Task } from "./task.ts";

/** The body of a `timeout`: a coroutine, or a function of the Timeout. */
export type TimeoutBody<T> = Coroutine<T> | ((t: Timeout) => Coroutine<T>);

const CREATED = "created";
const ENTERED = "active";
const EXPIRING = "expiring";
const EXPIRED = "expired";
const EXITED = "finished";

/**
 * The deadline of a running {@linkcode timeout} or {@linkcode timeoutAt}
 * block. The block's body receives it when it is a function, and can read
 * and move the deadline.
 *
 * On expiry the task running the block is cancelled; the block turns that
 * cancellation into {@linkcode TimeoutError}, unless the task was also
 * cancelled from elsewhere (then `CancelledError` goes on, as in asyncio).
 *
 * asyncio: `asyncio.Timeout`.
 *
 * @example Pushing the deadline back
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep, timeout } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const result = await run(function* () {
 *   return yield* timeout(1, function* (t) {
 *     t.reschedule(t.when()! + 10);
 *     yield* sleep(5);
 *     return t.expired() ? "expired" : "done in time";
 *   });
 * }, { virtualTime: true });
 * assert.equal(result, "done in time");
 * ```
 */
export class Timeout {
  #state: string = CREATED;
  #when: number | null;
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  #cancelling = 0;

  /**
   * Makes an unentered deadline; {@linkcode timeout} and
   * {@linkcode timeoutAt} make it and run their body under it.
   *
   * @param when The loop time of the deadline, or `null` for none.
   * @throws {TypeError} If `when` is neither a number nor `null`.
   */
  constructor(when: number | null) {
    this.#when = checkWhen(when, "Timeout's 'when'");
  }

  /**
   * The deadline, in loop time (seconds), or `null` for none.
   *
   * asyncio: `Timeout.when()`.
   *
   * @returns The deadline.
   */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline; `null` removes it. A deadline in the past expires at
   * the next turn of the loop.
   *
   * asyncio: `Timeout.reschedule()`.
   *
   * @param when The new deadline in loop time, or `null`.
   * @throws {TypeError} If `when` is neither a number nor `null`.
   * @throws {Error} If the block is not running (not entered yet, expired or
   * finished).
   *
   * @example Removing the deadline
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { sleep, timeout } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   yield* timeout(1, function* (t) {
   *     t.reschedule(null);
   *     yield* sleep(100);
   *     assert.equal(t.when(), null);
   *   });
   * }, { virtualTime: true });
   * ```
   */
  reschedule(when: number | null): void {
    const checked = checkWhen(when, "Timeout.reschedule()'s 'when'");
    if (this.#state !== ENTERED) {
      if (this.#state === CREATED) {
        throw new Error("Timeout has not been entered");
      }
      throw new Error(`Cannot change state of ${this.#state} Timeout`);
    }
    this.#when = checked;
    if (this.#handle !== null) this.#handle.cancel();
    if (checked === null) {
      this.#handle = null;
    } else {
      const loop = getRunningLoop();
      this.#handle = checked <= loop.time()
        ? loop.callSoon(() => this.#onTimeout())
        : loop.callAt(checked, () => this.#onTimeout());
    }
  }

  /**
   * Whether the deadline passed (the block was cancelled for it).
   *
   * asyncio: `Timeout.expired()`.
   *
   * @returns `true` once it expired.
   */
  expired(): boolean {
    return this.#state === EXPIRING || this.#state === EXPIRED;
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Timeout [active] when=12.5>`.
   */
  toString(): string {
    const when = this.#state === ENTERED ? ` when=${this.#when}` : "";
    return `<Timeout [${this.#state}]${when}>`;
  }

  /** @ignore @internal Runs `body` under the deadline in the current task. */
  *_run<T>(body: TimeoutBody<T>): Coroutine<T> {
    this.#enter();
    let exited = false;
    try {
      const coro = typeof body === "function" ? body(this) : body;
      if (!isGenerator(coro)) {
        throw new TypeError(
          `timeout()'s 'body' function must return a coroutine: received ${
            describeValue(coro)
          }`,
        );
      }
      const result = yield* coro;
      exited = true;
      this.#exit(false, undefined);
      return result;
    } catch (error) {
      if (!exited) {
        exited = true;
        this.#exit(true, error);
      }
      throw error;
    } finally {
      // Someone called return() on the coroutine: still leave no timer.
      if (!exited) this.#exit(false, undefined);
    }
  }

  #enter(): void {
    if (this.#state !== CREATED) {
      throw new Error("Timeout has already been entered");
    }
    const task = currentTaskOf(getRunningLoop());
    if (task === null) throw new Error("Timeout should be used inside a task");
    this.#state = ENTERED;
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /**
   * asyncio's `Timeout.__aexit__`: an expiry whose cancellation is the only
   * one pending becomes TimeoutError; if others are pending (an outer
   * timeout, a cancel from outside), CancelledError goes on.
   */
  #exit(failed: boolean, error: unknown): void {
    if (this.#handle !== null) {
      this.#handle.cancel();
      this.#handle = null;
    }
    if (this.#state === EXPIRING) {
      this.#state = EXPIRED;
      const remaining = this.#task!.uncancel();
      if (
        remaining <= this.#cancelling && failed &&
        error instanceof CancelledError
      ) {
        const timeoutError = new TimeoutError();
        timeoutError.cause = error;
        throw timeoutError;
      }
    } else if (this.#state === ENTERED) {
      this.#state = EXITED;
    }
  }

  #onTimeout(): void {
    if (this.#state !== ENTERED) return;
    this.#task!.cancel();
    this.#state = EXPIRING;
    this.#handle = null;
  }
}

/**
 * Runs `body` with a deadline `delay` seconds from now: if it has not
 * finished by then it is cancelled at its suspension point (its `finally`
 * blocks run) and the call throws {@linkcode TimeoutError}. `null` means no
 * deadline. The body runs in the current task — it is not a new task — and
 * its result is returned.
 *
 * `body` is a coroutine, or a function that receives the {@linkcode Timeout}
 * (to read or move the deadline) and returns one. Nested timeouts each throw
 * only their own `TimeoutError`; a cancellation from outside wins over an
 * expiry. A body that catches the cancellation and returns normally returns
 * its value (check `t.expired()`).
 *
 * asyncio: `async with asyncio.timeout(delay):`.
 *
 * @typeParam T The body's result type.
 * @param delay Seconds until the deadline (0 or less: at the next turn), or
 * `null` for none.
 * @param body A coroutine, or `(t: Timeout) => Coroutine<T>`.
 * @returns A coroutine to `yield*`, giving the body's result.
 * @throws {TypeError} If `delay` is neither a number nor `null`, or `body` is
 * neither a coroutine nor a function.
 * @throws {TimeoutError} From the coroutine, when the deadline passes.
 * @throws {Error} From the coroutine, when it runs outside a task.
 *
 * @example Giving up on slow work
 * ```ts
 * import { run, TimeoutError } from "@asyncio/asyncio/eventloop";
 * import { sleep, timeout } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   try {
 *     yield* timeout(1, function* () {
 *       try {
 *         yield* sleep(3600);
 *       } finally {
 *         log.push("cleanup ran");
 *       }
 *     }());
 *   } catch (error) {
 *     log.push(error instanceof TimeoutError ? "timed out" : "?");
 *   }
 * }, { virtualTime: true });
 * assert.deepEqual(log, ["cleanup ran", "timed out"]);
 * ```
 */
export function timeout<T>(
  delay: number | null,
  body: TimeoutBody<T>,
): Coroutine<T> {
  checkWhen(delay, "timeout()'s 'delay'");
  checkBody(body, "timeout()");
  return watchCoroutine(withDeadline(delay, true, body), "timeout");
}

/**
 * Runs `body` with a deadline at the loop time `when` (as `loop.time()`
 * reads); otherwise the same as {@linkcode timeout}.
 *
 * asyncio: `async with asyncio.timeout_at(when):`.
 *
 * @typeParam T The body's result type.
 * @param when The deadline in loop time, or `null` for none.
 * @param body A coroutine, or `(t: Timeout) => Coroutine<T>`.
 * @returns A coroutine to `yield*`, giving the body's result.
 * @throws {TypeError} If `when` is neither a number nor `null`, or `body` is
 * neither a coroutine nor a function.
 * @throws {TimeoutError} From the coroutine, when the deadline passes.
 *
 * @example A deadline shared by several steps
 * ```ts
 * import { getRunningLoop, run, TimeoutError } from "@asyncio/asyncio/eventloop";
 * import { sleep, timeoutAt } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   const deadline = getRunningLoop().time() + 5;
 *   yield* timeoutAt(deadline, sleep(3));
 *   log.push("first step in time");
 *   try {
 *     yield* timeoutAt(deadline, sleep(3));
 *   } catch (error) {
 *     if (error instanceof TimeoutError) log.push("second step too late");
 *   }
 *   assert.equal(getRunningLoop().time(), 5);
 * }, { virtualTime: true });
 * assert.deepEqual(log, ["first step in time", "second step too late"]);
 * ```
 */
export function timeoutAt<T>(
  when: number | null,
  body: TimeoutBody<T>,
): Coroutine<T> {
  checkWhen(when, "timeoutAt()'s 'when'");
  checkBody(body, "timeoutAt()");
  return watchCoroutine(withDeadline(when, false, body), "timeoutAt");
}

function* withDeadline<T>(
  time: number | null,
  relative: boolean,
  body: TimeoutBody<T>,
): Coroutine<T> {
  const when = time !== null && relative
    ? getRunningLoop().time() + time
    : time;
  return yield* new Timeout(when)._run(body);
}

function checkWhen(value: unknown, what: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `${what} must be a number of seconds or null: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

function checkBody(body: unknown, where: string): void {
  if (typeof body !== "function" && !isGenerator(body)) {
    throw new TypeError(
      `${where}'s 'body' must be a coroutine or a function returning one: received ${
        describeValue(body)
      }`,
    );
  }
}

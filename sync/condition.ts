/**
 * {@linkcode Condition}: wait until another task says something changed.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import { CancelledError } from "../eventloop/errors.ts";
import {
  checkCount,
  type Coroutine,
  describeValue,
  LoopBinding,
  ParkingLot,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { Held } from "./_hold.ts";
import { Lock } from "./lock.ts";

/**
 * A condition variable: tasks holding its lock `wait()` until another task,
 * holding the lock too, calls `notify()`. `wait()` releases the lock while
 * it waits and takes it back before it returns — even when it is cancelled,
 * so the caller's `finally` always runs with the lock held.
 *
 * As asyncio's, `wait()` may wake spuriously: re-check the state, or use
 * `waitFor(predicate)`.
 *
 * asyncio: `asyncio.Condition`.
 *
 * @example A consumer waiting for items
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Condition } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const cond = new Condition();
 * const items: string[] = [];
 * const got = await run(function* () {
 *   const consumer = createTask(function* () {
 *     using _ = yield* cond.hold();
 *     yield* cond.waitFor(() => items.length > 0);
 *     return items.shift();
 *   }());
 *   yield* sleep(1);
 *   {
 *     using _ = yield* cond.hold();
 *     items.push("apple");
 *     cond.notify();
 *   }
 *   return yield* consumer;
 * }(), { virtualTime: true });
 * assert.equal(got, "apple");
 * ```
 */
export class Condition {
  #lock: Lock;
  #binding = new LoopBinding(this);
  /**
   * The waiters (eventloop/_parking_lot.ts). A waiter that fails after it
   * was notified passes a notification on itself, once it holds the lock
   * again (asyncio's wait()), so the lot hands nothing off.
   */
  #lot: ParkingLot<false> = new ParkingLot(this, {
    binding: this.#binding,
    handOff: () => {},
  });

  /**
   * Makes a condition over `lock`, or over a new {@linkcode Lock}.
   *
   * @param lock A lock to share with other code or conditions.
   * @throws {TypeError} If `lock` is given and is not a `Lock`.
   */
  constructor(lock?: Lock) {
    if (lock === undefined) lock = new Lock();
    else if (!(lock instanceof Lock)) {
      throw new TypeError(
        `Cannot create Condition as 'lock' must be a Lock: received ${
          describeValue(lock)
        }`,
      );
    }
    this.#lock = lock;
  }

  /**
   * Whether the underlying lock is held.
   *
   * asyncio: `Condition.locked()`.
   *
   * @returns `true` while some task holds it.
   */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the underlying lock.
   *
   * asyncio: `Condition.acquire()`.
   *
   * @returns A coroutine to `yield*`; it returns `true`.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  acquire(): Coroutine<true> {
    return watchCoroutine(this.#lock.acquire(), "Condition.acquire");
  }

  /**
   * Releases the underlying lock.
   *
   * asyncio: `Condition.release()`.
   *
   * @throws {Error} If the lock is not held.
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the underlying lock and returns a `Disposable` that releases
   * it, for `using _ = yield* cond.hold();`.
   *
   * asyncio: `async with condition`.
   *
   * @returns A coroutine to `yield*`; it returns the disposable.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  hold(): Coroutine<Disposable> {
    return watchCoroutine(this.#hold(), "Condition.hold");
  }

  *#hold(): Coroutine<Disposable> {
    yield* this.#lock.acquire();
    return new Held(this);
  }

  /**
   * Releases the lock, waits to be notified, then re-acquires the lock.
   * The lock is re-acquired even when the wait is cancelled; the
   * cancellation is thrown once it is held again.
   *
   * asyncio: `Condition.wait()`.
   *
   * @returns A coroutine to `yield*`; it returns `true`.
   * @throws {Error} If the lock is not held by the caller.
   * @throws {CancelledError} If the task is cancelled (the lock is held
   * again when it is thrown).
   */
  wait(): Coroutine<true> {
    return watchCoroutine(this.#wait(), "Condition.wait");
  }

  *#wait(): Coroutine<true> {
    if (!this.locked()) {
      throw new Error("Cannot wait on a Condition whose lock is not acquired");
    }
    // Bound before the lock is released, as asyncio makes its future first.
    this.#binding.loop();
    this.#lock.release();
    // Whether the body ended by a result or an error; neither means the
    // generator is being closed with return(), which must not wait again.
    let ended = false;
    try {
      try {
        try {
          yield* this.#lot.park();
          ended = true;
          return true;
        } catch (error) {
          ended = true;
          throw error;
        }
      } finally {
        if (ended) yield* this.#reacquire();
      }
    } catch (error) {
      // We may have been notified and then failed: pass the notification
      // on. This can wake another waiter spuriously, which the protocol
      // allows.
      this.#notify(1);
      throw error;
    }
  }

  /** Takes the lock back, retrying through cancellations; rethrows the last. */
  *#reacquire(): Coroutine<void> {
    let cancelled: CancelledError | null = null;
    for (;;) {
      try {
        yield* this.#lock.acquire();
        break;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        cancelled = error;
      }
    }
    if (cancelled !== null) throw cancelled;
  }

  /**
   * Waits until `predicate()` is truthy, calling it first and after each
   * wake-up, with the lock held.
   *
   * asyncio: `Condition.wait_for()`.
   *
   * @typeParam T What the predicate returns.
   * @param predicate Called with the lock held.
   * @returns A coroutine to `yield*`; it returns the predicate's last,
   * truthy result.
   * @throws {TypeError} If `predicate` is not a function.
   * @throws {Error} If the lock is not held and the predicate is falsy.
   */
  waitFor<T>(predicate: () => T): Coroutine<T> {
    return watchCoroutine(this.#waitFor<T>(predicate), "Condition.waitFor");
  }

  *#waitFor<T>(predicate: () => T): Coroutine<T> {
    if (typeof predicate !== "function") {
      throw new TypeError(
        `Cannot wait for a condition as 'predicate' must be a function: received ${
          describeValue(predicate)
        }`,
      );
    }
    let result = predicate();
    while (!result) {
      yield* this.wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiting tasks. They return from `wait()` once they get
   * the lock back, so the caller should release it.
   *
   * asyncio: `Condition.notify()`.
   *
   * @param n How many waiters to wake (default 1).
   * @throws {Error} If the lock is not held.
   * @throws {RangeError} If `n` is negative or fractional.
   */
  notify(n?: number): void {
    if (n === undefined) n = 1;
    if (!this.locked()) {
      throw new Error(
        "Cannot notify on a Condition whose lock is not acquired",
      );
    }
    if (n !== Infinity) checkCount(n, "Cannot notify as 'n'", 0);
    this.#notify(n);
  }

  /**
   * Wakes every waiting task.
   *
   * asyncio: `Condition.notify_all()`.
   *
   * @throws {Error} If the lock is not held.
   */
  notifyAll(): void {
    this.notify(this.#lot.size);
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Condition [unlocked, waiters:1]>`.
   */
  toString(): string {
    let extra = this.locked() ? "locked" : "unlocked";
    const waiters = this.#lot.size;
    if (waiters > 0) extra += `, waiters:${waiters}`;
    return `<Condition [${extra}]>`;
  }

  #notify(n: number): void {
    for (let woken = 0; woken < n && this.#lot.unparkFirst(false); woken++);
  }
}

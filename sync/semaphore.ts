/**
 * {@linkcode Semaphore} and {@linkcode BoundedSemaphore}: counters that limit
 * how many tasks run a section at once.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import {
  checkCount,
  type Coroutine,
  ParkingLot,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { Held } from "./_hold.ts";

/**
 * A counter of free slots. `acquire()` takes one, suspending while there are
 * none; `release()` gives one back and wakes the first waiter. Waiters are
 * served in FIFO order: a newcomer does not overtake a queued task even when
 * a slot is free, and a waiter cancelled just as it was given a slot gives it
 * back to the next one.
 *
 * asyncio: `asyncio.Semaphore`.
 *
 * @example At most two at a time
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Semaphore } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const slots = new Semaphore(2);
 * let running = 0;
 * let most = 0;
 * function* job() {
 *   using _ = yield* slots.hold();
 *   running++;
 *   most = Math.max(most, running);
 *   yield* sleep(1);
 *   running--;
 * }
 * const elapsed = await run(function* () {
 *   const jobs = Array.from({ length: 5 }, () => createTask(job()));
 *   for (const j of jobs) yield* j;
 *   return jobs[0].getLoop().time();
 * }(), { virtualTime: true });
 * assert.equal(most, 2);
 * assert.equal(elapsed, 3);
 * ```
 */
export class Semaphore {
  /** @ignore @internal Free slots. */
  _value: number;
  /**
   * The waiters (eventloop/_parking_lot.ts). A waiter is woken with a slot
   * already counted out; one that leaves without it gives the slot back, and
   * acquire() then wakes whoever may have it.
   */
  #lot: ParkingLot<true> = new ParkingLot(this, {
    handOff: () => this._value++,
  });

  /**
   * Makes a semaphore with `value` free slots.
   *
   * @param value The initial number of free slots (default 1).
   * @throws {RangeError} If `value` is a negative or fractional number.
   * @throws {TypeError} If `value` is not a number.
   */
  constructor(value?: number) {
    if (value === undefined) value = 1;
    this._value = checkCount(
      value,
      `Cannot create ${new.target.name} as 'value'`,
      0,
    );
  }

  /**
   * Whether `acquire()` would suspend: no slot is free, or tasks are queued
   * ahead (FIFO).
   *
   * asyncio: `Semaphore.locked()`.
   *
   * @returns `true` if a new `acquire()` would wait.
   */
  locked(): boolean {
    return this._value === 0 || this.#lot.hasWaiters();
  }

  /**
   * Takes a slot, suspending until one is free and every earlier waiter has
   * been served.
   *
   * asyncio: `Semaphore.acquire()`.
   *
   * @returns A coroutine to `yield*`; it returns `true`.
   * @throws {CancelledError} If the task is cancelled while waiting (it then
   * holds no slot).
   * @throws {Error} If the semaphore is bound to another event loop.
   */
  acquire(): Coroutine<true> {
    return watchCoroutine(this.#acquire(), "Semaphore.acquire");
  }

  *#acquire(): Coroutine<true> {
    if (!this.locked()) {
      this._value--;
      return true;
    }
    try {
      yield* this.#lot.park();
    } finally {
      // Newcomers may have queued behind us while a slot was free.
      while (this._value > 0 && this.#wakeUpNext());
    }
    return true;
  }

  /**
   * Takes a slot and returns a `Disposable` that gives it back, for
   * `using _ = yield* semaphore.hold();`.
   *
   * asyncio: `async with semaphore`.
   *
   * @returns A coroutine to `yield*`; it returns the disposable, which
   * releases once, on its first dispose.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  hold(): Coroutine<Disposable> {
    return watchCoroutine(this.#hold(), "Semaphore.hold");
  }

  *#hold(): Coroutine<Disposable> {
    yield* this.acquire();
    return new Held(this);
  }

  /**
   * Gives a slot back and wakes the first waiter, if any.
   *
   * asyncio: `Semaphore.release()`.
   */
  release(): void {
    this._value++;
    this.#wakeUpNext();
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Semaphore [unlocked, value:2]>`.
   */
  toString(): string {
    let extra = this.locked() ? "locked" : `unlocked, value:${this._value}`;
    const waiters = this.#lot.size;
    if (waiters > 0) extra += `, waiters:${waiters}`;
    return `<${this.constructor.name} [${extra}]>`;
  }

  /** Hands a slot to the first waiter not yet woken; `false` if none. */
  #wakeUpNext(): boolean {
    if (!this.#lot.unparkFirst(true)) return false;
    this._value--;
    return true;
  }
}

/**
 * A {@linkcode Semaphore} that may not be released more often than it was
 * acquired: its count never exceeds the initial value.
 *
 * asyncio: `asyncio.BoundedSemaphore`.
 *
 * @example Releasing too often is an error
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { BoundedSemaphore } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const sem = new BoundedSemaphore(1);
 * await run(function* () {
 *   yield* sem.acquire();
 *   sem.release();
 * }());
 * assert.throws(() => sem.release(), /released too many times/);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  #bound: number;

  /**
   * Makes a bounded semaphore with `value` free slots, also its maximum.
   *
   * @param value The initial and largest number of free slots (default 1).
   * @throws {RangeError} If `value` is a negative or fractional number.
   * @throws {TypeError} If `value` is not a number.
   */
  constructor(value?: number) {
    if (value === undefined) value = 1;
    super(value);
    this.#bound = value;
  }

  /**
   * Gives a slot back.
   *
   * asyncio: `BoundedSemaphore.release()`.
   *
   * @throws {Error} If that would raise the count above the initial value.
   */
  override release(): void {
    if (this._value >= this.#bound) {
      throw new Error(
        `BoundedSemaphore released too many times: its value is already ${this.#bound}, the initial value`,
      );
    }
    super.release();
  }
}

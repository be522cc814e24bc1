/**
 * {@linkcode Event}: a flag that tasks can wait for.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import {
  type Coroutine,
  ParkingLot,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";

/**
 * A flag, initially unset. `wait()` suspends until it is set; `set()` wakes
 * every waiter at once, and later `wait()` calls return at once until
 * `clear()`.
 *
 * asyncio: `asyncio.Event`.
 *
 * @example Waking every waiter
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Event } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const ready = new Event();
 * const woke: number[] = [];
 * await run(function* () {
 *   const waiters = [1, 2, 3].map((n) =>
 *     createTask(function* () {
 *       yield* ready.wait();
 *       woke.push(n);
 *     }())
 *   );
 *   yield* sleep(1);
 *   assert.deepEqual(woke, []);
 *   ready.set();
 *   for (const w of waiters) yield* w;
 * }(), { virtualTime: true });
 * assert.deepEqual(woke, [1, 2, 3]);
 * assert.equal(ready.isSet(), true);
 * ```
 */
export class Event {
  #value = false;
  /**
   * The waiters (eventloop/_parking_lot.ts). set() wakes them all, so one
   * that leaves has no wake-up to pass on.
   */
  #lot: ParkingLot<true> = new ParkingLot(this, { handOff: () => {} });

  /**
   * Whether the flag is set.
   *
   * asyncio: `Event.is_set()`.
   *
   * @returns `true` once set, until cleared.
   */
  isSet(): boolean {
    return this.#value;
  }

  /**
   * Sets the flag and wakes every task waiting for it.
   *
   * asyncio: `Event.set()`.
   */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    this.#lot.unparkAll(true);
  }

  /**
   * Clears the flag: later `wait()` calls suspend until the next `set()`.
   * Tasks already woken by a `set()` still return.
   *
   * asyncio: `Event.clear()`.
   */
  clear(): void {
    this.#value = false;
  }

  /**
   * Waits until the flag is set; returns at once if it is.
   *
   * asyncio: `Event.wait()`.
   *
   * @returns A coroutine to `yield*`; it returns `true`.
   * @throws {CancelledError} If the task is cancelled while waiting.
   * @throws {Error} If the event is bound to another event loop.
   */
  wait(): Coroutine<true> {
    return watchCoroutine(this.#wait(), "Event.wait");
  }

  *#wait(): Coroutine<true> {
    if (this.#value) return true;
    return yield* this.#lot.park();
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Event [unset, waiters:1]>`.
   */
  toString(): string {
    let extra = this.#value ? "set" : "unset";
    const waiters = this.#lot.size;
    if (waiters > 0) extra += `, waiters:${waiters}`;
    return `<Event [${extra}]>`;
  }
}

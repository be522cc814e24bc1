/**
 * {@linkcode Barrier} and {@linkcode BrokenBarrierError}: let a fixed number
 * of tasks meet before any goes on.
 *
 * Its tasks wait on a Condition, and so in the module's one waiting
 * primitive, a ParkingLot that owns the hand-off of a wake-up a cancelled
 * waiter leaves unused: see "One way to wait" in the README (under "API by
 * folder").
 *
 * @module
 */

import {
  checkCount,
  type Coroutine,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { Condition } from "./condition.ts";

/**
 * Thrown by {@linkcode Barrier.wait} when the barrier is aborted, or reset
 * while the task waits.
 *
 * asyncio: `asyncio.BrokenBarrierError`.
 *
 * @example Recognising the error
 * ```ts
 * import { BrokenBarrierError } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const error = new BrokenBarrierError("Barrier aborted");
 * assert.equal(error.name, "BrokenBarrierError");
 * assert.ok(error instanceof Error);
 * ```
 */
export class BrokenBarrierError extends Error {
  /**
   * Makes the error.
   *
   * @param message What happened to the barrier.
   */
  constructor(message?: string) {
    super(message ?? "Barrier is broken");
    this.name = "BrokenBarrierError";
  }
}

const FILLING = 0;
const DRAINING = 1;
const RESETTING = 2;
const BROKEN = 3;
const STATE_NAMES = ["filling", "draining", "resetting", "broken"] as const;

/**
 * A meeting point for `parties` tasks: each `wait()` suspends until
 * `parties` tasks are waiting, then all of them go on together, and the
 * barrier can be used again. `wait()` returns each task's arrival index,
 * from 0 to `parties - 1`.
 *
 * `abort()` breaks the barrier: waiting and future `wait()` calls throw
 * {@linkcode BrokenBarrierError}. `reset()` sends that error to the tasks
 * waiting now and makes the barrier usable again.
 *
 * asyncio: `asyncio.Barrier`.
 *
 * @example Three tasks meeting
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Barrier } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const barrier = new Barrier(3);
 * const log: string[] = [];
 * await run(function* () {
 *   const tasks = [3, 1, 2].map((delay) =>
 *     createTask(function* () {
 *       yield* sleep(delay);
 *       const index = yield* barrier.wait();
 *       log.push(`${delay}s arrived #${index}`);
 *     }())
 *   );
 *   for (const t of tasks) yield* t;
 * }(), { virtualTime: true });
 * assert.deepEqual(log.sort(), [
 *   "1s arrived #0",
 *   "2s arrived #1",
 *   "3s arrived #2",
 * ]);
 * assert.equal(barrier.nWaiting, 0);
 * ```
 */
export class Barrier {
  #cond = new Condition();
  #parties: number;
  #state = FILLING;
  /** Tasks inside wait(): arriving while filling, or leaving while draining. */
  #count = 0;

  /**
   * Makes a barrier for `parties` tasks.
   *
   * @param parties How many tasks must wait before they all go on.
   * @throws {RangeError} If `parties` is not a positive integer.
   * @throws {TypeError} If `parties` is not a number.
   */
  constructor(parties: number) {
    this.#parties = checkCount(
      parties,
      "Cannot create Barrier as 'parties'",
      1,
    );
  }

  /**
   * Waits until `parties` tasks are waiting, then returns this task's
   * arrival index. While the previous round is still leaving, it first waits
   * for that.
   *
   * asyncio: `Barrier.wait()`.
   *
   * @returns A coroutine to `yield*`; it returns the arrival index, from 0
   * to `parties - 1`.
   * @throws {BrokenBarrierError} If the barrier is aborted, or is reset
   * while this task waits.
   * @throws {CancelledError} If the task is cancelled.
   */
  wait(): Coroutine<number> {
    return watchCoroutine(this.#wait(), "Barrier.wait");
  }

  *#wait(): Coroutine<number> {
    using _ = yield* this.#cond.hold();
    yield* this.#block();
    const index = this.#count++;
    try {
      if (index + 1 === this.#parties) {
        // The last to arrive lets everyone go.
        this.#state = DRAINING;
        this.#cond.notifyAll();
      } else {
        yield* this.#cond.waitFor(() => this.#state !== FILLING);
        if (this.#state === BROKEN || this.#state === RESETTING) {
          throw new BrokenBarrierError("Barrier aborted or reset");
        }
      }
      return index;
    } finally {
      this.#count--;
      this.#exit();
    }
  }

  /**
   * Puts the barrier back in its initial state. Tasks waiting now get
   * {@linkcode BrokenBarrierError}.
   *
   * asyncio: `Barrier.reset()`.
   *
   * @returns A coroutine to `yield*`.
   */
  reset(): Coroutine<void> {
    return watchCoroutine(this.#reset(), "Barrier.reset");
  }

  *#reset(): Coroutine<void> {
    using _ = yield* this.#cond.hold();
    if (this.#count > 0) this.#state = RESETTING;
    else this.#state = FILLING;
    this.#cond.notifyAll();
  }

  /**
   * Breaks the barrier: tasks waiting now, and every later `wait()`, get
   * {@linkcode BrokenBarrierError} (until `reset()`).
   *
   * asyncio: `Barrier.abort()`.
   *
   * @returns A coroutine to `yield*`.
   */
  abort(): Coroutine<void> {
    return watchCoroutine(this.#abort(), "Barrier.abort");
  }

  *#abort(): Coroutine<void> {
    using _ = yield* this.#cond.hold();
    this.#state = BROKEN;
    this.#cond.notifyAll();
  }

  /**
   * How many tasks must wait for the barrier to open.
   *
   * asyncio: `Barrier.parties`.
   *
   * @returns The number given to the constructor.
   */
  get parties(): number {
    return this.#parties;
  }

  /**
   * How many tasks are waiting for the barrier to open.
   *
   * asyncio: `Barrier.n_waiting`.
   *
   * @returns The count while the barrier fills, else 0.
   */
  get nWaiting(): number {
    return this.#state === FILLING ? this.#count : 0;
  }

  /**
   * Whether the barrier is broken (aborted).
   *
   * asyncio: `Barrier.broken`.
   *
   * @returns `true` after `abort()`, until `reset()`.
   */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Barrier [filling, waiters:1/3]>`.
   */
  toString(): string {
    let extra: string = STATE_NAMES[this.#state];
    if (!this.broken) extra += `, waiters:${this.nWaiting}/${this.#parties}`;
    return `<Barrier [${extra}]>`;
  }

  /** Waits while the previous round drains or resets; throws if broken. */
  *#block(): Coroutine<void> {
    yield* this.#cond.waitFor(() =>
      this.#state !== DRAINING && this.#state !== RESETTING
    );
    if (this.#state === BROKEN) {
      throw new BrokenBarrierError("Barrier aborted");
    }
  }

  /** The last task out of a draining or resetting round reopens it. */
  #exit(): void {
    if (this.#count === 0) {
      if (this.#state === RESETTING || this.#state === DRAINING) {
        this.#state = FILLING;
      }
      this.#cond.notifyAll();
    }
  }
}

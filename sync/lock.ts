/**
 * {@linkcode Lock}: a FIFO-fair mutual-exclusion lock for tasks.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import type { Future } from "../eventloop/future.ts";
import {
  type Coroutine,
  type HandBuilt,
  handBuilt,
  ParkingLot,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { Held } from "./_hold.ts";

/**
 * A lock for tasks: `acquire()` suspends while another task holds it, and
 * waiters get it in the order they asked (FIFO). Like asyncio's, it is not
 * owned by a task: any task may release it.
 *
 * A waiter that is cancelled leaves the queue; if it was cancelled at the
 * very moment the lock was handed to it, it passes the wake-up on to the
 * next waiter, so the lock is never stranded. Uncontended `acquire()` does
 * not suspend.
 *
 * The lock binds to the running loop the first time a task has to wait for
 * it, and throws if it is later used from another loop.
 *
 * asyncio: `asyncio.Lock`.
 *
 * @example Holding a lock for a block with `using`
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import { Lock } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * const log: string[] = [];
 * function* worker(name: string) {
 *   using _ = yield* lock.hold();
 *   log.push(`${name} in`);
 *   yield* sleep(1);
 *   log.push(`${name} out`);
 * }
 * await run(function* () {
 *   const a = createTask(worker("a"));
 *   const b = createTask(worker("b"));
 *   yield* a;
 *   yield* b;
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["a in", "a out", "b in", "b out"]);
 * assert.equal(lock.locked(), false);
 * ```
 *
 * @example Acquiring and releasing by hand
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { Lock } from "@asyncio/asyncio/sync";
 * import assert from "node:assert/strict";
 *
 * const lock = new Lock();
 * await run(function* () {
 *   yield* lock.acquire();
 *   try {
 *     assert.equal(lock.locked(), true);
 *   } finally {
 *     lock.release();
 *   }
 * }());
 * assert.throws(() => lock.release(), /not acquired/);
 * ```
 */
export class Lock {
  /** @ignore @internal */
  _locked = false;
  /**
   * @ignore @internal The waiters (eventloop/_parking_lot.ts). One that was handed
   * the lock but leaves without it passes it to the next (the lot's
   * default hand-off).
   */
  _lot: ParkingLot<true> = new ParkingLot(this);

  /**
   * Whether the lock is held.
   *
   * asyncio: `Lock.locked()`.
   *
   * @returns `true` while some task holds it.
   */
  locked(): boolean {
    return this._locked;
  }

  /**
   * Acquires the lock, suspending until it is free and every earlier waiter
   * has had its turn.
   *
   * asyncio: `Lock.acquire()`.
   *
   * @returns A coroutine to `yield*`; it returns `true`.
   * @throws {CancelledError} If the task is cancelled while waiting (the lock
   * is then not held by it).
   * @throws {Error} If the lock is bound to another event loop.
   */
  acquire(): Coroutine<true> {
    return watchCoroutine(new LockAcquire(this, acquired), "Lock.acquire");
  }

  /**
   * Acquires the lock and returns a `Disposable` that releases it, for
   * `using _ = yield* lock.hold();` (asyncio's `async with lock:`).
   *
   * `hold()` costs what `acquire()` costs; the `using` block costs about
   * 0.2 µs more in Deno 2.9 (V8 15.0), whatever it disposes: ten times an
   * uncontended acquire and release. Where a lock is taken millions of
   * times a second, `acquire()` and `release()` in `try`/`finally` avoid it.
   *
   * asyncio: `async with lock`.
   *
   * @returns A coroutine to `yield*`; it returns the disposable, which
   * releases the lock once, on its first dispose.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  hold(): Coroutine<Disposable> {
    return watchCoroutine(new LockAcquire(this, held), "Lock.hold");
  }

  /**
   * Releases the lock and wakes the first waiter, if any.
   *
   * asyncio: `Lock.release()`.
   *
   * @throws {Error} If the lock is not held.
   */
  release(): void {
    if (!this._locked) {
      throw new Error("Cannot release a Lock that is not acquired");
    }
    this._locked = false;
    this._lot.unparkFirst(true);
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Lock [locked, waiters:2]>`.
   */
  toString(): string {
    let extra = this._locked ? "locked" : "unlocked";
    const waiters = this._lot.size;
    if (waiters > 0) extra += `, waiters:${waiters}`;
    return `<Lock [${extra}]>`;
  }
}

/**
 * `acquire()` and `hold()`, hand-built (see eventloop/_coroutine.ts): they
 * behave as asyncio's Lock.acquire(),
 *
 *     if (lock._locked || lock._lot.hasWaiters()) yield* lock._lot.park();
 *     lock._locked = true; return true;
 *
 * A newcomer waits while the lock is held, or while some waiter is still
 * owed it (asyncio lets it jump a queue of cancelled waiters only);
 * release() wakes the first waiter, which takes the lock when it runs, and
 * one that leaves instead passes it on (the lot's hand-off). Hand-built
 * because the generator made `deno task bench`'s Lock row a quarter slower.
 */
interface LockAcquire<T> extends Coroutine<T> {}
class LockAcquire<T> implements HandBuilt<T> {
  _runState = 0;
  #lock: Lock;
  #result: (lock: Lock) => T;
  /** The future it waits on in the lock's lot, while parked. */
  #fut: Future<true> | null = null;

  constructor(lock: Lock, result: (lock: Lock) => T) {
    this.#lock = lock;
    this.#result = result;
  }

  // Parks in the lot without a park() coroutine of its own: one object less
  // per contended acquire (see ParkingLot.take()).
  _step(): IteratorResult<Future<unknown> | undefined, T> {
    const lock = this.#lock;
    const fut = this.#fut;
    if (fut !== null) {
      this.#fut = null;
      lock._lot.take(fut);
    } else if (lock._locked || lock._lot.hasWaiters()) {
      const parked = lock._lot.enter();
      this.#fut = parked;
      return { done: false, value: parked };
    }
    lock._locked = true;
    return { done: true, value: this.#result(lock) };
  }

  _leave(): void {
    const fut = this.#fut;
    if (fut !== null) {
      this.#fut = null;
      this.#lock._lot.leave(fut, false);
    }
  }

  _what(): string {
    return this.#result === held ? "lock.hold()" : "lock.acquire()";
  }
}
handBuilt(LockAcquire);

/** What `acquire()` returns. */
function acquired(): true {
  return true;
}

/** What `hold()` returns: a Disposable that releases the lock once. */
function held(lock: Lock): Disposable {
  return new Held(lock);
}

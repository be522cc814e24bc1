// The one waiting primitive, after Trio's ParkingLot: a FIFO of tasks parked
// until something unparks them. Lock, Event, Condition, Semaphore and the
// Queue's getters, putters and joiners all wait here, and the rule that makes
// their waiting safe under cancellation is written once, in park():
//
//   A waiter unparked with a value, which then leaves without using it (it
//   was cancelled between its wake-up and its turn to run, or closed), gives
//   the wake-up back through the lot's `handOff`: by default the next parked
//   waiter gets it, so a wake-up is never lost (asyncio's "woken but
//   leaving: wake up the next one" in locks.py and queues.py).
//
// A waiter is in the lot from park() until its coroutine resumes: first
// parked, then (once unparked) counted among the unparked. A waiter whose
// task was cancelled stays parked, skipped by the unpark calls, until it
// resumes and leaves. The lot binds to the running loop the first time a
// task parks (asyncio's _LoopBoundMixin), and refuses another loop after.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import { type Coroutine, type HandBuilt, handBuilt } from "./_coroutine.ts";
import { getRunningLoop } from "./registry.ts";

/**
 * asyncio's `mixins._LoopBoundMixin`: a primitive is not bound to a loop
 * when it is made; it binds to the running loop the first time it has to
 * wait, and refuses to be used from another loop afterwards. The lots of one
 * primitive (a Queue's getters and putters) share one binding.
 */
export class LoopBinding {
  #owner: object;
  #loop: EventLoop | null = null;

  /** @param owner The primitive, named in the error. */
  constructor(owner: object) {
    this.#owner = owner;
  }

  /**
   * The running loop, bound on first use.
   *
   * @throws {Error} If no loop is running, or the primitive is bound to
   * another loop.
   */
  loop(): EventLoop {
    const loop = getRunningLoop();
    const bound = this.#loop;
    if (bound === null) this.#loop = loop;
    else if (bound !== loop) {
      throw new Error(
        `${String(this.#owner)} is bound to a different event loop`,
      );
    }
    return loop;
  }
}

/** Options of the {@linkcode ParkingLot} constructor. */
export interface ParkingLotOptions<T> {
  /** The binding to share with the primitive's other lots. */
  binding?: LoopBinding;
  /**
   * What becomes of a wake-up that a waiter leaves without using: by
   * default it goes to the next parked waiter. A primitive whose wake-up
   * carries a resource it counts (a semaphore's slot) takes it back here;
   * one that wakes every waiter at once (an event) has nothing to pass on.
   */
  handOff?: (value: T) => void;
}

const PENDING = 0;

/** A FIFO of parked tasks; `park()` suspends, `unparkFirst()` wakes. */
export class ParkingLot<T> {
  /** Waiters not unparked yet, oldest first (cancelled ones until they leave). */
  #parked: Future<T>[] = [];
  /** Waiters unparked whose park() has not returned yet. */
  #unparked = 0;
  #owner: object;
  #binding: LoopBinding;
  #handOff: ((value: T) => void) | null;

  /**
   * @param owner The primitive, named in errors.
   * @param options The binding to share and the hand-off.
   */
  constructor(owner: object, options?: ParkingLotOptions<T>) {
    this.#owner = owner;
    this.#binding = options?.binding ?? new LoopBinding(owner);
    this.#handOff = options?.handOff ?? null;
  }

  /**
   * Waiters in the lot: parked, or unparked and not resumed yet (asyncio's
   * `len(self._waiters)`).
   */
  get size(): number {
    return this.#parked.length + this.#unparked;
  }

  /** Waiters parked and not unparked yet (cancelled ones included). */
  get parked(): number {
    return this.#parked.length;
  }

  /** Whether `future` is what a waiter parked here waits on. */
  has(future: Future<unknown>): boolean {
    return this.#parked.includes(future as Future<T>);
  }

  /**
   * Whether some waiter may still take what is freed: one unparked and not
   * resumed yet, or one parked whose task was not cancelled (asyncio's
   * `not all(w.cancelled() for w in self._waiters)`).
   */
  hasWaiters(): boolean {
    if (this.#unparked > 0) return true;
    const parked = this.#parked;
    for (let i = 0; i < parked.length; i++) {
      if (!parked[i].cancelled()) return true;
    }
    return false;
  }

  /**
   * Suspends the calling task until an unpark call wakes it, and returns
   * the value it was given (or throws the error). If the task is cancelled
   * while parked, it leaves the lot and the CancelledError goes on; if it
   * was unparked with a value but leaves without it, the value is handed
   * off (see the top of this file).
   *
   * @returns A coroutine to `yield*`.
   */
  park(): Coroutine<T> {
    return new Park(this);
  }

  /**
   * Wakes the oldest parked waiter (cancelled ones are skipped) with
   * `value`.
   *
   * @returns Whether a waiter was woken.
   */
  unparkFirst(value: T): boolean {
    const parked = this.#parked;
    for (let i = 0; i < parked.length; i++) {
      const fut = parked[i];
      if (fut._state !== PENDING) continue;
      if (parked.length === 1) parked.pop();
      else if (i === 0) parked.shift();
      else parked.splice(i, 1);
      this.#unparked++;
      fut.setResult(value);
      return true;
    }
    return false;
  }

  /**
   * Wakes every parked waiter with `value`, oldest first.
   *
   * @returns How many were woken.
   */
  unparkAll(value: T): number {
    const woken = this.#takeAll();
    for (let i = 0; i < woken.length; i++) woken[i].setResult(value);
    return woken.length;
  }

  /**
   * Wakes every parked waiter with `error`, which their `park()` throws.
   *
   * @returns How many were woken.
   */
  unparkAllWithError(error: unknown): number {
    const woken = this.#takeAll();
    for (let i = 0; i < woken.length; i++) woken[i].setException(error);
    return woken.length;
  }

  /** The parked waiters still pending, moved to the unparked. */
  #takeAll(): Future<T>[] {
    const parked = this.#parked;
    if (parked.length === 0) return parked;
    const pending: Future<T>[] = [];
    const kept: Future<T>[] = [];
    for (let i = 0; i < parked.length; i++) {
      const fut = parked[i];
      (fut._state === PENDING ? pending : kept).push(fut);
    }
    this.#parked = kept;
    this.#unparked += pending.length;
    return pending;
  }

  /** @internal A waiter parks: its future, queued last. */
  enter(): Future<T> {
    // loop.createFuture(), which a test may watch (tests/reliability).
    const fut = this.#binding.loop().createFuture<T>();
    this.#parked.push(fut);
    return fut;
  }

  /**
   * @internal `fut`'s waiter leaves the lot, `used` if it returned the value
   * it was given; an unused value is handed off (the rule at the top).
   */
  leave(fut: Future<T>, used: boolean): void {
    if (fut._state === PENDING || fut.cancelled()) {
      // Never unparked: still in the queue.
      const parked = this.#parked;
      if (parked[0] === fut) {
        if (parked.length === 1) parked.pop();
        else parked.shift();
      } else {
        const i = parked.indexOf(fut);
        if (i !== -1) parked.splice(i, 1);
      }
      return;
    }
    this.#unparked--;
    if (used || fut._exception !== undefined) return;
    // Unparked with a value it will not use: the hand-off rule.
    const value = fut._result as T;
    if (this.#handOff !== null) this.#handOff(value);
    else this.unparkFirst(value);
  }

  /**
   * @internal What a parked waiter does when it resumes, for a hand-built
   * waiter that parks with enter() instead of park()'s coroutine
   * (Lock.acquire(), one object less per contended acquire):
   * leaves the lot (the hand-off rule applies) and gives the value it was
   * unparked with, or throws what it was unparked or cancelled with.
   */
  take(fut: Future<T>): T {
    if (fut._state === PENDING) {
      this.leave(fut, false);
      throw new Error(
        `A waiter of ${
          String(this.#owner)
        } was resumed before it was woken: coroutines can only wait inside a Task`,
      );
    }
    let value: T;
    try {
      value = fut.result();
    } catch (error) {
      this.leave(fut, false);
      throw error;
    }
    this.leave(fut, true);
    return value;
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<ParkingLot parked=2 unparked=1>`.
   */
  toString(): string {
    return `<ParkingLot parked=${this.#parked.length} unparked=${this.#unparked}>`;
  }
}

/**
 * `ParkingLot.park()`, hand-built (see eventloop/_coroutine.ts): it behaves
 * as
 *
 *     fut = lot.enter(); let used = false;
 *     try { yield fut; const v = fut.result(); used = true; return v }
 *     finally { lot.leave(fut, used) }
 *
 * at a fraction of a generator's cost: two tasks trading a lock park on
 * every turn. It runs inside the waiting call of the primitive (a generator,
 * or a hand-built coroutine that passes `next`, `throw` and `return` on to
 * it while it waits).
 */
interface Park<T> extends Coroutine<T> {}
class Park<T> implements HandBuilt<T> {
  _runState = 0;
  #lot: ParkingLot<T>;
  #fut: Future<T> | null = null;

  constructor(lot: ParkingLot<T>) {
    this.#lot = lot;
  }

  _step(): IteratorResult<Future<unknown> | undefined, T> {
    const fut = this.#fut;
    if (fut === null) {
      this.#fut = this.#lot.enter();
      return { done: false, value: this.#fut };
    }
    this.#fut = null;
    const value = this.#lot.take(fut);
    return { done: true, value };
  }

  _leave(): void {
    const fut = this.#fut;
    if (fut !== null) {
      this.#fut = null;
      this.#lot.leave(fut, false);
    }
  }
}
handBuilt(Park, "ParkingLot.park()");

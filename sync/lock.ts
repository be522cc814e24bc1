/**
 * {@linkcode Lock}: a FIFO-fair mutual-exclusion lock for tasks.
 *
 * @module
 */

import { watchCoroutine } from "../eventloop/_never_awaited.ts";
import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { boundLoop, removeWaiter } from "../tasks/_loop_bound.ts";
import { Held } from "./_hold.ts";
import { reuseError } from "../tasks/_reuse.ts";

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
  /** @ignore @internal The waiters' futures, oldest first. */
  _waiters: Future<unknown>[] = [];
  #loop: EventLoop | null = null;

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
    return watchCoroutine(
      new LockAcquire<true>(this, false) as unknown as Coroutine<true>,
      "Lock.acquire",
    );
  }

  /**
   * Acquires the lock and returns a `Disposable` that releases it, for
   * `using _ = yield* lock.hold();` (asyncio's `async with lock:`).
   *
   * asyncio: `async with lock`.
   *
   * @returns A coroutine to `yield*`; it returns the disposable, which
   * releases the lock once, on its first dispose.
   * @throws {CancelledError} If the task is cancelled while waiting.
   */
  hold(): Coroutine<Disposable> {
    return watchCoroutine(
      new LockAcquire<Disposable>(this, true) as unknown as Coroutine<
        Disposable
      >,
      "Lock.hold",
    );
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
    this._wakeUpFirst();
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Lock [locked, waiters:2]>`.
   */
  toString(): string {
    let extra = this._locked ? "locked" : "unlocked";
    if (this._waiters.length > 0) {
      extra += `, waiters:${this._waiters.length}`;
    }
    return `<Lock [${extra}]>`;
  }

  /**
   * @internal Whether `acquire()` may take the lock without waiting: it is
   * free and nobody is queued (queued waiters that were all cancelled do not
   * count: asyncio lets a newcomer jump such a queue).
   * @ignore
   */
  _canTakeNow(): boolean {
    if (this._locked) return false;
    const waiters = this._waiters;
    for (let i = 0; i < waiters.length; i++) {
      if (!waiters[i].cancelled()) return false;
    }
    return true;
  }

  /** @ignore @internal Queues a new waiter and returns its future. */
  _enqueue(): Future<unknown> {
    const loop = boundLoop(this.#loop, this);
    this.#loop = loop;
    const fut = loop.createFuture<unknown>();
    this._waiters.push(fut);
    return fut;
  }

  /**
   * @internal Makes sure the first waiter will run. A done head is already
   * set to wake up (or cancelled, and its owner passes the turn on when it
   * leaves the queue).
   * @ignore
   */
  _wakeUpFirst(): void {
    const head = this._waiters[0];
    if (head !== undefined && !head.done()) head.setResult(true);
  }
}

/** Taken by `yield*` or a task (its `[Symbol.iterator]` ran), not started. */
const CLAIMED = -1;
const START = 0;
const WAITING = 1;
const FINISHED = 2;

/**
 * `acquire()` / `hold()` as a hand-written coroutine. It behaves like the
 * generator
 *
 *     if (lock._canTakeNow()) { lock._locked = true; return }
 *     fut = lock._enqueue()
 *     try { yield* fut } catch { leave the queue; if the lock is free, wake
 *       the new head; rethrow } leave the queue; lock._locked = true
 *
 * but costs a fraction of a generator: two tasks trading a lock run this
 * on every turn. It does not extend the built-in `Iterator` (whose
 * constructor costs a few percent of a contended acquire): `yield*` and
 * `createTask` need only `next`, `throw`, `return` and `[Symbol.iterator]`.
 * Like a generator, it runs once: a second `yield*` (or task) of the same
 * `acquire()` throws (see tasks/_reuse.ts).
 */
class LockAcquire<T> {
  #lock: Lock;
  #hold: boolean;
  #state = START;
  #fut: Future<unknown> | null = null;

  constructor(lock: Lock, hold: boolean) {
    this.#lock = lock;
    this.#hold = hold;
  }

  next(): IteratorResult<Future<unknown> | undefined, T> {
    const lock = this.#lock;
    if (this.#state <= START) {
      if (
        !lock._locked && (lock._waiters.length === 0 || lock._canTakeNow())
      ) {
        this.#state = FINISHED;
        lock._locked = true;
        return { done: true, value: this.#value() };
      }
      const fut = lock._enqueue();
      this.#fut = fut;
      this.#state = WAITING;
      return { done: false, value: fut };
    }
    if (this.#state === WAITING) {
      const fut = this.#fut!;
      if (!fut.done()) {
        this.#leave();
        throw new Error(
          "Lock.acquire() was resumed before its turn: coroutines can only wait inside a Task",
        );
      }
      this.#state = FINISHED;
      this.#fut = null;
      const waiters = lock._waiters;
      if (waiters.length === 1 && waiters[0] === fut) waiters.pop();
      else removeWaiter(waiters, fut);
      lock._locked = true;
      return { done: true, value: this.#value() };
    }
    return { done: true, value: undefined as T };
  }

  throw(
    error: unknown,
  ): IteratorResult<Future<unknown> | undefined, T> {
    this.#leave();
    throw error;
  }

  return(value?: T): IteratorResult<Future<unknown> | undefined, T> {
    this.#leave();
    return { done: true, value: value as T };
  }

  /**
   * Leaves the queue without taking the lock. If the lock is free, the new
   * head must run: this waiter may have been the one it was handed to.
   */
  #leave(): void {
    const fut = this.#fut;
    this.#state = FINISHED;
    if (fut === null) return;
    this.#fut = null;
    const lock = this.#lock;
    removeWaiter(lock._waiters, fut);
    if (!lock._locked) lock._wakeUpFirst();
  }

  [Symbol.iterator](): this {
    if (this.#state !== START) {
      throw reuseError(
        this.#hold ? "lock.hold()" : "lock.acquire()",
        this.#state !== FINISHED,
      );
    }
    this.#state = CLAIMED;
    return this;
  }

  #value(): T {
    return (this.#hold ? new Held(this.#lock) : true) as T;
  }
}

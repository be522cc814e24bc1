// The coroutine type, and the rule that a coroutine runs once. They live
// here, at the bottom layer, because the loop and Future name the type;
// tasks/coroutine.ts re-exports it as part of the public API.

import type { Future } from "./future.ts";
import { reuseError } from "./_util.ts";

/**
 * A coroutine: a generator that yields `undefined` (give the loop one turn) or
 * a `Future` (suspend until it is done), and returns `T`. Written as a
 * generator function and awaited with `yield*`.
 */
export type Coroutine<T = unknown> = Generator<
  Future<unknown> | undefined,
  T,
  unknown
>;

// ---- A coroutine runs once ----
//
// A coroutine is run by one task, or awaited with `yield*` in one place,
// once; asyncio raises RuntimeError for a second use ('coroutine is being
// awaited already' while the first runs, 'cannot reuse already awaited
// coroutine' after it). A Task claims a plain generator by giving it an own
// `next` that throws (tasks/_reuse.ts); a plain generator first awaited with
// `yield*` cannot be told apart from a new one (JavaScript cannot see
// whether a generator has started). The module's hand-built coroutines
// below claim themselves in `[Symbol.iterator]`, which both `yield*` and a
// Task call, so every second use of them fails.

const GeneratorPrototype: Generator = Object.getPrototypeOf(function* () {})
  .prototype;

/** The `next` every plain generator object inherits. */
export const GENERATOR_NEXT: Generator["next"] = GeneratorPrototype.next;

const CLAIMED = 1;
const FINISHED = 2;

// ---- Hand-built coroutines ----
//
// The few coroutines on the hottest paths (sleep(), ParkingLot.park() and
// the waiting calls of Lock and Queue built on it) are iterator objects
// that do what a generator function would, for a fraction of a generator's
// cost, where that cost is most of the operation (`sleep(0)`, a
// `queue.get()` that need not wait). Each is a plain class that implements
// the body (`_step`) and its `finally` (`_leave`); handBuilt() gives the
// class what makes it a coroutine: the generator's `next`, `throw`, `return`
// and a claiming `[Symbol.iterator]` (so it runs once, as above), and
// Iterator.prototype as its prototype's prototype, for the iterator helpers
// a generator has (`map`, `toArray`, `[Symbol.dispose]` ...). The class then
// declares itself a Coroutine by declaration merging
// (`interface Sleep<T> extends Coroutine<T> {}`), which handBuilt() makes
// true. Not a base class: V8 constructs a derived class several times more
// slowly than a plain one, which would eat the gain.

const FREE = 0;

/** What a class given to {@linkcode handBuilt} implements. */
export interface HandBuilt<T> {
  /** FREE until claimed, then CLAIMED, then FINISHED; starts at 0. */
  _runState: number;
  /**
   * The body: runs until it suspends (`done: false` with a future to wait
   * for, or `undefined` for one turn of the loop) or finishes, resumed with
   * the value sent.
   */
  _step(value: unknown): IteratorResult<Future<unknown> | undefined, T>;
  /** Its `finally`, when it is thrown into or closed before it finished. */
  _leave(): void;
  /** The call its reuse errors name, where the class serves several. */
  _what?(): string;
}

/** The call each hand-built class's reuse errors name: `"sleep()"`. */
const handBuiltNames = new WeakMap<object, string>();

/**
 * Makes `cls` a coroutine class (see above). Call it once, after the class.
 *
 * @param cls The class.
 * @param what The call, as reuse errors name it: `"sleep()"` (unless the
 * class has `_what()`).
 */
export function handBuilt<T>(
  cls: { prototype: HandBuilt<T> },
  what?: string,
): void {
  const prototype = cls.prototype;
  if (what !== undefined) handBuiltNames.set(prototype, what);
  Object.setPrototypeOf(prototype, Iterator.prototype);
  Object.defineProperties(prototype, {
    [Symbol.iterator]: { value: claimHandBuilt, configurable: true },
    next: { value: nextHandBuilt, configurable: true },
    throw: { value: throwHandBuilt, configurable: true },
    return: { value: returnHandBuilt, configurable: true },
  });
}

function claimHandBuilt<T>(this: HandBuilt<T>): HandBuilt<T> {
  const state = this._runState;
  if (state !== FREE) {
    const what = this._what?.() ??
      handBuiltNames.get(Object.getPrototypeOf(this)) ?? null;
    throw reuseError(what, state === CLAIMED);
  }
  this._runState = CLAIMED;
  return this;
}

function nextHandBuilt<T>(
  this: HandBuilt<T>,
  value?: unknown,
): IteratorResult<Future<unknown> | undefined, T> {
  if (this._runState === FINISHED) return { done: true, value: undefined as T };
  let result;
  try {
    result = this._step(value);
  } catch (error) {
    this._runState = FINISHED;
    throw error;
  }
  if (result.done) this._runState = FINISHED;
  return result;
}

function throwHandBuilt<T>(
  this: HandBuilt<T>,
  error: unknown,
): IteratorResult<Future<unknown> | undefined, T> {
  if (this._runState !== FINISHED) {
    this._runState = FINISHED;
    this._leave();
  }
  throw error;
}

function returnHandBuilt<T>(
  this: HandBuilt<T>,
  value?: T,
): IteratorResult<Future<unknown> | undefined, T> {
  if (this._runState !== FINISHED) {
    this._runState = FINISHED;
    this._leave();
  }
  return { done: true, value: value as T };
}

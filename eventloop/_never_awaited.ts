// Debug mode's "coroutine 'sleep' was never awaited" (asyncio's
// RuntimeWarning from a coroutine finalized before it started). A coroutine
// the module makes goes through watchCoroutine(); while a loop in debug mode
// runs a pass, it comes back wrapped, and the wrapper is reported through the
// module logger if it is garbage-collected before anything called its
// `next`, `throw` or `return` (which `yield*`, a Task and `run()` all do).
// Outside debug mode the coroutine comes back as it is: the one cost is a
// flag read.
//
// Only the module's own coroutines can be watched: a generator function
// written by the user runs no code when it is called. The lint plugin
// (lint/mod.ts) reports those where they are dropped.

import { type Coroutine, GENERATOR_NEXT } from "./_coroutine.ts";
import type { Future } from "./future.ts";
import { captureSource, formatSource, type SourceStack } from "./_debug.ts";
import { reuseError } from "./_util.ts";
import { getLogger } from "./log.ts";

/**
 * `active` is true while a loop in debug mode runs a pass (set and restored
 * by the loop's debug pass, the only writer).
 */
export const coroutineWatch: { active: boolean } = { active: false };

interface Record {
  name: string;
  source: SourceStack;
}

const unstarted = new FinalizationRegistry<Record>((record) => {
  const sourceTraceback = formatSource(record.source);
  const lines = [`coroutine '${record.name}' was never awaited`];
  if (sourceTraceback !== "") lines.push(`created at:\n${sourceTraceback}`);
  getLogger().warning(lines.join("\n"), {
    extra: { coroutine: record.name, sourceTraceback },
  });
});

/**
 * Returns `coro`, watched for "never awaited" when a loop in debug mode is
 * running. Call it once, in the function that makes the coroutine, with the
 * name asyncio would give it (`"sleep"`, `"Lock.acquire"`). A coroutine
 * already watched (one factory returning another's coroutine, as
 * `taskGroup()` returns `TaskGroup.run()`'s) takes the outer name.
 */
export function watchCoroutine<T>(
  coro: Coroutine<T>,
  name: string,
): Coroutine<T> {
  return coroutineWatch.active ? watched(coro, name) : coro;
}

function watched<T>(coro: Coroutine<T>, name: string): Coroutine<T> {
  if (coro instanceof Watched) {
    coro._record.name = name;
    return coro;
  }
  // Skipping watchCoroutine() leaves the factory as the first frame, and
  // formatSource() drops the frames of this package.
  const record = { name, source: captureSource(watchCoroutine) };
  const wrapper = new Watched(coro, record);
  unstarted.register(wrapper, record, wrapper);
  return wrapper;
}

const FREE = 0;
const CLAIMED = 1;
const FINISHED = 2;

/**
 * The coroutine it wraps, unchanged, and the first call into it ends the
 * watch. It is run once, as the coroutine it wraps (tasks/_reuse.ts): a
 * hand-built one claims itself when the wrapper is claimed (`yield*` and a
 * Task call `[Symbol.iterator]`); for a generator, which a Task would claim
 * by its `next`, the wrapper keeps the claim. Extending the built-in
 * `Iterator` gives it the iterator helpers a Generator has.
 */
class Watched<T> extends Iterator<Future<unknown> | undefined, T, unknown> {
  #coro: Coroutine<T>;
  #started = false;
  /** For a wrapped generator only: FREE, CLAIMED or FINISHED. */
  #claim = FREE;
  #generator: boolean;
  /** What will be reported, unless the coroutine starts. */
  readonly _record: Record;

  constructor(coro: Coroutine<T>, record: Record) {
    super();
    this.#coro = coro;
    this.#generator = coro.next === GENERATOR_NEXT;
    this._record = record;
  }

  override next(
    value?: unknown,
  ): IteratorResult<Future<unknown> | undefined, T> {
    if (!this.#started) this.#start();
    if (!this.#generator) return this.#coro.next(value);
    return this.#finishing(() => this.#coro.next(value));
  }

  override throw(
    error: unknown,
  ): IteratorResult<Future<unknown> | undefined, T> {
    if (!this.#started) this.#start();
    if (!this.#generator) return this.#coro.throw(error);
    return this.#finishing(() => this.#coro.throw(error));
  }

  override return(value?: T): IteratorResult<Future<unknown> | undefined, T> {
    if (!this.#started) this.#start();
    if (!this.#generator) return this.#coro.return(value as T);
    return this.#finishing(() => this.#coro.return(value as T));
  }

  override [Symbol.iterator](): this {
    if (!this.#generator) {
      this.#coro[Symbol.iterator]();
    } else if (this.#claim !== FREE) {
      throw reuseError(`${this._record.name}()`, this.#claim === CLAIMED);
    } else {
      this.#claim = CLAIMED;
    }
    return this;
  }

  override toString(): string {
    return String(this.#coro);
  }

  #finishing(
    step: () => IteratorResult<Future<unknown> | undefined, T>,
  ): IteratorResult<Future<unknown> | undefined, T> {
    let result;
    try {
      result = step();
    } catch (error) {
      this.#claim = FINISHED;
      throw error;
    }
    if (result.done) this.#claim = FINISHED;
    return result;
  }

  #start(): void {
    this.#started = true;
    unstarted.unregister(this);
  }
}

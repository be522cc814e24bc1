/**
 * {@linkcode gather}: run awaitables concurrently and collect their results.
 *
 * @module
 */

import { Future } from "../eventloop/future.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import type { EventLoop } from "../eventloop/event_loop.ts";
import { checkAwaitable, toFuture } from "./_to_future.ts";
import { markFanOut } from "./_call_graph_hooks.ts";
import {
  addFanIn,
  checkedCoro,
  checkOptionNames,
  type Coroutine,
  describeValue,
  FanIn,
  GENERATOR_NEXT,
  isGenerator,
  makeCancelledError,
} from "../eventloop/_lowlevel.ts";
import { GATHER_OPTIONS } from "./_options.ts";

/** Up to this many children, gather() sizes its array of them at once. */
const PRESIZED = 50_000;

/** What gather() found an item to be, before it makes any task. */
const FUTURE = 1;
const COROUTINE = 2;

/** Whether `item` is a plain generator that no task has claimed yet. */
function isUnclaimed(item: unknown): boolean {
  return typeof item === "object" && item !== null &&
    (item as Generator).next === GENERATOR_NEXT;
}

/** Something `gather`, `waitFor` and `asCompleted` accept. */
export type Awaitable<T> = Future<T> | Coroutine<T> | PromiseLike<T>;

/** The result type of an {@linkcode Awaitable}. */
export type AwaitedResult<A> = A extends Future<infer R> ? R
  : A extends Generator<unknown, infer R, unknown> ? R
  : A extends PromiseLike<infer R> ? R
  : never;

/** The results of `gather(aws)`, position by position. */
export type GatherResults<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: AwaitedResult<A[K]>;
};

/**
 * The results of `gather(aws, { returnExceptions: true })`: each position
 * holds a result or the error of that child (typed `Error`; a non-Error
 * value thrown by a child appears as it is).
 */
export type GatherSettled<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: AwaitedResult<A[K]> | Error;
};

/** Options of {@linkcode gather}. */
export interface GatherOptions {
  /**
   * Put errors (and a `CancelledError` for a cancelled child) in the results
   * in place of values, instead of failing on the first one.
   *
   * @default {false}
   */
  returnExceptions?: boolean;
}

/**
 * Runs awaitables concurrently and gives their results in the order given.
 * Coroutines are wrapped in tasks; Futures and Tasks are waited for as they
 * are; Promises go through `fromPromise`. The results are typed position by
 * position.
 *
 * - The first child to fail makes the gather fail with its error; the other
 *   children are *not* cancelled and keep running (use `taskGroup` to cancel
 *   them). A child that is cancelled makes it fail with `CancelledError`.
 * - With `returnExceptions`, errors (and `CancelledError`s) take the place of
 *   results and the gather waits for every child.
 * - Cancelling the returned future (or the task waiting for it) cancels every
 *   child that is not done; the gather then throws `CancelledError` (unless
 *   `returnExceptions`, in which case it still throws `CancelledError` since
 *   it was cancelled itself).
 * - The same awaitable given twice is waited for once and its result appears
 *   at both positions.
 *
 * asyncio: `asyncio.gather(*aws, return_exceptions=False)`.
 *
 * @typeParam A The tuple of awaitables.
 * @param aws The awaitables.
 * @param options `returnExceptions`.
 * @returns A future of the results; `yield*` it.
 * @throws {TypeError} If `aws` is not an array (or iterable) of awaitables,
 * an option is unknown, or `returnExceptions` is not a boolean.
 * @throws {Error} If `aws` is empty or holds only coroutines and promises
 * while no loop runs and none is set with `setEventLoop()` (asyncio 3.11-3.13
 * use the set loop too), or holds futures of different loops.
 *
 * @example Results in the order given, typed by position
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { gather, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* later<T>(delay: number, value: T) {
 *   yield* sleep(delay);
 *   return value;
 * }
 * const [n, s] = await run(function* () {
 *   return yield* gather([later(2, 1), later(1, "one")]);
 * }(), { virtualTime: true });
 * assert.equal(n + 1, 2);
 * assert.equal(s.toUpperCase(), "ONE");
 * ```
 *
 * @example Collecting errors with returnExceptions
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { gather } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* fail(): Generator<undefined, number, unknown> {
 *   throw new RangeError("no");
 * }
 * function* ok() {
 *   return 7;
 * }
 * const results = await run(function* () {
 *   return yield* gather([ok(), fail()], { returnExceptions: true });
 * }());
 * assert.equal(results[0], 7);
 * assert.ok(results[1] instanceof RangeError);
 * ```
 */
export function gather<const A extends readonly unknown[]>(
  aws: A,
  options: GatherOptions & { returnExceptions: true },
): Future<GatherSettled<A>>;
/**
 * Runs awaitables concurrently and gives their results in the order given.
 *
 * @typeParam A The tuple of awaitables.
 * @param aws The awaitables.
 * @param options `returnExceptions`.
 * @returns A future of the results; `yield*` it.
 *
 * @example Waiting for two tasks
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, gather, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const both = await run(function* () {
 *   const a = createTask(sleep(1, "a"));
 *   const b = createTask(sleep(2, "b"));
 *   return yield* gather([a, b]);
 * }(), { virtualTime: true });
 * assert.deepEqual(both, ["a", "b"]);
 * ```
 */
export function gather<const A extends readonly unknown[]>(
  aws: A,
  options?: GatherOptions & { returnExceptions?: false },
): Future<GatherResults<A>>;
/**
 * Runs awaitables concurrently; with `returnExceptions` not known until run
 * time, each result may be an error.
 *
 * @typeParam A The tuple of awaitables.
 * @param aws The awaitables.
 * @param options `returnExceptions`.
 * @returns A future of the results; `yield*` it.
 *
 * @example Deciding at run time whether to collect errors
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { gather, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* first(collect: boolean) {
 *   const [a] = yield* gather([sleep(0, 1)], { returnExceptions: collect });
 *   return a instanceof Error ? -1 : a + 1;
 * }
 * assert.equal(await run(first(true)), 2);
 * ```
 */
export function gather<const A extends readonly unknown[]>(
  aws: A,
  options: GatherOptions,
): Future<GatherSettled<A>>;
export function gather(
  aws: Iterable<unknown>,
  options?: GatherOptions,
): Future<unknown[]> {
  if (
    aws === null || typeof aws !== "object" ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function" ||
    aws instanceof Future || typeof (aws as Generator).next === "function"
  ) {
    throw new TypeError(
      `gather() expects an array of awaitables as 'aws': received ${
        describeValue(aws)
      }`,
    );
  }
  if (options !== undefined) {
    checkOptionNames(options, GATHER_OPTIONS, "call gather()");
  }
  const returnExceptions = options?.returnExceptions ?? false;
  if (typeof returnExceptions !== "boolean") {
    throw new TypeError(
      `gather()'s 'returnExceptions' must be a boolean: received ${
        describeValue(returnExceptions)
      }`,
    );
  }
  const items = [...aws];
  if (items.length === 0) {
    const done = getEventLoop().createFuture<unknown[]>();
    done.setResult([]);
    return done;
  }
  // Every item is checked before any task is made; a coroutine is known as
  // one from here on.
  const kinds = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item instanceof Future) kinds[i] = FUTURE;
    else if (isGenerator(item)) kinds[i] = COROUTINE;
    else checkAwaitable(item, "gather()");
  }
  // The loop of the first Future given, else the running one (asyncio).
  let loop: EventLoop | undefined;
  for (let i = 0; i < items.length; i++) {
    if (kinds[i] === FUTURE) {
      loop = (items[i] as Future<unknown>).getLoop();
      break;
    }
  }
  loop ??= getEventLoop();
  const count = items.length;
  // Sized once: grown by pushes, it left as much garbage as it holds.
  const children: Future<unknown>[] = count <= PRESIZED ? new Array(count) : [];
  // The same awaitable given twice is waited for once: `seen` maps each to
  // its child. A plain generator that no task has claimed yet (its `next` is
  // still the generator's own) cannot have come earlier in the list, since
  // the task made for it claimed it (tasks/_reuse.ts); so the map is built
  // only at the first item of another kind, or one left unclaimed. Hashing
  // every coroutine into a map was a fifth of the cost of gathering them.
  let seen: Map<unknown, Future<unknown>> | null = null;
  // children[0..made) are set: a child per item so far.
  let made = 0;
  try {
    for (let i = 0; i < count; i++) {
      const item = items[i];
      if (seen === null) {
        if (kinds[i] === COROUTINE && isUnclaimed(item)) {
          checkedCoro.next = item as object;
          const child = loop.createTask(item as Coroutine<unknown>);
          children[made++] = child;
          if (!isUnclaimed(item)) continue;
        }
        seen = new Map();
        for (let j = 0; j < made; j++) seen.set(items[j], children[j]);
        if (made > i) continue;
      }
      let child = seen.get(item);
      if (child === undefined) {
        child = toFuture(item as Awaitable<unknown>, loop, "gather()");
        seen.set(item, child);
      }
      children[made++] = child;
    }
  } catch (error) {
    // Nothing may run half-gathered: cancel the tasks made here (not the
    // caller's own futures).
    if (seen === null) {
      for (let j = 0; j < made; j++) children[j].cancel();
    } else {
      for (const [item, child] of seen) if (child !== item) child.cancel();
    }
    throw error;
  }
  const outer = new GatheringFuture(children, loop);
  const unique = seen === null ? children : [...seen.values()];
  let finished = 0;
  const onChildDone = (child: Future<unknown>) => {
    finished++;
    if (outer.done()) {
      // Mark the error as seen: the gather has already reported its outcome.
      if (!child.cancelled()) child.exception();
      return;
    }
    if (!returnExceptions) {
      if (child.cancelled()) {
        outer.setException(makeCancelledError(child));
        return;
      }
      const error = child.exception();
      if (error !== undefined) {
        outer.setException(error);
        return;
      }
    }
    if (finished === unique.length) {
      const results = children.map((c) => {
        if (c.cancelled()) return makeCancelledError(c);
        const error = c.exception();
        return error !== undefined ? error : c.result();
      });
      if (outer._cancelRequested) {
        // The gather itself was cancelled, so it does not return results even
        // if every child swallowed its cancellation.
        outer.setException(makeCancelledError(child));
      } else {
        outer.setResult(results);
      }
    }
  };
  const fanIn = new FanIn(loop, onChildDone);
  for (const child of unique) addFanIn(child, fanIn);
  return outer;
}

/**
 * The future `gather` returns: cancelling it cancels the children, and it
 * settles once they are done (asyncio's `_GatheringFuture`).
 */
class GatheringFuture extends Future<unknown[]> {
  #children: Future<unknown>[];
  /** Whether `cancel()` reached at least one child. */
  _cancelRequested = false;

  constructor(children: Future<unknown>[], loop: EventLoop) {
    super({ loop });
    this.#children = children;
    markFanOut(this, "gather()", () => this.#children);
  }

  /**
   * Cancels every child that is not done; the gather then fails with
   * `CancelledError` once they are.
   *
   * @param msg The cancel message for the children.
   * @returns Whether any child was cancelled.
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let cancelled = false;
    for (const child of this.#children) {
      if (child.cancel(msg)) cancelled = true;
    }
    if (cancelled) this._cancelRequested = true;
    return cancelled;
  }
}

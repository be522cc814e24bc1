// Private helper: refusing a coroutine used twice. A coroutine is run by one
// task, or awaited with `yield*` in one place, once; asyncio raises
// RuntimeError for a second use ('coroutine is being awaited already' while
// the first runs, 'cannot reuse already awaited coroutine' after it), and the
// first use runs on undisturbed.
//
// A Task claims its coroutine. A plain generator gets an own `next` that
// throws, so `yield* coro` (which calls `next`) and a second task fail at
// once; the task itself calls the generator's original `next`. (An own
// `[Symbol.iterator]` would do too, but V8 makes storing that symbol on an
// object some ten times dearer than storing `next`.) The module's hand-built
// coroutines (sleep(), lock.acquire(), queue.get()/put(): see
// eventloop/_coroutine.ts) claim themselves in their own
// `[Symbol.iterator]`, which `yield*` calls and so does the Task. A plain
// generator first awaited with `yield*` cannot be told apart from a new one
// (JavaScript cannot see whether a generator has started), so that order is
// not detected for it.

import {
  GENERATOR_NEXT,
  reuseError,
  runningOrCurrentLoop,
  tasksOf,
} from "../eventloop/_lowlevel.ts";

/**
 * Claims a plain generator (one whose `next` is {@linkcode GENERATOR_NEXT})
 * for a task: from now on its own `next` throws, so only the task, which
 * calls `GENERATOR_NEXT` on it, can advance it.
 */
export function claimGenerator(coro: object): void {
  try {
    (coro as { next: unknown }).next = refuseReuse;
  } catch {
    // A frozen generator cannot be marked; its reuse goes undetected.
  }
}

/** The `next` of a claimed generator. */
export function refuseReuse(this: unknown): never {
  // Cold path: find the task that runs it, for the message.
  const loop = runningOrCurrentLoop();
  if (loop !== null) {
    for (const task of tasksOf(loop)) {
      if (task._coro === this && !task.done()) {
        throw reuseError(null, true, task.toString());
      }
    }
  }
  throw reuseError(null, false);
}

/**
 * Closes a coroutine that will not run (asyncio's `coro.close()` when a task
 * cannot be made), unless it is in use elsewhere: closing another task's
 * coroutine would end that task. A second use is refused with its error.
 */
export function closeUnused(coro: Generator): void {
  const next = coro.next;
  if (next === refuseReuse) refuseReuse.call(coro);
  if (next !== GENERATOR_NEXT) coro[Symbol.iterator]();
  coro.return(undefined);
}

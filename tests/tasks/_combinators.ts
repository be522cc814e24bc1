// Helpers of the combinator tests: run on virtual time and check that no
// task or timer is left behind when the main coroutine ends.

import assert from "node:assert/strict";
import { type Future, getRunningLoop, run } from "../../eventloop/mod.ts";
import { allTasks, type Coroutine, currentTask } from "../../tasks/mod.ts";

/** Asserts that only the current task is pending and no timer is armed. */
export function assertNothingLeft(): void {
  const loop = getRunningLoop();
  const me = currentTask();
  const others = [...allTasks()].filter((t) => t !== me).map(String);
  assert.deepEqual(others, [], "tasks left behind");
  const timers = loop._timers.live();
  assert.deepEqual(timers.map(String), [], "timers left behind");
}

/**
 * Runs `main` on virtual time; after it returns, gives the loop a few turns
 * (for done-callbacks) and checks that nothing is left behind.
 */
export function runClean<T>(main: () => Coroutine<T>): Promise<T> {
  return run(function* () {
    const result = yield* main();
    for (let i = 0; i < 3; i++) yield;
    assertNothingLeft();
    return result;
  }, { virtualTime: true });
}

/** The loop's time. */
export function now(): number {
  return getRunningLoop().time();
}

/** The error a coroutine throws (fails if it returns). */
export function* caught(
  coro: Coroutine<unknown> | Future<unknown>,
): Coroutine<unknown> {
  try {
    yield* coro;
  } catch (error) {
    return error;
  }
  assert.fail("expected the coroutine to throw");
}

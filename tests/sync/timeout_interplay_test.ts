// The primitives under asyncio's timeout() and waitFor(): the timeout cancels
// the waiting task at the wait point, which must leave the primitive intact.

import assert from "node:assert/strict";
import { newEventLoop, run, TimeoutError } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  sleep,
  timeout,
  waitFor,
} from "../../tasks/mod.ts";
import { Barrier, Condition, Event, Lock, Semaphore } from "../../sync/mod.ts";

function* timedOut(body: Coroutine<unknown>): Coroutine<boolean> {
  try {
    yield* timeout(1, body);
    return false;
  } catch (error) {
    if (error instanceof TimeoutError) return true;
    throw error;
  }
}

Deno.test("timeout() around Lock.acquire() leaves the lock usable", async () => {
  const lock = new Lock();
  await run(
    function* () {
      yield* lock.acquire();
      assert.equal(yield* timedOut(lock.acquire()), true);
      assert.equal(String(lock), "<Lock [locked]>");
      const next = createTask(lock.acquire());
      yield* sleep(0);
      lock.release();
      assert.equal(yield* next, true);
      assert.equal(lock.locked(), true);
    }(),
    { virtualTime: true },
  );
});

Deno.test("timeout() around Condition.wait() throws with the lock held again", async () => {
  const cond = new Condition();
  await run(
    function* () {
      using _ = yield* cond.hold();
      assert.equal(yield* timedOut(cond.wait()), true);
      assert.equal(cond.locked(), true);
      assert.equal(String(cond), "<Condition [locked]>");
    }(),
    { virtualTime: true },
  );
  assert.equal(cond.locked(), false);
});

Deno.test("waitFor() around Event.wait() and Semaphore.acquire()", async () => {
  const event = new Event();
  const sem = new Semaphore(0);
  await run(
    function* () {
      yield* assertTimeout(waitFor(event.wait(), 1));
      yield* assertTimeout(waitFor(sem.acquire(), 1));
      sem.release();
      assert.equal(yield* waitFor(sem.acquire(), 1), true);
      event.set();
      assert.equal(yield* waitFor(event.wait(), 1), true);
    }(),
    { virtualTime: true },
  );
});

Deno.test("Barrier: timeout() of one party breaks nothing for the others", async () => {
  const barrier = new Barrier(2);
  await run(
    function* () {
      assert.equal(yield* timedOut(barrier.wait()), true);
      assert.equal(barrier.nWaiting, 0);
      const a = createTask(barrier.wait());
      const b = createTask(barrier.wait());
      assert.deepEqual([yield* a, yield* b], [0, 1]);
    }(),
    { virtualTime: true },
  );
});

Deno.test("Event, Semaphore, Condition and Barrier refuse a second loop", async () => {
  const event = new Event();
  const sem = new Semaphore(0);
  const cond = new Condition();
  const barrier = new Barrier(2);
  await run(
    function* () {
      for (const body of [event.wait(), sem.acquire(), barrier.wait()]) {
        yield* timedOut(body);
      }
      using _ = yield* cond.hold();
      yield* timedOut(cond.wait());
    }(),
    { virtualTime: true },
  );
  const loop = newEventLoop();
  try {
    await assert.rejects(
      loop.runUntilComplete(event.wait()),
      /<Event \[unset\]> is bound to a different event loop/,
    );
    await assert.rejects(
      loop.runUntilComplete(sem.acquire()),
      /<Semaphore \[locked\]> is bound to a different event loop/,
    );
    await assert.rejects(
      loop.runUntilComplete(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } finally {
          cond.release();
        }
      }()),
      /<Condition \[locked\]> is bound to a different event loop/,
    );
    await assert.rejects(
      loop.runUntilComplete(barrier.wait()),
      /is bound to a different event loop/,
    );
    assert.equal(barrier.nWaiting, 0);
    assert.equal(cond.locked(), false);
  } finally {
    loop.close();
  }
});

function* assertTimeout(body: Coroutine<unknown>): Coroutine<void> {
  try {
    yield* body;
  } catch (error) {
    assert.ok(error instanceof TimeoutError, String(error));
    return;
  }
  assert.fail("expected a TimeoutError");
}

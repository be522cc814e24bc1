import assert from "node:assert/strict";
import { CancelledError, getRunningLoop, run } from "../../eventloop/mod.ts";
import { type Coroutine, createTask, sleep } from "../../tasks/mod.ts";
import { Condition, Lock, Semaphore } from "../../sync/mod.ts";

function* waitAndLog(
  cond: Condition,
  name: string,
  log: string[],
): Coroutine<void> {
  using _ = yield* cond.hold();
  yield* cond.wait();
  log.push(`${name}:${cond.locked() ? "locked" : "unlocked"}`);
}

Deno.test("Condition.notify(n) wakes n waiters in FIFO order, each with the lock", async () => {
  const cond = new Condition();
  const log: string[] = [];
  await run(
    function* () {
      const tasks = ["a", "b", "c"].map((n) =>
        createTask(waitAndLog(cond, n, log))
      );
      yield* sleep(1);
      assert.equal(String(cond), "<Condition [unlocked, waiters:3]>");
      {
        using _ = yield* cond.hold();
        cond.notify();
        yield* sleep(1);
        // Woken but it cannot return before we release the lock.
        assert.deepEqual(log, []);
      }
      yield* sleep(1);
      assert.deepEqual(log, ["a:locked"]);
      {
        using _ = yield* cond.hold();
        cond.notify(2);
      }
      for (const t of tasks) yield* t;
      assert.equal(cond.locked(), false);
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["a:locked", "b:locked", "c:locked"]);
});

Deno.test("Condition.notifyAll() wakes every waiter", async () => {
  const cond = new Condition();
  const log: string[] = [];
  await run(function* () {
    const tasks = ["a", "b", "c"].map((n) =>
      createTask(waitAndLog(cond, n, log))
    );
    yield* sleep(0);
    yield* cond.acquire();
    cond.notifyAll();
    cond.release();
    for (const t of tasks) yield* t;
  }());
  assert.deepEqual(log, ["a:locked", "b:locked", "c:locked"]);
});

Deno.test("Condition.waitFor() waits until the predicate is truthy and returns it", async () => {
  const cond = new Condition();
  let value = 0;
  const calls: number[] = [];
  const result = await run(
    function* () {
      const waiter = createTask(function* () {
        using _ = yield* cond.hold();
        return yield* cond.waitFor(() => {
          assert.equal(cond.locked(), true);
          calls.push(value);
          return value >= 2 ? `value ${value}` : "";
        });
      }());
      for (let i = 1; i <= 3; i++) {
        yield* sleep(1);
        using _ = yield* cond.hold();
        value = i;
        cond.notify();
      }
      return yield* waiter;
    }(),
    { virtualTime: true },
  );
  assert.equal(result, "value 2");
  assert.deepEqual(calls, [0, 1, 2]);
});

Deno.test("Condition checks its arguments and the lock", async (t) => {
  await t.step("wait() and notify() need the lock", async () => {
    const cond = new Condition();
    assert.throws(() => cond.notify(), {
      message: "Cannot notify on a Condition whose lock is not acquired",
    });
    assert.throws(() => cond.notifyAll(), /not acquired/);
    await assert.rejects(
      run(cond.wait()),
      { message: "Cannot wait on a Condition whose lock is not acquired" },
    );
  });
  await t.step("bad arguments", async () => {
    assert.throws(() => new Condition(new Semaphore() as unknown as Lock), {
      name: "TypeError",
      message:
        "Cannot create Condition as 'lock' must be a Lock: received a Semaphore",
    });
    const cond = new Condition();
    await run(function* () {
      using _ = yield* cond.hold();
      assert.throws(() => cond.notify(-1), {
        name: "RangeError",
        message:
          "Cannot notify as 'n' must be a non-negative integer: received -1",
      });
      cond.notify(0);
      cond.notify(Infinity);
      assert.throws(
        () => cond.waitFor(42 as unknown as () => boolean).next(),
        TypeError,
      );
    }());
  });
});

Deno.test("Condition shares an existing Lock", async () => {
  const lock = new Lock();
  const a = new Condition(lock);
  const b = new Condition(lock);
  await run(function* () {
    yield* lock.acquire();
    assert.equal(a.locked(), true);
    assert.equal(b.locked(), true);
    a.release();
    assert.equal(lock.locked(), false);
    using _ = yield* b.hold();
    assert.equal(a.locked(), true);
  }());
  assert.equal(lock.locked(), false);
});

Deno.test("Condition.wait() cancelled re-acquires the lock before it throws", async (t) => {
  await t.step("cancelled while waiting for a notification", async () => {
    const cond = new Condition();
    const log: string[] = [];
    await run(
      function* () {
        const waiter = createTask(function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
          } catch (error) {
            log.push(
              `${
                (error as Error).name
              } with lock ${cond.locked()} at ${getRunningLoop().time()}`,
            );
            throw error;
          } finally {
            cond.release();
          }
        }());
        yield* sleep(0);
        yield* cond.acquire();
        waiter.cancel();
        yield* sleep(5); // the waiter cannot throw before it has the lock
        log.push("main releases");
        cond.release();
        yield* assertCancelled(waiter);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, [
      "main releases",
      "CancelledError with lock true at 5",
    ]);
  });
  await t.step("cancelled again while re-acquiring", async () => {
    const cond = new Condition();
    const log: string[] = [];
    await run(
      function* () {
        const waiter = createTask(function* () {
          using _ = yield* cond.hold();
          try {
            yield* cond.wait();
          } catch (error) {
            log.push(`${(error as Error).name} locked=${cond.locked()}`);
            throw error;
          }
        }());
        yield* sleep(0);
        yield* cond.acquire();
        cond.notify();
        yield* sleep(1); // the waiter now waits for the lock
        waiter.cancel();
        yield* sleep(1);
        waiter.cancel();
        yield* sleep(1);
        assert.deepEqual(log, []);
        cond.release();
        yield* assertCancelled(waiter);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, ["CancelledError locked=true"]);
    assert.equal(cond.locked(), false);
  });
});

Deno.test("Condition: a waiter notified then cancelled passes the notification on", async () => {
  const cond = new Condition();
  const log: string[] = [];
  await run(function* () {
    const a = createTask(waitAndLog(cond, "a", log));
    const b = createTask(waitAndLog(cond, "b", log));
    yield* sleep(0);
    yield* cond.acquire();
    cond.notify(1); // wakes a
    a.cancel();
    cond.release();
    yield* assertCancelled(a);
    yield* b;
  }());
  assert.deepEqual(log, ["b:locked"]);
});

function* assertCancelled(
  task: PromiseLike<unknown> & {
    [Symbol.iterator](): Iterator<unknown, unknown, unknown>;
  },
): Coroutine<void> {
  try {
    yield* task as unknown as Coroutine<unknown>;
  } catch (error) {
    assert.ok(error instanceof CancelledError);
    return;
  }
  assert.fail("expected a CancelledError");
}

Deno.test("Condition.notify() skips a waiter that was cancelled but has not left yet", async () => {
  const cond = new Condition();
  const log: string[] = [];
  await run(function* () {
    const a = createTask(waitAndLog(cond, "a", log));
    const b = createTask(waitAndLog(cond, "b", log));
    yield* sleep(0);
    yield* cond.acquire();
    a.cancel(); // a's future is cancelled; a has not run yet
    cond.notify(1); // must wake b, not count a
    cond.release();
    yield* assertCancelled(a);
    yield* b;
  }());
  assert.deepEqual(log, ["b:locked"]);
});

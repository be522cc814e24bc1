import assert from "node:assert/strict";
import { CancelledError, newEventLoop, run } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  sleep,
  type Task,
} from "../../tasks/mod.ts";
import { Lock } from "../../sync/mod.ts";

function* holdFor(
  lock: Lock,
  name: string,
  log: string[],
  seconds: number,
): Coroutine<void> {
  yield* lock.acquire();
  log.push(`${name} acquired`);
  try {
    yield* sleep(seconds);
  } finally {
    lock.release();
  }
}

Deno.test("Lock.acquire() takes a free lock without suspending", async () => {
  const lock = new Lock();
  const log: string[] = [];
  await run(function* () {
    const other = createTask(function* () {
      log.push("other ran");
    }());
    yield* lock.acquire();
    log.push("acquired");
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
    yield* other;
  }());
  assert.deepEqual(log, ["acquired", "other ran"]);
});

Deno.test("Lock serves waiters in FIFO order", async () => {
  const lock = new Lock();
  const log: string[] = [];
  await run(
    function* () {
      yield* lock.acquire();
      const tasks = ["a", "b", "c"].map((name) =>
        createTask(holdFor(lock, name, log, 1))
      );
      yield* sleep(0);
      assert.equal(String(lock), "<Lock [locked, waiters:3]>");
      lock.release();
      for (const t of tasks) yield* t;
      assert.equal(lock.locked(), false);
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["a acquired", "b acquired", "c acquired"]);
});

Deno.test("Lock: a newcomer does not overtake a woken waiter", async () => {
  const lock = new Lock();
  const log: string[] = [];
  await run(
    function* () {
      yield* lock.acquire();
      const a = createTask(holdFor(lock, "a", log, 0));
      yield* sleep(0);
      lock.release();
      // The lock is free but handed to 'a', which has not run yet.
      assert.equal(lock.locked(), false);
      const b = createTask(holdFor(lock, "b", log, 0));
      yield* a;
      yield* b;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["a acquired", "b acquired"]);
});

Deno.test("Lock.release() of an unlocked lock throws", () => {
  const lock = new Lock();
  assert.throws(() => lock.release(), {
    name: "Error",
    message: "Cannot release a Lock that is not acquired",
  });
});

Deno.test("Lock.hold() releases on scope exit, once", async (t) => {
  await t.step("using releases at the end of the block", async () => {
    const lock = new Lock();
    await run(function* () {
      {
        using _ = yield* lock.hold();
        assert.equal(lock.locked(), true);
      }
      assert.equal(lock.locked(), false);
    }());
  });
  await t.step("using releases when the block throws", async () => {
    const lock = new Lock();
    await assert.rejects(
      run(function* () {
        using _ = yield* lock.hold();
        throw new Error("boom");
      }()),
      /boom/,
    );
    assert.equal(lock.locked(), false);
  });
  await t.step("a second dispose does not release another hold", async () => {
    const lock = new Lock();
    await run(function* () {
      const held = yield* lock.hold();
      held[Symbol.dispose]();
      yield* lock.acquire();
      held[Symbol.dispose]();
      assert.equal(lock.locked(), true);
      lock.release();
    }());
  });
});

Deno.test("Lock: cancelling a waiter removes it from the queue", async () => {
  const lock = new Lock();
  const log: string[] = [];
  await run(
    function* () {
      yield* lock.acquire();
      const a = createTask(holdFor(lock, "a", log, 1));
      const b = createTask(holdFor(lock, "b", log, 1));
      yield* sleep(0);
      a.cancel();
      yield* sleep(0);
      assert.equal(a.cancelled(), true);
      assert.equal(String(lock), "<Lock [locked, waiters:1]>");
      lock.release();
      yield* b;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["b acquired"]);
});

Deno.test("Lock: a waiter cancelled as it is woken passes the lock on", async (t) => {
  await t.step("cancelled after release() handed it the lock", async () => {
    const lock = new Lock();
    const log: string[] = [];
    await run(
      function* () {
        yield* lock.acquire();
        const a = createTask(holdFor(lock, "a", log, 1));
        const b = createTask(holdFor(lock, "b", log, 1));
        yield* sleep(0);
        lock.release(); // wakes a
        a.cancel(); // before a runs
        yield* sleep(0);
        assert.equal(a.cancelled(), true);
        yield* b;
        assert.equal(lock.locked(), false);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, ["b acquired"]);
  });
  await t.step(
    "cancelled before release(): the next waiter gets it",
    async () => {
      // asyncio's test_cancel_race: the cancelled head is skipped.
      const lock = new Lock();
      const log: string[] = [];
      await run(
        function* () {
          yield* lock.acquire();
          const a = createTask(holdFor(lock, "a", log, 1));
          const b = createTask(holdFor(lock, "b", log, 1));
          const c = createTask(holdFor(lock, "c", log, 1));
          yield* sleep(0);
          a.cancel();
          lock.release();
          yield* b;
          yield* c;
          assert.equal(a.cancelled(), true);
        }(),
        { virtualTime: true },
      );
      assert.deepEqual(log, ["b acquired", "c acquired"]);
    },
  );
  await t.step("every waiter cancelled: a newcomer takes it", async () => {
    const lock = new Lock();
    await run(function* () {
      yield* lock.acquire();
      const waiters = [0, 1].map(() => createTask(lock.acquire()));
      yield* sleep(0);
      for (const w of waiters) w.cancel();
      lock.release();
      // Their futures are cancelled but still queued until they run.
      yield* lock.acquire();
      assert.equal(lock.locked(), true);
      lock.release();
      yield* sleep(0);
      assert.ok(waiters.every((w) => w.cancelled()));
    }());
  });
  await t.step(
    "a cancelled waiter that runs late does not steal it",
    async () => {
      const lock = new Lock();
      const log: string[] = [];
      let a!: Task<void>;
      await run(function* () {
        yield* lock.acquire();
        a = createTask(holdFor(lock, "a", log, 1));
        yield* sleep(0);
        a.cancel();
        lock.release();
        // The cancelled waiter has not run yet; a newcomer takes the lock.
        yield* lock.acquire();
        yield* sleep(0);
        assert.equal(a.cancelled(), true);
        assert.equal(lock.locked(), true);
        lock.release();
      }());
      assert.deepEqual(log, []);
    },
  );
});

Deno.test("Lock: a cancellation while waiting is a CancelledError", async () => {
  const lock = new Lock();
  const outcome = await run(function* () {
    yield* lock.acquire();
    const waiter = createTask(function* () {
      try {
        yield* lock.acquire();
        return "acquired";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled" : "other";
      }
    }());
    yield* sleep(0);
    waiter.cancel();
    return yield* waiter;
  }());
  assert.equal(outcome, "cancelled");
  assert.equal(lock.locked(), true);
});

Deno.test("Lock refuses to be used from a second loop", async () => {
  const lock = new Lock();
  await run(function* () {
    yield* lock.acquire();
    const waiter = createTask(lock.acquire());
    yield* sleep(0);
    lock.release();
    yield* waiter;
    lock.release();
  }());
  const loop = newEventLoop();
  try {
    await assert.rejects(
      loop.runUntilComplete(function* () {
        yield* lock.acquire();
        yield* lock.acquire();
      }()),
      /<Lock \[locked\]> is bound to a different event loop/,
    );
  } finally {
    loop.close();
  }
});

Deno.test("Lock stress: random cancellations never strand or double-grant it", async () => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const lock = new Lock();
  let inside = 0;
  let entries = 0;
  await run(
    function* () {
      const tasks: Task<void>[] = [];
      for (let i = 0; i < 200; i++) {
        tasks.push(createTask(function* () {
          yield* sleep(random() * 2);
          yield* lock.acquire();
          try {
            inside++;
            assert.equal(inside, 1);
            entries++;
            yield* sleep(random() * 0.05);
          } finally {
            inside--;
            lock.release();
          }
        }()));
      }
      for (let step = 0; step < 400; step++) {
        yield* sleep(random() * 0.02);
        const t = tasks[Math.floor(random() * tasks.length)];
        if (random() < 0.5) {
          // Sometimes cancel right after a release hands over the lock.
          yield* sleep(0);
        }
        t.cancel();
      }
      for (const t of tasks) {
        try {
          yield* t;
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
        }
      }
      assert.equal(lock.locked(), false);
      assert.equal(String(lock), "<Lock [unlocked]>");
      // The lock still works.
      yield* lock.acquire();
      lock.release();
    }(),
    { virtualTime: true },
  );
  assert.ok(entries > 0);
});

Deno.test("Lock.hold() cancelled while waiting holds nothing", async () => {
  const lock = new Lock();
  await run(function* () {
    yield* lock.acquire();
    const waiter = createTask(function* () {
      using _ = yield* lock.hold();
      return "held";
    }());
    yield* sleep(0);
    lock.release(); // hands the lock to the waiter...
    waiter.cancel(); // ...which is cancelled before it runs
    try {
      yield* waiter;
      assert.fail("expected a CancelledError");
    } catch (error) {
      assert.ok(error instanceof CancelledError);
    }
    assert.equal(lock.locked(), false);
    assert.equal(String(lock), "<Lock [unlocked]>");
  }());
});

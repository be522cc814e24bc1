import assert from "node:assert/strict";
import { CancelledError, run } from "../../eventloop/mod.ts";
import { type Coroutine, createTask, sleep } from "../../tasks/mod.ts";
import { BoundedSemaphore, Semaphore } from "../../sync/mod.ts";

function* job(
  sem: Semaphore,
  name: string,
  log: string[],
  seconds: number,
): Coroutine<void> {
  yield* sem.acquire();
  log.push(name);
  try {
    yield* sleep(seconds);
  } finally {
    sem.release();
  }
}

Deno.test("Semaphore validates its value", () => {
  assert.throws(() => new Semaphore(-1), {
    name: "RangeError",
    message:
      "Cannot create Semaphore as 'value' must be a non-negative integer: received -1",
  });
  assert.throws(() => new Semaphore(1.5), RangeError);
  assert.throws(
    () => new BoundedSemaphore("2" as unknown as number),
    {
      name: "TypeError",
      message:
        `Cannot create BoundedSemaphore as 'value' must be a non-negative integer: received "2"`,
    },
  );
  assert.equal(new Semaphore().locked(), false);
  assert.equal(new Semaphore(0).locked(), true);
});

Deno.test("Semaphore admits `value` tasks at once, the rest in FIFO order", async () => {
  const sem = new Semaphore(2);
  const log: string[] = [];
  await run(
    function* () {
      const tasks = ["a", "b", "c", "d", "e"].map((name) =>
        createTask(job(sem, name, log, 1))
      );
      yield* sleep(0);
      assert.deepEqual(log, ["a", "b"]);
      assert.equal(sem.locked(), true);
      assert.equal(String(sem), "<Semaphore [locked, waiters:3]>");
      for (const t of tasks) yield* t;
      assert.equal(String(sem), "<Semaphore [unlocked, value:2]>");
      assert.equal(sem._value, 2);
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["a", "b", "c", "d", "e"]);
});

Deno.test("Semaphore: a newcomer does not overtake queued waiters", async () => {
  const sem = new Semaphore(0);
  const log: string[] = [];
  await run(function* () {
    const a = createTask(job(sem, "a", log, 0));
    yield* sleep(0);
    sem.release(); // handed to a, who has not run yet
    assert.equal(sem.locked(), true);
    const b = createTask(job(sem, "b", log, 0));
    yield* a;
    yield* b;
  }());
  assert.deepEqual(log, ["a", "b"]);
});

Deno.test("Semaphore: a waiter cancelled as it is woken gives the slot on", async (t) => {
  await t.step("woken then cancelled", async () => {
    const sem = new Semaphore(0);
    const log: string[] = [];
    await run(
      function* () {
        const a = createTask(job(sem, "a", log, 1));
        const b = createTask(job(sem, "b", log, 1));
        yield* sleep(0);
        sem.release(); // wakes a
        a.cancel();
        yield* b;
        assert.equal(a.cancelled(), true);
        assert.equal(sem._value, 1);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, ["b"]);
  });
  await t.step("cancelled before the release", async () => {
    const sem = new Semaphore(0);
    const log: string[] = [];
    await run(
      function* () {
        const a = createTask(job(sem, "a", log, 1));
        const b = createTask(job(sem, "b", log, 1));
        const c = createTask(job(sem, "c", log, 1));
        yield* sleep(0);
        a.cancel();
        sem.release();
        sem.release();
        yield* b;
        yield* c;
        assert.equal(sem._value, 2);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, ["b", "c"]);
  });
  await t.step(
    "several cancelled while slots are free (asyncio's hang case)",
    async () => {
      const sem = new Semaphore(0);
      await run(function* () {
        const waiters = [0, 1, 2].map(() => createTask(sem.acquire()));
        yield* sleep(0);
        sem.release();
        sem.release();
        waiters[0].cancel();
        waiters[1].cancel();
        yield* sleep(0);
        // The cancelled waiters passed one slot to the last waiter and put
        // the other back into the count.
        assert.equal(yield* waiters[2], true);
        assert.equal(sem._value, 1);
        assert.equal(sem.locked(), false);
      }());
    },
  );
});

Deno.test("Semaphore.acquire() cancelled raises CancelledError and takes nothing", async () => {
  const sem = new Semaphore(0);
  const outcome = await run(function* () {
    const waiter = createTask(sem.acquire());
    yield* sleep(0);
    waiter.cancel();
    try {
      yield* waiter;
      return "acquired";
    } catch (error) {
      return error instanceof CancelledError ? "cancelled" : "other";
    }
  }());
  assert.equal(outcome, "cancelled");
  assert.equal(sem._value, 0);
  assert.equal(String(sem), "<Semaphore [locked]>");
});

Deno.test("Semaphore.hold() releases on scope exit", async () => {
  const sem = new BoundedSemaphore(1);
  await run(function* () {
    {
      using _ = yield* sem.hold();
      assert.equal(sem.locked(), true);
    }
    assert.equal(sem.locked(), false);
  }());
});

Deno.test("BoundedSemaphore.release() beyond the initial value throws", async () => {
  const sem = new BoundedSemaphore(2);
  assert.throws(() => sem.release(), {
    name: "Error",
    message:
      "BoundedSemaphore released too many times: its value is already 2, the initial value",
  });
  await run(function* () {
    yield* sem.acquire();
    yield* sem.acquire();
    sem.release();
    sem.release();
  }());
  assert.throws(() => sem.release(), /released too many times/);
  // A plain Semaphore may grow.
  const plain = new Semaphore(1);
  plain.release();
  assert.equal(plain._value, 2);
});

Deno.test("Semaphore.acquire() with a free slot does not suspend", async () => {
  const sem = new Semaphore(2);
  const log: string[] = [];
  await run(function* () {
    const other = createTask(function* () {
      log.push("other");
    }());
    yield* sem.acquire();
    yield* sem.acquire();
    log.push("two slots taken");
    assert.equal(sem.locked(), true);
    sem.release();
    sem.release();
    yield* other;
  }());
  assert.deepEqual(log, ["two slots taken", "other"]);
});

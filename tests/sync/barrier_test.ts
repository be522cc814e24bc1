import assert from "node:assert/strict";
import { CancelledError, run } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  sleep,
  type Task,
} from "../../tasks/mod.ts";
import { Barrier, BrokenBarrierError } from "../../sync/mod.ts";

function* settle(task: Task<unknown>): Coroutine<unknown> {
  try {
    return yield* task;
  } catch (error) {
    return error;
  }
}

Deno.test("Barrier validates parties", () => {
  assert.throws(() => new Barrier(0), {
    name: "RangeError",
    message:
      "Cannot create Barrier as 'parties' must be a positive integer: received 0",
  });
  assert.throws(() => new Barrier(2.5), RangeError);
  assert.throws(() => new Barrier(undefined as unknown as number), TypeError);
  assert.equal(new Barrier(3).parties, 3);
});

Deno.test("Barrier.wait() releases all parties together with their arrival indices", async () => {
  const barrier = new Barrier(3);
  const log: string[] = [];
  await run(
    function* () {
      const tasks = ["a", "b", "c"].map((name, i) =>
        createTask(function* () {
          yield* sleep(i + 1);
          const index = yield* barrier.wait();
          log.push(`${name}#${index}@${barrier.nWaiting}`);
          return index;
        }())
      );
      yield* sleep(2.5);
      assert.equal(barrier.nWaiting, 2);
      assert.equal(String(barrier), "<Barrier [filling, waiters:2/3]>");
      const indices = [];
      for (const t of tasks) indices.push(yield* t);
      assert.deepEqual(indices, [0, 1, 2]);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    }(),
    { virtualTime: true },
  );
  assert.equal(log.length, 3);
  assert.deepEqual(log.map((l) => l.split("@")[0]).sort(), [
    "a#0",
    "b#1",
    "c#2",
  ]);
});

Deno.test("Barrier is reusable: a fast task waits for the next round", async () => {
  const barrier = new Barrier(2);
  const rounds: number[][] = [[], [], []];
  await run(
    function* () {
      const tasks = [0, 1].map((n) =>
        createTask(function* () {
          for (let round = 0; round < 3; round++) {
            yield* sleep(n === 0 ? 0 : 1);
            yield* barrier.wait();
            rounds[round].push(n);
          }
        }())
      );
      for (const t of tasks) yield* t;
    }(),
    { virtualTime: true },
  );
  for (const r of rounds) assert.deepEqual(r.sort(), [0, 1]);
});

Deno.test("Barrier.abort() breaks waiting and later waits until reset()", async () => {
  const barrier = new Barrier(3);
  await run(
    function* () {
      const waiters = [0, 1].map(() => createTask(barrier.wait()));
      yield* sleep(1);
      yield* barrier.abort();
      assert.equal(barrier.broken, true);
      assert.equal(String(barrier), "<Barrier [broken]>");
      for (const w of waiters) {
        assert.ok((yield* settle(w)) instanceof BrokenBarrierError);
      }
      const late = yield* settle(createTask(barrier.wait()));
      assert.ok(late instanceof BrokenBarrierError);
      assert.equal((late as Error).name, "BrokenBarrierError");
      yield* barrier.reset();
      assert.equal(barrier.broken, false);
      const again = [0, 1, 2].map(() => createTask(barrier.wait()));
      const indices = [];
      for (const t of again) indices.push(yield* t);
      assert.deepEqual(indices.sort(), [0, 1, 2]);
    }(),
    { virtualTime: true },
  );
});

Deno.test("Barrier.reset() breaks the current waiters and reopens", async () => {
  const barrier = new Barrier(2);
  await run(
    function* () {
      const waiter = createTask(barrier.wait());
      yield* sleep(1);
      assert.equal(barrier.nWaiting, 1);
      yield* barrier.reset();
      assert.ok((yield* settle(waiter)) instanceof BrokenBarrierError);
      assert.equal(barrier.broken, false);
      assert.equal(barrier.nWaiting, 0);
      const pair = [0, 1].map(() => createTask(barrier.wait()));
      const indices = [];
      for (const t of pair) indices.push(yield* t);
      assert.deepEqual(indices, [0, 1]);
      // Reset with nobody waiting is harmless.
      yield* barrier.reset();
      assert.equal(String(barrier), "<Barrier [filling, waiters:0/2]>");
    }(),
    { virtualTime: true },
  );
});

Deno.test("Barrier: a cancelled waiter no longer counts", async () => {
  const barrier = new Barrier(2);
  await run(
    function* () {
      const a = createTask(barrier.wait());
      yield* sleep(1);
      assert.equal(barrier.nWaiting, 1);
      a.cancel();
      assert.ok((yield* settle(a)) instanceof CancelledError);
      assert.equal(barrier.nWaiting, 0);
      const b = createTask(barrier.wait());
      yield* sleep(1);
      assert.equal(b.done(), false);
      const c = createTask(barrier.wait());
      assert.deepEqual([yield* b, yield* c], [0, 1]);
    }(),
    { virtualTime: true },
  );
});

Deno.test("Barrier: a task arriving while the round drains waits for the next, and may be cancelled there", async () => {
  const barrier = new Barrier(2);
  await run(function* () {
    const a = createTask(barrier.wait());
    const b = createTask(barrier.wait()); // trips the barrier
    const c = createTask(barrier.wait()); // arrives while it drains
    yield* sleep(0);
    assert.equal(b.done(), true);
    assert.equal(a.done(), false);
    assert.equal(String(barrier), "<Barrier [draining, waiters:0/2]>");
    c.cancel();
    assert.ok((yield* settle(c)) instanceof CancelledError);
    assert.equal(yield* a, 0);
    assert.equal(yield* b, 1);
    assert.equal(String(barrier), "<Barrier [filling, waiters:0/2]>");
    const d = createTask(barrier.wait());
    const e = createTask(barrier.wait());
    assert.deepEqual([yield* d, yield* e], [0, 1]);
  }());
});

Deno.test("Barrier: a task arriving while the round drains joins the next round", async () => {
  const barrier = new Barrier(2);
  await run(function* () {
    const first = [0, 1].map(() => createTask(barrier.wait()));
    const late = createTask(barrier.wait());
    yield* sleep(0);
    assert.equal(late.done(), false);
    for (const t of first) yield* t;
    yield* sleep(0);
    assert.equal(barrier.nWaiting, 1);
    const partner = createTask(barrier.wait());
    assert.deepEqual([yield* late, yield* partner], [0, 1]);
  }());
});

Deno.test("Barrier: a party cancelled after the barrier tripped still lets the round finish", async () => {
  const barrier = new Barrier(2);
  await run(function* () {
    const a = createTask(barrier.wait());
    const b = createTask(barrier.wait());
    yield* sleep(0); // a waits, b trips the barrier
    assert.equal(b.done(), true);
    a.cancel(); // woken, but cancelled before it runs
    assert.ok((yield* settle(a)) instanceof CancelledError);
    assert.equal(yield* b, 1);
    assert.equal(String(barrier), "<Barrier [filling, waiters:0/2]>");
    const next = [0, 1].map(() => createTask(barrier.wait()));
    assert.deepEqual([yield* next[0], yield* next[1]], [0, 1]);
  }());
});

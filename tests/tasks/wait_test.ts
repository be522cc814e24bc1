import assert from "node:assert/strict";
import { CancelledError } from "../../eventloop/mod.ts";
import {
  ALL_COMPLETED,
  type Coroutine,
  createTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  fromPromise,
  sleep,
  type Task,
  wait,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

function* failLater(delay: number): Coroutine<never> {
  yield* sleep(delay);
  throw new RangeError(`failed at ${delay}`);
}

Deno.test("wait() waits for all by default and returns [done, pending] Sets", async () => {
  await runClean(function* () {
    const a = createTask(sleep(1, "a"));
    const b = createTask(sleep(3, "b"));
    const [done, pending] = yield* wait([a, b]);
    assert.ok(done instanceof Set && pending instanceof Set);
    assert.deepEqual(done, new Set([a, b]));
    assert.equal(pending.size, 0);
    assert.equal(now(), 3);
    const [again] = yield* wait(new Set([a]), { returnWhen: ALL_COMPLETED });
    assert.deepEqual(again, new Set([a]));
  });
});

Deno.test("wait() with FIRST_COMPLETED returns at the first to finish", async () => {
  await runClean(function* () {
    const slow = createTask(sleep(5));
    const fast = createTask(sleep(1));
    const [done, pending] = yield* wait([slow, fast], {
      returnWhen: FIRST_COMPLETED,
    });
    assert.deepEqual(done, new Set([fast]));
    assert.deepEqual(pending, new Set([slow]));
    assert.equal(now(), 1);
    // Nothing was cancelled.
    assert.ok(!slow.done());
    yield* slow;
  });
});

Deno.test("wait() with FIRST_COMPLETED counts a cancellation as completion", async () => {
  await runClean(function* () {
    const a = createTask(sleep(5));
    const b = createTask(sleep(5));
    a.getLoop().callLater(1, () => b.cancel());
    const [done, pending] = yield* wait([a, b], {
      returnWhen: FIRST_COMPLETED,
    });
    assert.deepEqual(done, new Set([b]));
    assert.deepEqual(pending, new Set([a]));
    a.cancel();
  });
});

Deno.test("wait() with FIRST_EXCEPTION returns at the first error", async (t) => {
  await t.step("an error returns at once", async () => {
    await runClean(function* () {
      const ok = createTask(sleep(1));
      const bad = createTask(failLater(2));
      const slow = createTask(sleep(10));
      const [done, pending] = yield* wait([ok, bad, slow], {
        returnWhen: FIRST_EXCEPTION,
      });
      assert.deepEqual(done, new Set([ok, bad]));
      assert.deepEqual(pending, new Set([slow]));
      assert.equal(now(), 2);
      assert.ok(bad.exception() instanceof RangeError);
      slow.cancel();
    });
  });

  await t.step("a cancellation is not an error", async () => {
    await runClean(function* () {
      const a = createTask(sleep(5));
      const b = createTask(sleep(3));
      a.getLoop().callLater(1, () => b.cancel());
      const [done, pending] = yield* wait([a, b], {
        returnWhen: FIRST_EXCEPTION,
      });
      assert.deepEqual(done, new Set([a, b]));
      assert.equal(pending.size, 0);
      assert.equal(now(), 5);
    });
  });

  await t.step("without errors it waits for all", async () => {
    await runClean(function* () {
      const tasks = [createTask(sleep(1)), createTask(sleep(2))];
      const [done] = yield* wait(tasks, { returnWhen: FIRST_EXCEPTION });
      assert.equal(done.size, 2);
      assert.equal(now(), 2);
    });
  });
});

Deno.test("wait() with a timeout returns what is done and cancels nothing", async () => {
  await runClean(function* () {
    const fast = createTask(sleep(1));
    const slow = createTask(sleep(10));
    const [done, pending] = yield* wait([fast, slow], { timeout: 2 });
    assert.deepEqual(done, new Set([fast]));
    assert.deepEqual(pending, new Set([slow]));
    assert.equal(now(), 2);
    assert.ok(!slow.done());
    slow.cancel();
  });
});

Deno.test("wait() returns early and leaves no timer behind", async () => {
  await runClean(function* () {
    const task = createTask(sleep(1));
    const [done] = yield* wait([task], { timeout: 100 });
    assert.equal(done.size, 1);
    assert.equal(now(), 1);
    // runClean checks that the 100 s timer was cancelled.
  });
});

Deno.test("wait() of futures that are already done returns after one turn", async () => {
  await runClean(function* () {
    const a = createTask(sleep(0, 1));
    yield* a;
    const [done, pending] = yield* wait([a]);
    assert.deepEqual(done, new Set([a]));
    assert.equal(pending.size, 0);
    assert.equal(now(), 0);
  });
});

Deno.test("wait(): cancelling the waiter cancels none of the futures", async () => {
  await runClean(function* () {
    const task = createTask(sleep(5));
    const waiter = createTask(wait([task]));
    yield* sleep(1);
    waiter.cancel();
    assert.ok((yield* caught(waiter)) instanceof CancelledError);
    assert.ok(!task.done());
    yield* task;
  });
});

Deno.test("wait() refuses coroutines, promises, empty input and unknown returnWhen", async () => {
  await runClean(function* () {
    const coro = sleep(1);
    assert.throws(() => wait([coro] as never), {
      name: "TypeError",
      message:
        "wait() does not accept coroutines: wrap each one with createTask() and pass the tasks",
    });
    assert.throws(() => wait(coro as never), {
      name: "TypeError",
      message: /expects an iterable of futures/,
    });
    assert.throws(() => wait([Promise.resolve(1)] as never), {
      name: "TypeError",
      message: /wrap a Promise with fromPromise/,
    });
    assert.throws(() => wait([]), {
      name: "RangeError",
      message: /at least one future/,
    });
    const task: Task<void> = createTask(sleep(0));
    assert.throws(() => wait([task], { returnWhen: "SOMETIMES" as never }), {
      name: "RangeError",
      message: /'returnWhen' must be .*: received "SOMETIMES"/,
    });
    assert.throws(() => wait([task], { timeout: "1" as never }), TypeError);
    yield* task;
  });
});

Deno.test("wait() works on a future from fromPromise()", async () => {
  await runClean(function* () {
    const fut = fromPromise(Promise.resolve(3));
    const [done] = yield* wait([fut]);
    assert.equal([...done][0].result(), 3);
  });
});

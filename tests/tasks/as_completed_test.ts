import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../eventloop/mod.ts";
import {
  asCompleted,
  type Coroutine,
  createTask,
  sleep,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

function* failLater(delay: number): Coroutine<string> {
  yield* sleep(delay);
  throw new RangeError(`failed at ${delay}`);
}

Deno.test("asCompleted() gives results in completion order", async () => {
  await runClean(function* () {
    const order: Array<[string, number]> = [];
    const coros = asCompleted([
      sleep(3, "c"),
      createTask(sleep(1, "a")),
      Promise.resolve("now"),
      sleep(2, "b"),
    ]);
    assert.equal(coros.length, 4);
    for (const next of coros) order.push([yield* next, now()]);
    assert.deepEqual(order, [["now", 0], ["a", 1], ["b", 2], ["c", 3]]);
  });
});

Deno.test("asCompleted(): an error is thrown by the coroutine that receives it", async () => {
  await runClean(function* () {
    const [first, second] = asCompleted([sleep(2, "ok"), failLater(1)]);
    const error = yield* caught(first);
    assert.ok(error instanceof RangeError);
    assert.equal(yield* second, "ok");
  });
});

Deno.test("asCompleted() with a timeout throws TimeoutError for what is left", async () => {
  await runClean(function* () {
    const slow = createTask(sleep(10, "slow"));
    const coros = asCompleted([sleep(1, "fast"), slow], { timeout: 5 });
    assert.equal(yield* coros[0], "fast");
    const error = yield* caught(coros[1]);
    assert.ok(error instanceof TimeoutError);
    assert.equal(now(), 5);
    // The awaitable itself is not cancelled.
    assert.ok(!slow.done());
    slow.cancel();
  });
});

Deno.test("asCompleted(): a coroutine started after the timeout throws at once", async () => {
  await runClean(function* () {
    const slow = createTask(sleep(10));
    const [only] = asCompleted([slow], { timeout: 1 });
    yield* sleep(2);
    assert.ok((yield* caught(only)) instanceof TimeoutError);
    assert.equal(now(), 2);
    slow.cancel();
  });
});

Deno.test("asCompleted() counts a duplicate once", async () => {
  await runClean(function* () {
    const task = createTask(sleep(1, 1));
    const coros = asCompleted([task, task]);
    assert.equal(coros.length, 1);
    assert.equal(yield* coros[0], 1);
  });
});

Deno.test("asCompleted() of nothing gives no coroutines", async () => {
  await runClean(function* () {
    assert.deepEqual(asCompleted([], { timeout: 1 }), []);
    yield;
  });
});

Deno.test("asCompleted(): a consumer cancelled after being woken loses no result", async () => {
  await runClean(function* () {
    const source = createTask(sleep(1, "x"));
    const [first, second] = asCompleted([source, sleep(2, "y")]);
    const consumer = createTask(function* () {
      return yield* first;
    }());
    const other = createTask(function* () {
      const value = yield* second;
      return [value, now()];
    }());
    yield* sleep(0);
    // This done-callback runs right after asCompleted's own, which hands the
    // result over and wakes the first consumer: cancel it before it runs.
    let woken = false;
    source.addDoneCallback(() => {
      woken = consumer._futWaiter?.done() ?? false;
      consumer.cancel();
    });
    assert.ok((yield* caught(consumer)) instanceof CancelledError);
    assert.ok(woken, "the consumer had been woken when it was cancelled");
    // The wake-up passed on to the other consumer, which got "x" at once.
    assert.deepEqual(yield* other, ["x", 1]);
    yield* sleep(1); // let the "y" task finish
  });
});

Deno.test("asCompleted() rejects bad arguments with TypeError", async () => {
  await runClean(function* () {
    assert.throws(() => asCompleted(sleep(1) as never), {
      name: "TypeError",
      message: /expects an iterable of awaitables/,
    });
    assert.throws(() => asCompleted([5] as never), TypeError);
    assert.throws(() => asCompleted([], { timeout: "1" as never }), {
      name: "TypeError",
      message: /'timeout' must be a number of seconds or null: received "1"/,
    });
    const task = createTask(sleep(1));
    assert.throws(() => asCompleted([task, 5] as never), TypeError);
    assert.throws(() => asCompleted([sleep(1), 5] as never), TypeError);
    yield* sleep(0);
    // The caller's own task is not cancelled by the failed call; the task
    // made for the coroutine is (runClean checks nothing is left).
    assert.ok(!task.cancelled());
    yield* task;
  });
});

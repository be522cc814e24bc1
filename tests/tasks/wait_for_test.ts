import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  currentTask,
  fromPromise,
  sleep,
  waitFor,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

Deno.test("waitFor() gives the result when it comes in time", async () => {
  await runClean(function* () {
    assert.equal(yield* waitFor(sleep(1, "coro"), 2), "coro");
    assert.equal(yield* waitFor(createTask(sleep(1, "task")), 2), "task");
    assert.equal(yield* waitFor(Promise.resolve("promise"), 2), "promise");
    assert.equal(now(), 2);
  });
});

Deno.test("waitFor() cancels the inner task on expiry, waits for it, then throws TimeoutError", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const inner = createTask(function* () {
      try {
        yield* sleep(10);
      } finally {
        yield* sleep(1); // cleanup takes a second
        log.push(`inner cleaned up at ${now()}`);
      }
    }());
    const error = yield* caught(waitFor(inner, 2));
    log.push(`waitFor threw ${(error as Error).name} at ${now()}`);
    assert.ok(error instanceof TimeoutError);
    assert.ok(inner.cancelled());
    assert.equal(currentTask()!.cancelling(), 0);
  });
  assert.deepEqual(log, [
    "inner cleaned up at 3",
    "waitFor threw TimeoutError at 3",
  ]);
});

Deno.test("waitFor() runs a coroutine in the calling task and cancels it there", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const me = currentTask();
    const error = yield* caught(waitFor(
      function* () {
        assert.equal(currentTask(), me);
        try {
          yield* sleep(10);
        } finally {
          log.push("finally ran");
        }
      }(),
      1,
    ));
    assert.ok(error instanceof TimeoutError);
  });
  assert.deepEqual(log, ["finally ran"]);
});

Deno.test("waitFor(aw, null) waits as long as it takes", async () => {
  await runClean(function* () {
    assert.equal(yield* waitFor(sleep(1e5, "done"), null), "done");
    assert.equal(now(), 1e5);
  });
});

Deno.test("waitFor() with a timeout of 0 or less", async (t) => {
  await t.step("a done future gives its result", async () => {
    await runClean(function* () {
      const task = createTask(sleep(0, "ready"));
      yield* task;
      assert.equal(yield* waitFor(task, 0), "ready");
    });
  });

  await t.step(
    "a pending task is cancelled and TimeoutError thrown",
    async () => {
      await runClean(function* () {
        const task = createTask(sleep(1));
        const error = yield* caught(waitFor(task, -1));
        assert.ok(error instanceof TimeoutError);
        assert.ok(error.cause instanceof CancelledError);
        assert.ok(task.cancelled());
        assert.equal(now(), 0);
      });
    },
  );

  await t.step("a coroutine never runs", async () => {
    let ran = false;
    await runClean(function* () {
      const error = yield* caught(waitFor(
        function* () {
          ran = true;
          yield;
        }(),
        0,
      ));
      assert.ok(error instanceof TimeoutError);
    });
    assert.equal(ran, false);
  });

  await t.step(
    "a task that swallows the cancellation gives its value",
    async () => {
      await runClean(function* () {
        const task = createTask(function* () {
          try {
            yield* sleep(5);
          } catch {
            return "swallowed";
          }
          return "finished";
        }());
        yield* sleep(0);
        assert.equal(yield* waitFor(task, 0), "swallowed");
      });
    },
  );
});

Deno.test("waitFor(): an inner task that swallows the cancellation gives its value", async () => {
  await runClean(function* () {
    const inner = createTask(function* () {
      try {
        yield* sleep(10);
        assert.fail("the sleep should have been cancelled");
      } catch (error) {
        assert.ok(error instanceof CancelledError, String(error));
        yield* sleep(1);
        return "swallowed";
      }
    }());
    assert.equal(yield* waitFor(inner, 2), "swallowed");
    assert.equal(now(), 3);
    assert.equal(currentTask()!.cancelling(), 0);
  });
});

Deno.test("waitFor(): a cancellation of the waiter is CancelledError, not TimeoutError", async () => {
  await runClean(function* () {
    const inner = createTask(sleep(10));
    const waiter = createTask(waitFor(inner, 5));
    yield* sleep(1);
    waiter.cancel();
    const error = yield* caught(waiter);
    assert.ok(error instanceof CancelledError);
    assert.ok(inner.cancelled());
    assert.equal(now(), 1);
  });
});

Deno.test("waitFor(): the waiter cancelled at the moment of expiry is cancelled", async () => {
  await runClean(function* () {
    const waiter = createTask(waitFor(sleep(10), 2));
    waiter.getLoop().callAt(2, () => waiter.cancel());
    const error = yield* caught(waiter);
    assert.ok(error instanceof CancelledError);
  });
});

Deno.test("waitFor() passes on the inner error", async () => {
  await runClean(function* () {
    const error = yield* caught(waitFor(
      function* (): Coroutine<void> {
        yield* sleep(1);
        throw new RangeError("inner");
      }(),
      5,
    ));
    assert.ok(error instanceof RangeError);
    const rejected = yield* caught(
      waitFor(fromPromise(Promise.reject(new URIError("p"))), 5),
    );
    assert.ok(rejected instanceof URIError);
  });
});

Deno.test("waitFor() rejects bad arguments with TypeError", () => {
  assert.throws(() => waitFor(5 as never, 1), {
    name: "TypeError",
    message:
      "waitFor()'s 'aw' must be a coroutine, a Future or a PromiseLike: received 5",
  });
  assert.throws(() => waitFor(sleep(1), "1" as never), {
    name: "TypeError",
    message: /'timeout' must be a number of seconds or null: received "1"/,
  });
  assert.throws(() => waitFor(sleep(1), undefined as never), TypeError);
});

import assert from "node:assert/strict";
import { CancelledError, TimeoutError } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  currentTask,
  sleep,
  Timeout,
  timeout,
  timeoutAt,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

Deno.test("timeout() returns the body's result when it finishes in time", async () => {
  await runClean(function* () {
    assert.equal(yield* timeout(5, sleep(2, "in time")), "in time");
    assert.equal(now(), 2);
    assert.equal(currentTask()!.cancelling(), 0);
  });
});

Deno.test("timeout() cancels the body on expiry and throws TimeoutError", async () => {
  const log: string[] = [];
  await runClean(function* () {
    let seen: Timeout | undefined;
    const error = yield* caught(timeout(2, function* (t) {
      seen = t;
      try {
        yield* sleep(3600);
      } catch (e) {
        log.push(`body got ${(e as Error).name}`);
        throw e;
      } finally {
        log.push(`finally at ${now()}`);
      }
    }));
    assert.ok(error instanceof TimeoutError);
    assert.ok(error.cause instanceof CancelledError);
    assert.equal(seen!.expired(), true);
    assert.equal(now(), 2);
    // The expiry's cancel request was taken back.
    assert.equal(currentTask()!.cancelling(), 0);
    // The task goes on normally afterwards.
    yield* sleep(1);
    assert.equal(now(), 3);
  });
  assert.deepEqual(log, ["body got CancelledError", "finally at 2"]);
});

Deno.test("timeout(null) never expires", async () => {
  await runClean(function* () {
    yield* timeout(null, function* (t) {
      assert.equal(t.when(), null);
      yield* sleep(1e6);
      assert.equal(t.expired(), false);
    });
    assert.equal(now(), 1e6);
  });
});

Deno.test("Timeout: when(), reschedule() and expired()", async (t) => {
  await t.step("when() is the loop time of the deadline", async () => {
    await runClean(function* () {
      yield* sleep(10);
      yield* timeout(5, function* (t) {
        assert.equal(t.when(), 15);
        assert.match(t.toString(), /active.*when=15/);
        yield;
      });
    });
  });

  await t.step("reschedule() later lets the body finish", async () => {
    await runClean(function* () {
      const value = yield* timeout(1, function* (t) {
        yield* sleep(0.5);
        t.reschedule(now() + 10);
        yield* sleep(5);
        return "late but allowed";
      });
      assert.equal(value, "late but allowed");
    });
  });

  await t.step("reschedule() earlier expires sooner", async () => {
    await runClean(function* () {
      const error = yield* caught(timeout(100, function* (t) {
        t.reschedule(now() + 1);
        yield* sleep(50);
      }));
      assert.ok(error instanceof TimeoutError);
      assert.equal(now(), 1);
    });
  });

  await t.step(
    "reschedule() into the past expires at the next turn",
    async () => {
      await runClean(function* () {
        yield* sleep(5);
        const error = yield* caught(timeout(100, function* (t) {
          t.reschedule(0);
          yield* sleep(50);
        }));
        assert.ok(error instanceof TimeoutError);
        assert.equal(now(), 5);
      });
    },
  );

  await t.step("reschedule(null) removes the deadline", async () => {
    await runClean(function* () {
      yield* timeout(1, function* (t) {
        t.reschedule(null);
        yield* sleep(10);
        assert.equal(t.when(), null);
      });
    });
  });

  await t.step("reschedule() outside the block is an error", async () => {
    await runClean(function* () {
      assert.throws(
        () => new Timeout(5).reschedule(1),
        { message: "Timeout has not been entered" },
      );
      let kept: Timeout | undefined;
      yield* timeout(1, function* (t) {
        kept = t;
        yield;
      });
      assert.throws(() => kept!.reschedule(3), {
        message: "Cannot change state of finished Timeout",
      });
      yield* caught(timeout(1, function* (t) {
        kept = t;
        yield* sleep(2);
      }));
      assert.throws(() => kept!.reschedule(3), {
        message: "Cannot change state of expired Timeout",
      });
      assert.throws(() => kept!.reschedule("3" as never), TypeError);
    });
  });
});

Deno.test("timeout() of 0 or less lets the body start and expires at its first suspension", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const error = yield* caught(timeout(
      -1,
      function* () {
        log.push("started");
        yield* sleep(1);
        log.push("not reached");
      }(),
    ));
    assert.ok(error instanceof TimeoutError);
    // A body that never suspends finishes.
    assert.equal(
      yield* timeout(
        0,
        function* () {
          return "no suspension";
        }(),
      ),
      "no suspension",
    );
  });
  assert.deepEqual(log, ["started"]);
});

Deno.test("timeoutAt() takes a loop time", async () => {
  await runClean(function* () {
    assert.equal(yield* timeoutAt(now() + 5, sleep(4, "ok")), "ok");
    const error = yield* caught(timeoutAt(now() + 5, sleep(6)));
    assert.ok(error instanceof TimeoutError);
    assert.equal(now(), 9);
    const past = yield* caught(timeoutAt(0, sleep(1)));
    assert.ok(past instanceof TimeoutError);
  });
});

Deno.test("timeout() nested: each throws only its own TimeoutError", async (t) => {
  await t.step("the inner expires first: the outer goes on", async () => {
    await runClean(function* () {
      const result = yield* timeout(10, function* (outer) {
        const inner = yield* caught(timeout(1, sleep(5)));
        assert.ok(inner instanceof TimeoutError);
        assert.equal(outer.expired(), false);
        yield* sleep(2);
        return "outer finished";
      });
      assert.equal(result, "outer finished");
      assert.equal(now(), 3);
    });
  });

  await t.step(
    "the outer expires first: the inner sees CancelledError",
    async () => {
      await runClean(function* () {
        const log: string[] = [];
        const error = yield* caught(timeout(
          1,
          function* () {
            try {
              yield* timeout(10, sleep(5));
            } catch (e) {
              log.push(`inner block threw ${(e as Error).name}`);
              throw e;
            }
          }(),
        ));
        assert.ok(error instanceof TimeoutError);
        assert.deepEqual(log, ["inner block threw CancelledError"]);
        assert.equal(currentTask()!.cancelling(), 0);
      });
    },
  );

  await t.step(
    "both expire at the same moment: only the outer's is thrown",
    async () => {
      await runClean(function* () {
        const log: string[] = [];
        const error = yield* caught(timeout(
          1,
          function* () {
            try {
              yield* timeout(1, sleep(5));
            } catch (e) {
              log.push(`inner block threw ${(e as Error).name}`);
              throw e;
            }
          }(),
        ));
        assert.ok(error instanceof TimeoutError);
        assert.deepEqual(log, ["inner block threw CancelledError"]);
        assert.equal(currentTask()!.cancelling(), 0);
      });
    },
  );
});

Deno.test("timeout(): a cancellation from outside wins over an expiry", async () => {
  await runClean(function* () {
    const task = createTask(timeout(1, sleep(5)));
    // Both happen in the same pass: the expiry at time 1, then the cancel.
    const loop = task.getLoop();
    loop.callAt(1, () => task.cancel("from outside"));
    const error = yield* caught(task);
    assert.ok(error instanceof CancelledError);
    assert.ok(task.cancelled());
  });
});

Deno.test("timeout(): a body that swallows the cancellation returns its value", async () => {
  await runClean(function* () {
    const value = yield* timeout(1, function* (t) {
      try {
        yield* sleep(5);
      } catch {
        return `swallowed, expired=${t.expired()}`;
      }
      return "finished";
    });
    assert.equal(value, "swallowed, expired=true");
    // No cancellation is left pending on the task.
    assert.equal(currentTask()!.cancelling(), 0);
    yield* sleep(1);
    assert.equal(now(), 2);
  });
});

Deno.test("timeout(): cancelled during the body's cleanup after an expiry", async () => {
  await runClean(function* () {
    const log: string[] = [];
    const task = createTask(timeout(
      1,
      function* () {
        try {
          yield* sleep(5);
        } finally {
          log.push("cleanup started");
          yield* sleep(1); // the cancel below arrives here
          log.push("not reached");
        }
      }(),
    ));
    yield* sleep(1.5);
    task.cancel();
    const error = yield* caught(task);
    assert.ok(error instanceof CancelledError);
    assert.deepEqual(log, ["cleanup started"]);
  });
});

Deno.test("timeout(): cancelled before the first step, the body never runs", async () => {
  let ran = false;
  await runClean(function* () {
    const task = createTask(timeout(
      5,
      function* () {
        ran = true;
        yield;
      }(),
    ));
    task.cancel();
    assert.ok((yield* caught(task)) instanceof CancelledError);
  });
  assert.equal(ran, false);
});

Deno.test("timeout(): an error of the body goes through unchanged", async () => {
  await runClean(function* () {
    const error = yield* caught(timeout(5, function* (): Coroutine<void> {
      yield* sleep(1);
      throw new RangeError("body failed");
    }));
    assert.ok(error instanceof RangeError);
  });
});

Deno.test("timeout() rejects bad arguments with TypeError", () => {
  assert.throws(() => timeout("5" as never, sleep(1)), {
    name: "TypeError",
    message:
      `timeout()'s 'delay' must be a number of seconds or null: received "5"`,
  });
  assert.throws(() => timeout(NaN, sleep(1)), TypeError);
  assert.throws(() => timeout(1, 5 as never), {
    name: "TypeError",
    message: /'body' must be a coroutine or a function/,
  });
  assert.throws(() => timeoutAt(undefined as never, sleep(1)), TypeError);
});

Deno.test("timeout(): a body function that returns no coroutine is a TypeError", async () => {
  await runClean(function* () {
    const error = yield* caught(timeout(1, (() => 5) as never));
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /must return a coroutine: received 5/);
  });
});

Deno.test("timeout() used twice on one Timeout is an error", async () => {
  await runClean(function* () {
    const t = new Timeout(null);
    yield* t._run(sleep(0));
    const error = yield* caught(t._run(sleep(0)));
    assert.equal((error as Error).message, "Timeout has already been entered");
  });
});

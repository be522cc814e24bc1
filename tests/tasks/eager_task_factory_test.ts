import assert from "node:assert/strict";
import { getRunningLoop } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  currentTask,
  eagerTaskFactory,
  ExceptionGroup,
  gather,
  sleep,
  taskGroup,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

function* useEagerTasks(): Coroutine<void> {
  getRunningLoop().setTaskFactory(eagerTaskFactory);
  yield;
}

Deno.test("eagerTaskFactory runs a task synchronously until its first suspension", async () => {
  const log: string[] = [];
  await runClean(function* () {
    yield* useEagerTasks();
    const task = createTask(function* () {
      log.push("first step");
      yield* sleep(1);
      log.push("second step");
    }());
    log.push("after createTask");
    assert.ok(!task.done());
    yield* task;
  });
  assert.deepEqual(log, ["first step", "after createTask", "second step"]);
});

// Coroutines that never suspend are the point of the next test.
// deno-lint-ignore require-yield
function* answerAtOnce(): Coroutine<number> {
  return 42;
}

// deno-lint-ignore require-yield
function* failAtOnce(): Coroutine<void> {
  throw new RangeError("at once");
}

Deno.test("eagerTaskFactory: a coroutine that never suspends gives a done task", async () => {
  await runClean(function* () {
    yield* useEagerTasks();
    const ok = createTask(answerAtOnce(), { name: "quick" });
    assert.ok(ok.done());
    assert.equal(ok.result(), 42);
    assert.equal(ok.getName(), "quick");
    const bad = createTask(failAtOnce());
    assert.ok(bad.done());
    assert.ok(bad.exception() instanceof RangeError);
    assert.equal(now(), 0);
  });
});

Deno.test("eagerTaskFactory: the eager step runs as the new task, then the caller is current again", async () => {
  await runClean(function* () {
    yield* useEagerTasks();
    const me = currentTask();
    let inside: unknown;
    const task = createTask(function* () {
      inside = currentTask();
      yield;
    }());
    assert.equal(inside, task);
    assert.equal(currentTask(), me);
    yield* task;
  });
});

Deno.test("eagerTaskFactory with gather() and taskGroup()", async (t) => {
  await t.step("gather() of coroutines that finish at once", async () => {
    await runClean(function* () {
      yield* useEagerTasks();
      const results = yield* gather([
        function* () {
          return 1;
        }(),
        sleep(1, 2),
      ]);
      assert.deepEqual(results, [1, 2]);
    });
  });

  await t.step(
    "a child that fails at once cancels the body at its next suspension",
    async () => {
      const log: string[] = [];
      await runClean(function* () {
        yield* useEagerTasks();
        const error = yield* caught(taskGroup(function* (tg) {
          tg.createTask(function* (): Coroutine<void> {
            throw new Error("failed eagerly");
          }());
          log.push("body goes on until it suspends");
          yield* sleep(5);
          log.push("not reached");
        }));
        assert.ok(error instanceof ExceptionGroup);
        assert.equal((error.errors[0] as Error).message, "failed eagerly");
        assert.equal(now(), 0);
      });
      assert.deepEqual(log, ["body goes on until it suspends"]);
    },
  );
});

import assert from "node:assert/strict";
import {
  type EventLoop,
  getRunningLoop,
  newEventLoop,
  type TaskFactoryOptions,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  ExceptionGroup,
  gather,
  sleep,
  Task,
  taskGroup,
  type TaskOptions,
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
function* answerAtOnce(): Coroutine<number> {
  return 42;
}

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

/** A coroutine that logs its first step and then suspends once. */
function* logged(log: string[], name: string): Coroutine<string> {
  log.push(`${name} starts`);
  yield* sleep(1);
  return name;
}

Deno.test("createTask(coro, { eagerStart }) runs the first step inside the call, as asyncio 3.14 does", async (t) => {
  await t.step("createTask()", async () => {
    const log: string[] = [];
    await runClean(function* () {
      const task = createTask(logged(log, "eager"), { eagerStart: true });
      log.push("after createTask");
      assert.equal(yield* task, "eager");
    });
    assert.deepEqual(log, ["eager starts", "after createTask"]);
  });

  await t.step("createTask() with a signal", async () => {
    const log: string[] = [];
    const controller = new AbortController();
    await runClean(function* () {
      const task = createTask(logged(log, "eager"), {
        eagerStart: true,
        signal: controller.signal,
      });
      log.push("after createTask");
      controller.abort();
      assert.ok((yield* caught(task)) instanceof Error);
      assert.ok(task.cancelled());
    });
    assert.deepEqual(log, ["eager starts", "after createTask"]);
  });

  await t.step("loop.createTask()", async () => {
    const log: string[] = [];
    await runClean(function* () {
      const task = getRunningLoop().createTask(logged(log, "eager"), {
        eagerStart: true,
      });
      log.push("after createTask");
      yield* task;
    });
    assert.deepEqual(log, ["eager starts", "after createTask"]);
  });

  await t.step(
    "tg.createTask(), with a child that finishes at once",
    async () => {
      const log: string[] = [];
      await runClean(function* () {
        yield* taskGroup(function* (tg) {
          const quick = tg.createTask(
            function* () {
              log.push("quick runs");
              return 1;
            }(),
            { eagerStart: true },
          );
          assert.ok(quick.done());
          tg.createTask(logged(log, "eager"), { eagerStart: true });
          log.push("body goes on");
          yield* sleep(0);
        });
      });
      assert.deepEqual(log, ["quick runs", "eager starts", "body goes on"]);
    },
  );

  await t.step(
    "eagerStart: false, and left out, wait for the next pass",
    async () => {
      const log: string[] = [];
      await runClean(function* () {
        const a = createTask(logged(log, "a"), { eagerStart: false });
        const b = createTask(logged(log, "b"));
        log.push("after createTask");
        yield* gather([a, b]);
      });
      assert.deepEqual(log, ["after createTask", "a starts", "b starts"]);
    },
  );

  await t.step("a loop that is not running schedules the task", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const log: string[] = [];
    const task = loop.createTask(logged(log, "eager"), { eagerStart: true });
    log.push("after createTask");
    assert.equal(await loop.runUntilComplete(task), "eager");
    assert.deepEqual(log, ["after createTask", "eager starts"]);
    loop.close();
  });

  await t.step("a value that is not a boolean is a TypeError", async () => {
    await runClean(function* () {
      const coro = logged([], "never");
      assert.throws(
        () => createTask(coro, { eagerStart: "yes" as unknown as boolean }),
        (e) => e instanceof TypeError && /'eagerStart'.*"yes"/.test(e.message),
      );
      assert.throws(
        () => getRunningLoop().createTask(coro, { eagerStart: 1 as never }),
        TypeError,
      );
      assert.throws(
        () => new Task(coro, { eagerStart: {} as never }),
        TypeError,
      );
    });
  });
});

Deno.test("eagerTaskFactory honours eagerStart: false, and a factory receives eagerStart", async (t) => {
  await t.step("eagerTaskFactory with eagerStart: false", async () => {
    const log: string[] = [];
    await runClean(function* () {
      yield* useEagerTasks();
      const lazy = createTask(logged(log, "lazy"), { eagerStart: false });
      const eager = createTask(logged(log, "eager"));
      log.push("after createTask");
      yield* gather([lazy, eager]);
    });
    assert.deepEqual(log, ["eager starts", "after createTask", "lazy starts"]);
  });

  await t.step("a custom factory is given the option", async () => {
    const seen: TaskFactoryOptions[] = [];
    await runClean(function* () {
      getRunningLoop().setTaskFactory(
        <T>(
          loop: EventLoop,
          coro: Coroutine<T>,
          options: TaskFactoryOptions,
        ) => {
          seen.push(options);
          return new Task(coro, { loop, ...options });
        },
      );
      yield* createTask(sleep(0), { name: "a", eagerStart: true });
      yield* createTask(sleep(0), { name: "b" });
    });
    assert.deepEqual(seen, [
      { name: "a", eagerStart: true },
      { name: "b" },
    ]);
  });
});

Deno.test("createEagerTaskFactory() makes eager tasks of the class given", async (t) => {
  class NamedTask<T> extends Task<T> {
    constructor(coro: Coroutine<T>, options: TaskOptions) {
      super(coro, { ...options, name: `custom:${options.name ?? "?"}` });
    }
  }

  await t.step("eager instances of the subclass", async () => {
    const log: string[] = [];
    await runClean(function* () {
      getRunningLoop().setTaskFactory(createEagerTaskFactory(NamedTask));
      const task = createTask(logged(log, "eager"), { name: "x" });
      log.push("after createTask");
      assert.ok(task instanceof NamedTask);
      assert.equal(task.getName(), "custom:x");
      const lazy = createTask(logged(log, "lazy"), { eagerStart: false });
      assert.ok(lazy instanceof NamedTask);
      log.push("after the lazy one");
      yield* gather([task, lazy]);
    });
    assert.deepEqual(log, [
      "eager starts",
      "after createTask",
      "after the lazy one",
      "lazy starts",
    ]);
  });

  await t.step(
    "a coroutine that never suspends gives a done task",
    async () => {
      await runClean(function* () {
        getRunningLoop().setTaskFactory(createEagerTaskFactory(Task));
        const task = createTask(answerAtOnce());
        assert.ok(task.done());
        assert.equal(task.result(), 42);
      });
    },
  );

  await t.step("a constructor that is not a function is a TypeError", () => {
    assert.throws(
      () => createEagerTaskFactory(null as never),
      (e) =>
        e instanceof TypeError &&
        /'customTaskConstructor'.*null/.test(e.message),
    );
  });
});

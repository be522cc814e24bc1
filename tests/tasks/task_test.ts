import assert from "node:assert/strict";
import {
  CancelledError,
  type ExceptionContext,
  getRunningLoop,
  newEventLoop,
  run,
} from "../../eventloop/mod.ts";
import {
  allTasks,
  createTask,
  currentTask,
  sleep,
  Task,
} from "../../tasks/mod.ts";
import { caught } from "./_combinators.ts";

const virtual = { virtualTime: true };

Deno.test("Task runs its coroutine to a result", async () => {
  const value = await run(
    function* () {
      const task = createTask(function* () {
        yield* sleep(1);
        return "result";
      }());
      assert.equal(task.done(), false);
      const got = yield* task;
      assert.ok(task.done());
      assert.equal(task.result(), "result");
      return got;
    }(),
    virtual,
  );
  assert.equal(value, "result");
});

Deno.test("Task starts on the next pass, not inline", async () => {
  const log: string[] = [];
  await run(function* () {
    const task = createTask(function* () {
      log.push("child started");
    }());
    log.push("parent continues");
    yield* task;
  }());
  assert.deepEqual(log, ["parent continues", "child started"]);
});

Deno.test("Task.cancel() throws CancelledError at the suspension point and runs finally", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const task = createTask(function* () {
        try {
          log.push("before sleep");
          yield* sleep(10);
          log.push("never");
        } finally {
          log.push(`finally at ${getRunningLoop().time()}`);
        }
      }());
      yield* sleep(2);
      assert.equal(task.cancel("enough"), true);
      assert.equal(task.cancelling(), 1);
      try {
        yield* task;
        assert.fail("the task should be cancelled");
      } catch (error) {
        assert.ok(error instanceof CancelledError);
        assert.equal(error.message, "enough");
      }
      assert.ok(task.cancelled());
      assert.equal(task.cancel(), false);
    }(),
    virtual,
  );
  assert.deepEqual(log, ["before sleep", "finally at 2"]);
});

Deno.test("Task may catch a cancellation and carry on", async () => {
  const value = await run(
    function* () {
      const task = createTask(function* () {
        try {
          yield* sleep(10);
          assert.fail("the sleep should have been cancelled");
        } catch (error) {
          assert.ok(error instanceof CancelledError, String(error));
          currentTask()!.uncancel();
        }
        yield* sleep(1);
        return `finished at ${getRunningLoop().time()}`;
      }());
      yield* sleep(1);
      task.cancel();
      const result = yield* task;
      assert.equal(task.cancelling(), 0);
      assert.equal(task.cancelled(), false);
      return result;
    }(),
    virtual,
  );
  assert.equal(value, "finished at 2");
});

Deno.test("Task cancelled before its first step never runs its body", async () => {
  const log: string[] = [];
  await run(function* () {
    const task = createTask(function* () {
      log.push("body ran");
      yield;
    }());
    task.cancel();
    yield* sleep(0);
    assert.ok(task.cancelled());
    assert.throws(() => task.result(), CancelledError);
  }());
  assert.deepEqual(log, []);
});

Deno.test("Task.cancel() while a step is scheduled delivers at the next step", async () => {
  const log: string[] = [];
  await run(function* () {
    const task = createTask(function* () {
      try {
        log.push("step 1");
        yield; // a bare yield: a step is scheduled, no future is waited on
        log.push("step 2 (never)");
      } catch (error) {
        log.push(`caught ${(error as Error).name}`);
        throw error;
      }
    }());
    yield* sleep(0); // step 1 runs
    task.cancel();
    assert.ok((yield* caught(task)) instanceof CancelledError);
  }());
  assert.deepEqual(log, ["step 1", "caught CancelledError"]);
});

Deno.test("Task cancelled twice counts both requests; uncancel() takes them back one by one", async () => {
  await run(
    function* () {
      const task = createTask(sleep(10));
      yield* sleep(0);
      task.cancel();
      task.cancel();
      assert.equal(task.cancelling(), 2);
      assert.equal(task.uncancel(), 1);
      assert.equal(task.uncancel(), 0);
      assert.equal(task.uncancel(), 0);
      // The future it waited on was already cancelled: the task still ends
      // cancelled, as in asyncio.
      assert.ok((yield* caught(task)) instanceof CancelledError);
      assert.ok(task.cancelled());
    }(),
    virtual,
  );
});

Deno.test("Task.uncancel() to zero drops a cancellation not yet delivered (asyncio 3.13)", async () => {
  const value = await run(function* () {
    const task = createTask(function* () {
      yield; // a step is scheduled; cancel() can only set _mustCancel
      return "not cancelled";
    }());
    yield* sleep(0);
    task.cancel();
    task.uncancel();
    return yield* task;
  }());
  assert.equal(value, "not cancelled");
});

Deno.test("Task that returns right after being cancelled ends cancelled", async () => {
  await run(function* () {
    const task = createTask(function* () {
      yield;
      return 1;
    }());
    yield* sleep(0);
    task.cancel();
    // The coroutine catches nothing; the cancellation is delivered at the
    // next step, where the generator receives it at its `yield`.
    try {
      yield* task;
      assert.fail("expected CancelledError");
    } catch (error) {
      assert.ok(error instanceof CancelledError);
    }
  }());
});

Deno.test("Task whose coroutine swallows the cancel in finally and returns ends cancelled if it asked to", async () => {
  // asyncio: if cancel() is requested again right before the coroutine
  // returns, the task is cancelled rather than finished.
  await run(function* () {
    let self: Task<number> | null = null;
    const task: Task<number> = createTask(function* () {
      yield;
      self!.cancel();
      return 5;
    }());
    self = task;
    try {
      yield* task;
      assert.fail("expected CancelledError");
    } catch (error) {
      assert.ok(error instanceof CancelledError);
    }
  }());
});

Deno.test("Task cancelling the future it waits on cancels the future too", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const inner = loop.createFuture<number>();
    const task = createTask(function* () {
      return yield* inner;
    }());
    yield* sleep(0);
    task.cancel("outer");
    assert.ok(inner.cancelled());
    const error = yield* caught(task);
    assert.ok(error instanceof CancelledError);
    assert.equal(error.message, "outer");
  }());
});

Deno.test("Task that awaits a task that fails gets its error", async () => {
  const message = await run(
    function* () {
      const child = createTask(function* () {
        yield* sleep(1);
        throw new RangeError("child failed");
      }());
      try {
        yield* child;
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    }(),
    virtual,
  );
  assert.equal(message, "child failed");
});

Deno.test("Task rejects bad yields with a clear error thrown into the coroutine", async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["a number", 42, /got bad yield: 42/],
    [
      "a Promise",
      Promise.resolve(1),
      /got a Promise: wrap it with 'yield\* fromPromise/,
    ],
    [
      "a generator",
      (function* () {})(),
      /'yield' was used instead of 'yield\*'/,
    ],
    ["a string", "x", /got bad yield: "x"/],
  ];
  for (const [name, value, pattern] of cases) {
    await t.step(name, async () => {
      const message = await run(function* () {
        try {
          // deno-lint-ignore no-explicit-any -- yields what no coroutine type allows, on purpose
          yield value as any;
          assert.fail(`yield of ${String(value)} was accepted`);
        } catch (error) {
          assert.ok(error instanceof TypeError, String(error));
          return error.message;
        }
      }());
      assert.match(message, pattern);
    });
  }
});

Deno.test("Task cannot await itself or a future of another loop", async (t) => {
  await t.step("itself", async () => {
    const message = await run(function* () {
      try {
        yield* currentTask()!;
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    }());
    assert.match(message, /Task cannot await on itself/);
  });
  await t.step("another loop's future", async () => {
    const other = newEventLoop();
    const message = await run(function* () {
      try {
        yield* other.createFuture();
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    }());
    other.close();
    assert.match(message, /attached to a different loop/);
  });
});

Deno.test("Task yielding a Future directly resumes with its result", async () => {
  const value = await run(
    function* () {
      const fut = getRunningLoop().createFuture<number>();
      getRunningLoop().callLater(1, () => fut.setResult(9));
      const got = (yield fut) as number;
      return got;
    }(),
    virtual,
  );
  assert.equal(value, 9);
});

Deno.test("Task refuses setResult()/setException() and bad constructor input", async () => {
  await run(function* () {
    const task = createTask(sleep(0));
    assert.throws(
      () => task.setResult(undefined),
      /does not support setResult/,
    );
    assert.throws(
      () => task.setException(new Error()),
      /does not support setException/,
    );
    // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
    assert.throws(() => createTask((() => {}) as any), {
      name: "TypeError",
      message: /coroutine/,
    });
    yield* task;
  }());
});

Deno.test("Task names: default Task-N, given, renamed, shown in toString()", async () => {
  await run(function* () {
    const a = createTask(sleep(0));
    const b = createTask(sleep(0), { name: "worker" });
    assert.match(a.getName(), /^Task-\d+$/);
    assert.equal(b.getName(), "worker");
    b.setName("renamed");
    assert.equal(b.getName(), "renamed");
    assert.match(b.toString(), /^<Task pending name='renamed'/);
    yield* a;
    yield* b;
    assert.match(
      b.toString(),
      /^<Task finished result=undefined name='renamed'/,
    );
    assert.equal(typeof b.getCoro().next, "function");
  }());
});

Deno.test("currentTask() and allTasks() see the running tasks", async () => {
  await run(
    function* () {
      const main = currentTask();
      assert.ok(main instanceof Task);
      const children = [createTask(sleep(1)), createTask(sleep(2))];
      assert.equal(allTasks().size, 3);
      let inner: Task<unknown> | null = null;
      const probe = createTask(function* () {
        inner = currentTask();
      }());
      yield* probe;
      assert.equal(inner, probe);
      for (const child of children) yield* child;
      assert.deepEqual([...allTasks()], [main]);
    }(),
    virtual,
  );
  const loop = newEventLoop();
  loop.callSoon(() => {
    assert.equal(currentTask(), null);
    loop.stop();
  });
  await loop.runForever();
  loop.close();
});

Deno.test("Task with eagerStart runs its first step synchronously", async () => {
  const log: string[] = [];
  await run(function* () {
    const loop = getRunningLoop();
    const eager = new Task(
      function* () {
        log.push("eager first step");
        yield* sleep(0);
        log.push("eager second step");
        return 1;
      }(),
      { loop, eagerStart: true },
    );
    log.push("after construction");
    const done = new Task(
      function* () {
        log.push("finishes eagerly");
        return 2;
      }(),
      { loop, eagerStart: true },
    );
    assert.ok(done.done());
    assert.equal(done.result(), 2);
    assert.equal(yield* eager, 1);
  }());
  assert.deepEqual(log, [
    "eager first step",
    "after construction",
    "finishes eagerly",
    "eager second step",
  ]);
});

Deno.test("Task interleaving matches asyncio's order", async () => {
  // The same program under CPython prints: a0 b0 a1 b1 a2 b2.
  const log: string[] = [];
  function* worker(name: string) {
    for (let i = 0; i < 3; i++) {
      log.push(`${name}${i}`);
      yield* sleep(0);
    }
  }
  await run(function* () {
    const a = createTask(worker("a"));
    const b = createTask(worker("b"));
    yield* a;
    yield* b;
  }());
  assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2"]);
});

Deno.test("Task error inside a callback-free path reaches the awaiting task with its stack", async () => {
  const error = await run(function* () {
    const child = createTask(function* () {
      yield;
      throw new Error("deep");
    }());
    try {
      yield* child;
    } catch (e) {
      return e as Error;
    }
    return null;
  }());
  assert.ok(error instanceof Error);
  assert.match(error.stack ?? "", /deep/);
});

Deno.test("Task step errors that are not Errors still finish the task", async () => {
  const got = await run(function* () {
    const child = createTask(function* () {
      yield;
      throw undefined;
    }());
    try {
      yield* child;
    } catch (e) {
      return e;
    }
  }());
  assert.ok(got instanceof Error);
  assert.match((got as Error).message, /threw undefined/);
});

Deno.test("Task errors never read do not stop the loop", async () => {
  const contexts: ExceptionContext[] = [];
  const value = await run(
    function* () {
      getRunningLoop().setExceptionHandler((_l, c) => contexts.push(c));
      createTask(function* () {
        yield;
        throw new Error("ignored");
      }());
      yield* sleep(1);
      return "main finished";
    }(),
    virtual,
  );
  assert.equal(value, "main finished");
});

Deno.test("allTasks() keeps every pending task when debug mode is switched on and off", async () => {
  await run(
    function* () {
      const loop = getRunningLoop();
      const tasks = [
        createTask(sleep(1)),
        createTask(sleep(2)),
        createTask(sleep(3)),
      ];
      loop.setDebug(true);
      loop.setDebug(false);
      assert.equal(allTasks().size, 4);
      yield* tasks[0];
      assert.equal(allTasks().size, 3);
      loop.setDebug(true);
      yield* tasks[1];
      assert.equal(allTasks().size, 2);
      loop.setDebug(false);
      yield* tasks[2];
      assert.deepEqual([...allTasks()], [currentTask()]);
    }(),
    virtual,
  );
});

Deno.test("Task's text form shows cancelling after cancel(), as asyncio's does", async () => {
  // Python 3.12: <Task cancelling name='sleeper' coro=...> until the
  // CancelledError is delivered; uncancel() takes it back.
  await run(
    function* () {
      const task = createTask(sleep(10), { name: "sleeper" });
      assert.match(String(task), /^<Task pending name='sleeper' coro=/);
      yield* sleep(0);
      task.cancel();
      assert.match(String(task), /^<Task cancelling name='sleeper' coro=/);
      task.uncancel();
      assert.match(String(task), /^<Task pending name='sleeper' coro=/);
      task.cancel("stop");
      yield* sleep(0);
      assert.match(String(task), /^<Task cancelled name='sleeper' coro=/);
      const stubborn = createTask(
        function* () {
          try {
            yield* sleep(10);
          } catch {
            // Swallows the cancellation: still cancelling() === 1.
          }
          yield* sleep(1);
        }(),
        { name: "stubborn" },
      );
      yield* sleep(0);
      stubborn.cancel();
      yield* sleep(0);
      assert.match(String(stubborn), /^<Task cancelling name='stubborn' coro=/);
      yield* stubborn;
      assert.match(
        String(stubborn),
        /^<Task finished result=undefined name='stubborn'/,
      );
    }(),
    virtual,
  );
});

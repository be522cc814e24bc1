import assert from "node:assert/strict";
import {
  CancelledError,
  type ExceptionContext,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  Runner,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  sleep,
  type Task,
} from "../../tasks/mod.ts";
import { ioAwait } from "../../eventloop/_net.ts";

Deno.test("run() returns the main coroutine's value", async () => {
  assert.equal(
    await run(function* () {
      yield* sleep(0.001);
      return 42;
    }()),
    42,
  );
});

Deno.test("run() accepts a generator function as well as a coroutine", async () => {
  function* main() {
    yield;
    return "called for you";
  }
  assert.equal(await run(main), "called for you");
});

Deno.test("run() throws the main coroutine's error", async () => {
  await assert.rejects(
    run(function* () {
      yield* sleep(0);
      throw new SyntaxError("broken main");
    }()),
    { name: "SyntaxError", message: "broken main" },
  );
});

Deno.test("run() cancels and awaits the tasks left running, and closes the loop", async () => {
  const log: string[] = [];
  let loop: ReturnType<typeof getRunningLoop> | null = null;
  await run(
    function* () {
      loop = getRunningLoop();
      createTask(function* () {
        try {
          yield* sleep(3600);
        } catch (error) {
          log.push(`leftover got ${(error as Error).name}`);
          yield* sleep(1); // cleanup may still wait
          log.push("leftover cleaned up");
          throw error;
        }
      }());
      yield* sleep(1);
      log.push("main returns");
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, [
    "main returns",
    "leftover got CancelledError",
    "leftover cleaned up",
  ]);
  assert.ok(loop!.isClosed());
});

Deno.test("run() reports errors raised by leftover tasks during shutdown", async () => {
  const contexts: ExceptionContext[] = [];
  await run(
    function* () {
      getRunningLoop().setExceptionHandler((_loop, context) =>
        contexts.push(context)
      );
      createTask(function* () {
        try {
          yield* sleep(10);
        } finally {
          // deno-lint-ignore no-unsafe-finally -- a cleanup that fails is what is tested
          throw new Error("cleanup failed");
        }
      }());
      yield* sleep(0);
    }(),
    { virtualTime: true },
  );
  assert.equal(contexts.length, 1);
  assert.equal(
    contexts[0].message,
    "unhandled exception during asyncio.run() shutdown",
  );
  assert.match(String(contexts[0].exception), /cleanup failed/);
});

Deno.test("run() refuses to run from a running loop", async () => {
  const message = await run(function* () {
    try {
      yield* fromPromise(run(function* () {}()));
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  }());
  assert.equal(message, "run() cannot be called from a running event loop");
});

Deno.test("run() rejects what is not a coroutine", async () => {
  // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
  const anyRun = run as any;
  await assert.rejects(anyRun(42), {
    name: "TypeError",
    message: /expected a coroutine.*received 42/,
  });
  await assert.rejects(anyRun(Promise.resolve()), TypeError);
});

Deno.test("run() propagates a cancelled main task as CancelledError", async () => {
  await assert.rejects(
    run(
      function* () {
        const me = getRunningLoop()._currentTask!;
        me.cancel("self");
        yield* sleep(1);
      }(),
      { virtualTime: true },
    ),
    CancelledError,
  );
});

Deno.test("run() with debug sets the loop's debug flag", async () => {
  assert.equal(
    await run(
      function* () {
        return getRunningLoop().getDebug();
      }(),
      { debug: true },
    ),
    true,
  );
});

Deno.test("run() sets its loop as the current one while it runs", async () => {
  let seen = null;
  await run(function* () {
    seen = getEventLoop();
  }());
  assert.ok(seen);
  assert.throws(() => getEventLoop(), /no current event loop/);
});

Deno.test("Two run() calls may run side by side", async () => {
  const log: string[] = [];
  function* ticker(name: string) {
    for (let i = 0; i < 3; i++) {
      log.push(`${name}${i}`);
      yield* sleep(0.002);
    }
    return name;
  }
  const results = await Promise.all([run(ticker("a")), run(ticker("b"))]);
  assert.deepEqual(results, ["a", "b"]);
  assert.equal(log.length, 6);
});

Deno.test("Runner runs several coroutines on one loop and closes it", async () => {
  const runner = new Runner({ virtualTime: true });
  assert.equal(await runner.run(sleep(5, "one")), "one");
  assert.equal(await runner.run(() => sleep(5, "two")), "two");
  const loop = runner.getLoop();
  assert.equal(loop.time(), 10);
  await runner.close();
  await runner.close();
  assert.ok(loop.isClosed());
  await assert.rejects(runner.run(sleep(0)), /Runner is closed/);
});

Deno.test("Runner works with await using", async () => {
  let loop;
  {
    await using runner = new Runner();
    loop = runner.getLoop();
    assert.equal(await runner.run(sleep(0, 3)), 3);
  }
  assert.ok(loop.isClosed());
});

Deno.test("Runner uses a loop factory and checks what it returns", async () => {
  const made = newEventLoop({ virtualTime: true });
  const runner = new Runner({ loopFactory: () => made });
  assert.equal(runner.getLoop(), made);
  await runner.close();
  assert.ok(made.isClosed());
  // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
  const bad = new Runner({ loopFactory: () => ({}) as any });
  assert.throws(() => bad.getLoop(), /'loopFactory' must return an EventLoop/);
  await bad.close();
});

Deno.test("run(), Runner.run() and runUntilComplete() throw at once inside a running loop", async () => {
  const errors = await run(function* () {
    const found: unknown[] = [];
    const loop = newEventLoop();
    const runner = new Runner();
    let started = false;
    function* never() {
      started = true;
      yield;
    }
    for (
      const start of [
        () => run(never()),
        () => run(never),
        () => runner.run(never()),
        () => loop.runUntilComplete(never()),
      ]
    ) {
      try {
        const promise = start();
        // Today's rejection would end the process if nobody looked.
        promise.catch(() => {});
        found.push("a promise instead of an error");
      } catch (error) {
        found.push(error);
      }
    }
    loop.close();
    assert.equal(started, false);
    return found;
  }());
  assert.equal(errors.length, 4);
  assert.match(
    String(errors[0]),
    /^Error: run\(\) cannot be called from a running event loop$/,
  );
  assert.match(
    String(errors[1]),
    /^Error: run\(\) cannot be called from a running event loop$/,
  );
  assert.match(
    String(errors[2]),
    /^Error: Runner\.run\(\) cannot be called from a running event loop$/,
  );
  assert.match(
    String(errors[3]),
    /^Error: Cannot run the event loop while another loop is running$/,
  );
});

/**
 * `run(main)` bounded in real time: today's bug made it hang on a pending
 * Future returned by the coroutine.
 */
async function runBounded<T>(main: () => Coroutine<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("run() hung")), 5000);
  });
  try {
    return await Promise.race([run(main, { virtualTime: true }), hang]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("run() and runUntilComplete() refuse a thenable result and show the fix", async (t) => {
  const FIX =
    /which JavaScript cannot return through a Promise .*'return yield\* fut'/;
  await t.step("a pending task", async () => {
    await assert.rejects(
      runBounded(function* () {
        return createTask(sleep(3600));
      }),
      (e: Error) =>
        e instanceof TypeError &&
        /^The coroutine returned <Task pending name='Task-\d+'.*>, a thenable, /
          .test(e.message) &&
        FIX.test(e.message),
    );
  });
  await t.step("a done task (its result is not given silently)", async () => {
    await assert.rejects(
      runBounded(function* () {
        const task = createTask(sleep(0, 5));
        yield* task;
        return task;
      }),
      (e: Error) => e instanceof TypeError && FIX.test(e.message),
    );
  });
  await t.step("a done future, through runUntilComplete()", async () => {
    const loop = newEventLoop();
    try {
      await assert.rejects(
        loop.runUntilComplete(function* () {
          const fut = getRunningLoop().createFuture<number>();
          fut.setResult(1);
          return fut;
        }()),
        (e: Error) =>
          e instanceof TypeError &&
          /^The coroutine returned <Future finished result=1>, a thenable, /
            .test(e.message),
      );
      const outer = loop.createFuture<unknown>();
      outer.setResult(Promise.resolve(2));
      await assert.rejects(
        loop.runUntilComplete(outer),
        (e: Error) =>
          e instanceof TypeError &&
          /^The future's result is a thenable \(a Promise\), .*fromPromise/
            .test(e.message),
      );
    } finally {
      loop.close();
    }
  });
  await t.step("the fix: return the value", async () => {
    assert.equal(
      await runBounded(function* () {
        return yield* createTask(sleep(1, "value"));
      }),
      "value",
    );
  });
});

Deno.test("run() waits for I/O a cancelled task left in flight before it returns", async () => {
  // Deno cannot cancel some operations (a name lookup): the task waiting on
  // one is cancelled, the op goes on. run() returns once it has settled, so
  // nothing the run started outlives it (the sanitizers would say so).
  let settled = false;
  await run(function* () {
    const loop = getRunningLoop();
    const task = createTask(
      ioAwait(loop, () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            settled = true;
            resolve();
          }, 50)
        )),
    );
    yield* sleep(0);
    task.cancel();
    yield* assertCancelled(task);
  }());
  assert.equal(settled, true, "run() returned while the op was in flight");
});

function* assertCancelled(task: Task<unknown>): Coroutine<void> {
  try {
    yield* task;
  } catch (error) {
    assert.ok(error instanceof CancelledError);
    return;
  }
  assert.fail("the task was not cancelled");
}

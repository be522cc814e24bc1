import assert from "node:assert/strict";
import {
  CancelledError,
  getLogger,
  getRunningLoop,
  type LogRecord,
  newEventLoop,
  run,
  type WorkerFunction,
  WorkerPoolExecutor,
} from "../../eventloop/mod.ts";
import { createTask, sleep, toThread } from "../../tasks/mod.ts";

const WORK = new URL("./_fixtures/work.ts", import.meta.url);
const fn = (exportName: string): WorkerFunction => ({
  moduleUrl: WORK,
  exportName,
});

Deno.test("loop.runInExecutor() runs a function in a Worker and gives its result or error", async (t) => {
  await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });

  await t.step("sync and async results", async () => {
    const results = await run(function* () {
      const loop = getRunningLoop();
      const a = yield* loop.runInExecutor<number>(pool, fn("add"), 2, 3);
      const b = yield* loop.runInExecutor<number>(pool, fn("addLater"), 4, 5);
      return [a, b];
    }());
    assert.deepEqual(results, [5, 9]);
  });

  await t.step("the function's error is the future's error", async () => {
    const error = await run(function* () {
      try {
        yield* getRunningLoop().runInExecutor(pool, fn("fail"), "too big");
        return null;
      } catch (error) {
        return error as RangeError & { code: number };
      }
    }());
    assert.ok(error instanceof RangeError);
    assert.equal(error.name, "WorkError");
    assert.equal(error.message, "too big");
    assert.equal(error.code, 42);
    assert.match(error.stack!, /at fail \(.*_fixtures\/work\.ts/);
  });

  await t.step("bad exports, arguments and results fail clearly", async () => {
    const messages = await run(function* () {
      const loop = getRunningLoop();
      const out: string[] = [];
      for (
        const [name, args] of [
          ["missing", []],
          ["notAFunction", []],
          ["notCloneable", []],
          ["add", [() => 1, 2]],
        ] as const
      ) {
        try {
          yield* loop.runInExecutor(pool, fn(name), ...args);
        } catch (error) {
          out.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
      return out;
    }());
    assert.equal(messages.length, 4);
    assert.match(
      messages[0],
      /^TypeError: Cannot run 'missing' of file:.*work\.ts in a Worker as it is not an exported function: received no such export$/,
    );
    assert.match(messages[1], /'notAFunction'.*received number$/);
    assert.match(
      messages[2],
      /^TypeError: The result of notCloneable\(\) from .* cannot be sent back from the Worker/,
    );
    assert.match(
      messages[3],
      /^TypeError: Cannot send the arguments of add\(\) to a Worker as they must be structured-cloneable/,
    );
  });

  await t.step("bad calls throw at once", () => {
    const loop = newEventLoop();
    try {
      assert.throws(
        // @ts-expect-error: a closure on purpose
        () => loop.runInExecutor(pool, () => 1),
        /runInExecutor\(\) cannot send function <anonymous> to a Worker: closures cannot cross to a Worker, so name the function by module and export/,
      );
      assert.throws(
        () =>
          loop.runInExecutor(pool, {
            moduleUrl: "./work.ts",
            exportName: "add",
          }),
        /runInExecutor\(\)'s 'moduleUrl' must be an absolute URL .*: received "\.\/work\.ts"/,
      );
      assert.throws(
        // @ts-expect-error: no exportName on purpose
        () => loop.runInExecutor(pool, { moduleUrl: WORK }),
        /runInExecutor\(\)'s 'fn' must be \{ moduleUrl, exportName \}/,
      );
      assert.throws(
        // @ts-expect-error: not an executor on purpose
        () => loop.runInExecutor({ submit: 1 }, fn("add"), 1, 2),
        /runInExecutor\(\)'s 'executor' must be an Executor \(with submit\(\) and shutdown\(\)\), or null: received an object/,
      );
      assert.throws(
        () => new WorkerPoolExecutor({ maxWorkers: 0 }),
        /^RangeError: Cannot create WorkerPoolExecutor as 'maxWorkers' must be a positive integer: received 0$/,
      );
      assert.throws(
        () => toThread("relative.ts", "x"),
        /toThread\(\)'s 'moduleUrl' must be an absolute URL/,
      );
    } finally {
      loop.close();
    }
  });
});

Deno.test("WorkerPoolExecutor starts Workers lazily, reuses them, and terminates them on shutdown", async () => {
  const pool = new WorkerPoolExecutor({ maxWorkers: 3 });
  assert.equal(pool.maxWorkers, 3);
  assert.equal(pool.workerCount, 0);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push(await pool.submit<string>(fn("whoAmI"), []));
  }
  assert.equal(new Set(ids).size, 1, "one Worker served the sequential jobs");
  assert.equal(pool.workerCount, 1);
  await pool.shutdown();
  assert.equal(pool.workerCount, 0);
  assert.throws(
    () => pool.submit(fn("add"), [1, 2]),
    /Cannot schedule new jobs after shutdown/,
  );
});

Deno.test("WorkerPoolExecutor runs jobs in parallel, up to maxWorkers", async () => {
  await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
  const flags = new SharedArrayBuffer(8);
  // Each job returns only once it has seen the other's flag: both must run
  // at the same time (each gives up after 10 s, so a failure cannot hang).
  const met = await Promise.all([
    pool.submit<boolean>(fn("handshake"), [flags, 0, 1]),
    pool.submit<boolean>(fn("handshake"), [flags, 1, 0]),
  ]);
  assert.deepEqual(met, [true, true]);
  assert.equal(pool.workerCount, 2);
});

Deno.test("the loop stays responsive: a timer keeps firing while a Worker computes", async () => {
  await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
  const flags = new SharedArrayBuffer(12);
  const view = new Int32Array(flags);
  const { ticks, result } = await run(function* () {
    const loop = getRunningLoop();
    let ticks = 0;
    const tick = () => {
      // Ticks count once the Worker spins (its start takes a while), and
      // the Worker is released only by the fifth of them: five timers fired
      // on the loop while the Worker was busy.
      if (Atomics.load(view, 2) === 1) ticks++;
      if (ticks === 5) Atomics.store(view, 0, 1);
      else loop.callLater(0.002, tick);
    };
    loop.callLater(0.002, tick);
    const result = yield* loop.runInExecutor<
      { spins: number; timedOut: boolean }
    >(pool, fn("spinUntil"), flags, 0, 1, 2);
    return { ticks, result };
  }());
  assert.equal(ticks, 5);
  assert.equal(result.timedOut, false);
  assert.ok(result.spins > 0);
});

Deno.test("cancelling the awaiting task abandons the result; the job finishes in its Worker", async (t) => {
  await t.step("a running job is abandoned", async () => {
    const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const flags = new SharedArrayBuffer(12);
    const view = new Int32Array(flags);
    const outcome = await run(function* () {
      const loop = getRunningLoop();
      const task = createTask(function* () {
        return yield* loop.runInExecutor(pool, fn("spinUntil"), flags, 0, 1);
      }());
      yield* sleep(0.01);
      task.cancel();
      try {
        yield* task;
        return "finished";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled" : "failed";
      }
    }());
    assert.equal(outcome, "cancelled");
    assert.equal(Atomics.load(view, 1), 0, "the Worker is still computing");
    Atomics.store(view, 0, 1);
    await pool.shutdown();
    assert.equal(Atomics.load(view, 1), 1, "the job ran to its end");
  });

  await t.step("a queued job is dropped before it starts", async () => {
    const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
    const flags = new SharedArrayBuffer(16);
    const view = new Int32Array(flags);
    const outcome = await run(function* () {
      const loop = getRunningLoop();
      const busy = loop.runInExecutor(pool, fn("spinUntil"), flags, 0, 1);
      const queued = loop.runInExecutor(pool, fn("mark"), flags, 2);
      yield* sleep(0.01);
      queued.cancel();
      yield* sleep(0);
      Atomics.store(view, 0, 1);
      yield* busy;
      return queued.cancelled();
    }());
    await pool.shutdown();
    assert.equal(outcome, true);
    assert.equal(Atomics.load(view, 2), 0, "mark() never ran");
  });

  await t.step(
    "shutdown({ wait: false }) fails what is in flight",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const flags = new SharedArrayBuffer(12);
      const running = pool.submit(fn("spinUntil"), [flags, 0, 1]);
      const queued = pool.submit(fn("add"), [1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      await pool.shutdown({ wait: false });
      await assert.rejects(
        running,
        /The executor was shut down before the job finished/,
      );
      await assert.rejects(queued, CancelledError);
      assert.equal(pool.workerCount, 0);
    },
  );
});

Deno.test("toThread() uses the default executor, which run() shuts down", async (t) => {
  await t.step("result, and no Worker left after run()", async () => {
    let loopRef: ReturnType<typeof getRunningLoop> | null = null;
    const value = await run(function* () {
      loopRef = getRunningLoop();
      const sum = yield* toThread<number>(WORK, "add", 20, 22);
      assert.equal(loopRef._hasDefaultExecutor, true);
      return sum;
    }());
    assert.equal(value, 42);
    assert.equal(loopRef!._hasDefaultExecutor, false);
  });

  await t.step("errors are thrown into the caller", async () => {
    await assert.rejects(
      run(function* () {
        yield* toThread(WORK, "fail", "nope");
      }()),
      (error: Error) => error.name === "WorkError" && error.message === "nope",
    );
  });

  await t.step(
    "a virtual clock waits for the Worker instead of jumping",
    async () => {
      const [time, value] = await run(
        function* () {
          const loop = getRunningLoop();
          const sleeper = createTask(sleep(3600));
          const value = yield* toThread<number>(WORK, "addLater", 1, 1);
          const time = loop.time();
          sleeper.cancel();
          return [time, value];
        }(),
        { virtualTime: true },
      );
      assert.equal(time, 0);
      assert.equal(value, 2);
    },
  );

  await t.step(
    "setDefaultExecutor() is used, and shutdownDefaultExecutor() refuses later calls",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const loop = newEventLoop();
      loop.setDefaultExecutor(pool);
      const value = await loop.runUntilComplete(
        toThread<number>(WORK, "add", 1, 2),
      );
      assert.equal(value, 3);
      assert.equal(pool.workerCount, 1);
      await loop.runUntilComplete(loop.shutdownDefaultExecutor());
      assert.equal(pool.workerCount, 0);
      await assert.rejects(
        loop.runUntilComplete(toThread(WORK, "add", 1, 2)),
        /runInExecutor\(\) cannot use the default executor: shutdownDefaultExecutor\(\) has been called/,
      );
      assert.throws(
        // @ts-expect-error: not an executor on purpose
        () => loop.setDefaultExecutor(null),
        /setDefaultExecutor\(\)'s 'executor' must be an Executor/,
      );
      loop.close();
    },
  );
});

Deno.test("WorkerPoolExecutor survives a Worker that crashes", async (t) => {
  await using pool = new WorkerPoolExecutor({ maxWorkers: 1 });
  await t.step("a crash during a job fails that job", async () => {
    await assert.rejects(
      pool.submit(fn("crashNow"), []),
      /^Error: The Worker failed: .*crashed mid-job/,
    );
    assert.equal(pool.workerCount, 0);
  });
  await t.step(
    "a crash between jobs is survived; a new Worker takes over",
    async () => {
      const first = await pool.submit<string>(fn("whoAmI"), []);
      assert.equal(await pool.submit(fn("crashLater"), []), "returned");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await pool.submit<string>(fn("whoAmI"), []);
      assert.notEqual(first, second);
      assert.equal(pool.workerCount, 1);
    },
  );
  await t.step("a module that does not exist fails the job", async () => {
    await assert.rejects(
      pool.submit({
        moduleUrl: new URL("./_fixtures/missing.ts", import.meta.url),
        exportName: "x",
      }, []),
      /missing\.ts/,
    );
  });
});

Deno.test("WorkerPoolExecutor.shutdown() called twice while jobs run: both wait, both settle", async () => {
  const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
  const flags = new SharedArrayBuffer(12);
  const view = new Int32Array(flags);
  const job = pool.submit(fn("spinUntil"), [flags, 0, 1]);
  await new Promise((resolve) => setTimeout(resolve, 10));
  let settled = 0;
  const first = pool.shutdown().then(() => settled++);
  const second = pool.shutdown().then(() => settled++);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(settled, 0, "they wait for the running job");
  Atomics.store(view, 0, 1);
  await Promise.all([first, second, job]);
  assert.equal(settled, 2);
  assert.equal(pool.workerCount, 0);
});

Deno.test("loop.shutdownDefaultExecutor(timeout) honours its timeout, as asyncio 3.12 does", async (t) => {
  for (const virtualTime of [false, true]) {
    await t.step(
      `jobs still running at the timeout: a warning, and the Workers are terminated (virtualTime: ${virtualTime})`,
      async () => {
        const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
        const loop = newEventLoop({ virtualTime });
        loop.setDefaultExecutor(pool);
        const records: LogRecord[] = [];
        const handler = (record: LogRecord) => records.push(record);
        getLogger().addHandler(handler);
        try {
          // Started, so that the job is running when the shutdown begins.
          const job = loop.runInExecutor<number>(null, fn("blockFor"), 5000);
          await loop.runUntilComplete(sleep(0));
          const started = performance.now();
          await loop.runUntilComplete(loop.shutdownDefaultExecutor(0.2));
          const elapsed = performance.now() - started;
          assert.ok(elapsed < 4000, `waited ${elapsed} ms for a 5 s job`);
          assert.equal(pool.workerCount, 0);
          const warnings = records.filter((r) => r.level === "warning");
          assert.equal(warnings.length, 1);
          assert.match(
            warnings[0].message,
            /^The default executor did not finish its jobs within 0\.2 seconds: it is shut down without waiting$/,
          );
          await assert.rejects(
            loop.runUntilComplete(job),
            /The executor was shut down before the job finished/,
          );
        } finally {
          getLogger().removeHandler(handler);
          loop.close();
        }
      },
    );
  }

  await t.step(
    "jobs done in time: it returns once they are, with no warning and no timer left",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      const loop = newEventLoop();
      loop.setDefaultExecutor(pool);
      const records: LogRecord[] = [];
      const handler = (record: LogRecord) => records.push(record);
      getLogger().addHandler(handler);
      try {
        const job = loop.runInExecutor<number>(null, fn("blockFor"), 50);
        await loop.runUntilComplete(loop.shutdownDefaultExecutor(60));
        assert.equal(await loop.runUntilComplete(job), 50);
        assert.equal(pool.workerCount, 0);
        assert.deepEqual(records, []);
      } finally {
        getLogger().removeHandler(handler);
        loop.close();
      }
    },
  );

  await t.step("a timeout that is not a number is a TypeError", () => {
    const loop = newEventLoop();
    try {
      assert.throws(
        () => loop.shutdownDefaultExecutor("1" as unknown as number),
        /^TypeError: shutdownDefaultExecutor\(\)'s 'timeout' must be a number of seconds: received "1"$/,
      );
    } finally {
      loop.close();
    }
  });
});

Deno.test("loop.close() shuts the default executor down, as asyncio's does", async (t) => {
  await t.step(
    "its Workers are terminated, a running job abandoned",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 2 });
      const loop = newEventLoop();
      loop.setDefaultExecutor(pool);
      assert.equal(await loop.runUntilComplete(toThread(WORK, "add", 1, 2)), 3);
      loop.runInExecutor(null, fn("blockFor"), 5000);
      await loop.runUntilComplete(sleep(0));
      assert.equal(pool.workerCount, 1);
      loop.close();
      assert.equal(pool.workerCount, 0);
      assert.throws(
        () => pool.submit(fn("add"), [1, 2]),
        /Cannot schedule new jobs after shutdown/,
      );
    },
  );

  await t.step(
    "a program that used the default executor and closed its loop exits",
    async () => {
      const code = `
        import { newEventLoop } from ${
        JSON.stringify(new URL("../../eventloop/mod.ts", import.meta.url).href)
      };
        const loop = newEventLoop();
        const value = await loop.runUntilComplete(
          loop.runInExecutor(null, {
            moduleUrl: ${JSON.stringify(WORK.href)},
            exportName: "add",
          }, 20, 22),
        );
        loop.close();
        console.log(value);
      `;
      const file = await Deno.makeTempFile({ suffix: ".ts" });
      await Deno.writeTextFile(file, code);
      const controller = new AbortController();
      // Today's bug kept the Worker, and so the program, alive forever.
      const timer = setTimeout(() => controller.abort(), 30_000);
      try {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-read", file],
          stdout: "piped",
          stderr: "piped",
          signal: controller.signal,
        }).output();
        assert.equal(controller.signal.aborted, false, "the program hung");
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        assert.equal(new TextDecoder().decode(out.stdout).trim(), "42");
      } finally {
        clearTimeout(timer);
        await Deno.remove(file);
      }
    },
  );
});

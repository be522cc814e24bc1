import assert from "node:assert/strict";
import {
  type EventLoop,
  Future,
  getLogger,
  getRunningLoop,
  Logger,
  type LogRecord,
  newEventLoop,
  run,
} from "../../eventloop/mod.ts";
import { createTask, fromPromise, sleep, type Task } from "../../tasks/mod.ts";
import { collectGarbage } from "./_gc.ts";

/** Runs `body` with a handler on the module logger; returns the records. */
async function captureLogs(body: () => Promise<unknown>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => records.push(record);
  getLogger().addHandler(handler);
  try {
    await body();
  } finally {
    getLogger().removeHandler(handler);
  }
  return records;
}

/** Holds the thread for `ms` milliseconds: the mistake debug mode catches. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else can run
  }
}

Deno.test("debug mode logs slow callbacks and task steps with their duration", async (t) => {
  await t.step("a blocking callback is named with its duration", async () => {
    const records = await captureLogs(async () => {
      const loop = newEventLoop({ debug: true });
      loop.slowCallbackDuration = 0.02;
      loop.callSoon(function quick() {});
      loop.callSoon(function blocking() {
        blockFor(40);
      });
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      loop.close();
    });
    const slow = records.filter((r) => r.message.startsWith("Executing"));
    assert.equal(slow.length, 1, records.map((r) => r.message).join("\n"));
    assert.equal(slow[0].level, "warning");
    assert.match(
      slow[0].message,
      /^Executing <Handle blocking\(\)> took 0\.0[4-9]\d seconds$|^Executing <Handle blocking\(\)> took 0\.[1-9]\d\d seconds$/,
    );
    assert.ok((slow[0].extra?.duration as number) >= 0.04);
  });

  await t.step("a blocking task step is named with the task", async () => {
    const records = await captureLogs(() =>
      run(
        function* () {
          getRunningLoop().slowCallbackDuration = 0.02;
          const task = createTask(
            function* crunch() {
              yield* sleep(0);
              blockFor(30);
            }(),
            { name: "cruncher" },
          );
          yield* task;
        }(),
        { debug: true },
      )
    );
    const slow = records.filter((r) => r.message.startsWith("Executing"));
    assert.equal(slow.length, 1, records.map((r) => r.message).join("\n"));
    assert.match(
      slow[0].message,
      /<Task finished .*name='cruncher' coro=.*> took 0\.\d{3} seconds/,
    );
  });

  await t.step("a threshold set by the step itself applies to it", async () => {
    const records = await captureLogs(() =>
      run(
        function* () {
          getRunningLoop().slowCallbackDuration = 0.01;
          blockFor(20);
          yield* sleep(0);
        }(),
        { debug: true },
      )
    );
    assert.equal(
      records.filter((r) => r.message.startsWith("Executing")).length,
      1,
    );
  });

  await t.step("nothing is timed when debug mode is off", async () => {
    const records = await captureLogs(async () => {
      const loop = newEventLoop();
      loop.slowCallbackDuration = 0;
      loop.callSoon(() => blockFor(5));
      loop.callSoon(() => loop.stop());
      await loop.runForever();
      loop.close();
    });
    assert.deepEqual(records, []);
  });

  await t.step(
    "setDebug(true) on a running loop starts the timing",
    async () => {
      const records = await captureLogs(async () => {
        const loop = newEventLoop();
        loop.slowCallbackDuration = 0.01;
        loop.callSoon(() => loop.setDebug(true));
        loop.callSoon(() => {});
        loop.callSoon(function afterSwitch() {
          blockFor(20);
        });
        loop.callSoon(() => loop.stop());
        await loop.runForever();
        loop.close();
      });
      // The switch takes effect on the next pass; everything here ran in one.
      assert.equal(records.length, 0);
      const later = await captureLogs(async () => {
        const loop = newEventLoop();
        loop.slowCallbackDuration = 0.01;
        loop.callSoon(() => {
          loop.setDebug(true);
          loop.callSoon(function nextPass() {
            blockFor(20);
          });
          loop.callSoon(() => loop.stop());
        });
        await loop.runForever();
        loop.close();
      });
      assert.equal(later.length, 1);
      assert.match(later[0].message, /nextPass\(\)/);
    },
  );
});

Deno.test("Task exception was never retrieved is reported when the task is collected", async (t) => {
  function startLostTask(name: string): void {
    createTask(
      function* failing() {
        yield* sleep(0);
        throw new Error(`nobody reads the error of ${name}`);
      }(),
      { name },
    );
  }

  await t.step("without debug mode: the error and the task", async () => {
    const records = await captureLogs(async () => {
      await run(function* () {
        startLostTask("lost-1");
        yield* sleep(0.01);
      }());
      await collectGarbage();
    });
    const mine = records.filter((r) => r.message.includes("lost-1"));
    assert.equal(mine.length, 1, records.map((r) => r.message).join("\n"));
    assert.equal(mine[0].level, "error");
    assert.match(mine[0].message, /^Task exception was never retrieved\n/);
    assert.match(
      mine[0].message,
      /description: <Task finished exception=Error: nobody reads the error of lost-1 name='lost-1'/,
    );
    assert.match(mine[0].message, /Error: nobody reads the error of lost-1/);
    assert.ok(mine[0].exception instanceof Error);
    assert.doesNotMatch(mine[0].message, /sourceTraceback/);
  });

  await t.step("in debug mode: also where the task was created", async () => {
    const records = await captureLogs(async () => {
      await run(
        function* () {
          startLostTask("lost-2");
          yield* sleep(0.01);
        }(),
        { debug: true },
      );
      await collectGarbage();
    });
    const mine = records.filter((r) => r.message.includes("lost-2"));
    assert.equal(mine.length, 1);
    const trace = mine[0].extra?.sourceTraceback as string;
    assert.match(trace, /startLostTask .*debug_test\.ts/);
    for (const folder of ["eventloop", "tasks"]) {
      assert.ok(
        !trace.includes(new URL(`../../${folder}/`, import.meta.url).href),
      );
    }
  });

  await t.step("an error that was read is not reported", async () => {
    const records = await captureLogs(async () => {
      await run(function* () {
        const task = createTask(function* () {
          yield* sleep(0);
          throw new Error("read-3");
        }());
        yield* sleep(0.01);
        assert.match(String(task.exception()), /read-3/);
      }());
      await collectGarbage();
    });
    assert.equal(records.filter((r) => r.message.includes("read-3")).length, 0);
  });

  await t.step("a plain Future says Future", async () => {
    const records = await captureLogs(async () => {
      const loop = newEventLoop();
      (() => {
        const fut = new Future({ loop });
        fut.setException(new RangeError("future-4"));
      })();
      loop.close();
      await collectGarbage();
    });
    const mine = records.filter((r) => r.message.includes("future-4"));
    assert.equal(mine.length, 1);
    assert.match(mine[0].message, /^Future exception was never retrieved/);
  });
});

Deno.test("Task was destroyed but it is pending: reported in debug mode", async (t) => {
  function startOrphan(loop: EventLoop, name: string): void {
    // Waits on a future that nothing else holds: it can never wake.
    createTask(
      function* waitsForever() {
        yield* loop.createFuture();
      }(),
      { name },
    );
  }

  await t.step(
    "an unreachable pending task is reported with its origin",
    async () => {
      const records = await captureLogs(() =>
        run(
          function* () {
            startOrphan(getRunningLoop(), "orphan-1");
            yield* sleep(0);
            yield* fromPromise(collectGarbage());
          }(),
          { debug: true },
        )
      );
      const mine = records.filter((r) => r.message.includes("orphan-1"));
      assert.equal(mine.length, 1, records.map((r) => r.message).join("\n"));
      assert.match(mine[0].message, /^Task was destroyed but it is pending!/);
      assert.match(mine[0].message, /<Task pending name='orphan-1' coro=/);
      assert.match(mine[0].extra?.sourceTraceback as string, /startOrphan/);
    },
  );

  await t.step(
    "a task that is still reachable is kept and cancelled at the end",
    async () => {
      let kept: Task<unknown> | null = null;
      const records = await captureLogs(() =>
        run(
          function* () {
            const loop = getRunningLoop();
            const fut = loop.createFuture();
            kept = createTask(
              function* () {
                yield* fut;
              }(),
              { name: "kept-2" },
            );
            yield* sleep(0);
            yield* fromPromise(collectGarbage());
            assert.equal([...loop._tasks].includes(kept), true);
          }(),
          { debug: true },
        )
      );
      assert.equal(
        records.filter((r) => r.message.includes("kept-2")).length,
        0,
      );
      assert.equal(kept!.cancelled(), true);
    },
  );

  await t.step("without debug mode the loop holds pending tasks", async () => {
    const records = await captureLogs(() =>
      run(function* () {
        startOrphan(getRunningLoop(), "orphan-3");
        yield* sleep(0);
        yield* fromPromise(collectGarbage());
      }())
    );
    assert.equal(
      records.filter((r) => r.message.includes("orphan-3")).length,
      0,
    );
  });
});

Deno.test("debug mode refuses calls from another running loop's callbacks", async (t) => {
  await t.step(
    "callSoon, callLater and createTask explain the mistake",
    async () => {
      const other = newEventLoop({ debug: true });
      const errors: string[] = [];
      await run(function* () {
        for (
          const call of [
            () => other.callSoon(() => {}),
            () => other.callLater(1, () => {}),
            () => other.createTask(sleep(0)),
          ]
        ) {
          try {
            call();
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
        yield* sleep(0);
      }());
      other.close();
      assert.equal(errors.length, 3);
      assert.match(
        errors[0],
        /^callSoon\(\) was called on <EventLoop .*debug=true> from a callback of another running loop, <EventLoop running=true/,
      );
      assert.match(errors[1], /callLater\(\)\/callAt\(\) was called/);
      assert.match(errors[2], /createTask\(\) was called/);
    },
  );

  await t.step("callSoonThreadsafe is the way across", async () => {
    const other = newEventLoop({ debug: true });
    const got: string[] = [];
    await run(function* () {
      other.callSoonThreadsafe(() => {
        got.push("ran");
        other.stop();
      });
      yield* sleep(0);
    }());
    await other.runForever();
    other.close();
    assert.deepEqual(got, ["ran"]);
  });

  await t.step("without debug mode it is allowed", async () => {
    const other = newEventLoop();
    await run(function* () {
      other.callSoon(() => other.stop());
      yield* sleep(0);
    }());
    await other.runForever();
    other.close();
  });

  await t.step("a closed loop names the call", () => {
    const loop = newEventLoop();
    loop.close();
    assert.throws(
      () => loop.callSoon(() => {}),
      /^Error: Event loop is closed: callSoon\(\) was called after close\(\)$/,
    );
    assert.throws(
      () => loop.callLater(1, () => {}),
      /Event loop is closed: callLater\(\)\/callAt\(\) was called after close\(\)/,
    );
    assert.throws(
      () => loop.runForever(),
      /Event loop is closed: runForever\(\)\/runUntilComplete\(\) was called/,
    );
  });
});

Deno.test("Logger: levels, handlers, and the loop's default exception handler", async (t) => {
  await t.step(
    "the default exception handler writes through the logger",
    async () => {
      const records = await captureLogs(async () => {
        const loop = newEventLoop();
        loop.callSoon(function exploding() {
          throw new TypeError("kaboom");
        });
        loop.callSoon(() => loop.stop());
        await loop.runForever();
        loop.close();
      });
      assert.equal(records.length, 1);
      assert.equal(records[0].name, "asyncio");
      assert.equal(records[0].level, "error");
      assert.match(
        records[0].message,
        /^Exception in callback exploding\(\)\nhandle: <Handle exploding\(\)>\nTypeError: kaboom/,
      );
      assert.ok(records[0].exception instanceof TypeError);
    },
  );

  await t.step("setLevel filters, and bad levels are refused", () => {
    const logger = new Logger("test");
    const seen: string[] = [];
    logger.addHandler((r) => seen.push(r.level));
    logger.setLevel("error");
    logger.debug("a");
    logger.info("b");
    logger.warning("c");
    logger.error("d");
    logger.critical("e");
    assert.deepEqual(seen, ["error", "critical"]);
    assert.equal(logger.isEnabledFor("warning"), false);
    assert.throws(
      // @ts-expect-error: a bad level on purpose
      () => logger.setLevel("loud"),
      /Cannot set the log level as 'level' must be one of debug, info, warning, error, critical: received "loud"/,
    );
    assert.throws(
      // @ts-expect-error: a bad handler on purpose
      () => logger.addHandler("console"),
      /'handler' must be a function: received "console"/,
    );
  });

  await t.step("a throwing handler does not stop the others", () => {
    const logger = new Logger("test");
    const seen: string[] = [];
    const originalError = console.error;
    const consoleLines: unknown[] = [];
    console.error = (...args: unknown[]) => consoleLines.push(args[0]);
    try {
      logger.addHandler(() => {
        throw new Error("bad handler");
      });
      logger.addHandler((r) => seen.push(r.message));
      logger.warning("still delivered");
    } finally {
      console.error = originalError;
    }
    assert.deepEqual(seen, ["still delivered"]);
    assert.deepEqual(consoleLines, [
      "Error in a log handler of the asyncio logger",
    ]);
  });

  await t.step("with no handler, warnings go to console.error", () => {
    const logger = new Logger("test");
    const originalError = console.error;
    const originalLog = console.log;
    const lines: string[] = [];
    console.error = (text: string) => lines.push(`E ${text}`);
    console.log = (text: string) => lines.push(`L ${text}`);
    try {
      logger.info("fyi");
      logger.warning("careful");
    } finally {
      console.error = originalError;
      console.log = originalLog;
    }
    assert.deepEqual(lines, ["L fyi", "E careful"]);
  });
});

Deno.test("ASYNCIO_DEBUG=1 turns debug mode on when --allow-env grants it", async (t) => {
  const script = new URL("./_fixtures/debug_env.ts", import.meta.url);
  async function debugOf(args: string[], env: Record<string, string>) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...args, script.href],
      env,
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    return JSON.parse(text).debug as boolean;
  }
  await t.step("granted and set", async () => {
    assert.equal(
      await debugOf(["--allow-env=ASYNCIO_DEBUG"], { ASYNCIO_DEBUG: "1" }),
      true,
    );
  });
  await t.step("granted and set to 0", async () => {
    assert.equal(
      await debugOf(["--allow-env=ASYNCIO_DEBUG"], { ASYNCIO_DEBUG: "0" }),
      false,
    );
  });
  await t.step("set but not granted: silently off", async () => {
    assert.equal(await debugOf([], { ASYNCIO_DEBUG: "1" }), false);
  });
});

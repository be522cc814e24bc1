import assert from "node:assert/strict";
import { CancelledError, getRunningLoop } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  gather,
  shield,
  sleep,
  Task,
  taskGroup,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

function* later<T>(delay: number, value: T): Coroutine<T> {
  yield* sleep(delay);
  return value;
}

function* failLater(delay: number, error: Error): Coroutine<never> {
  yield* sleep(delay);
  throw error;
}

Deno.test("gather() gives results in the order given, typed by position", async () => {
  await runClean(function* () {
    const results = yield* gather([
      later(3, 1),
      later(1, "two"),
      createTask(later(2, true)),
      fromPromise(Promise.resolve(4n)),
    ]);
    // A compile-time check of the tuple typing.
    const typed: [number, string, boolean, bigint] = results;
    assert.deepEqual(typed, [1, "two", true, 4n]);
    assert.equal(now(), 3);
  });
});

Deno.test("gather() of nothing gives an empty array", async () => {
  await runClean(function* () {
    assert.deepEqual(yield* gather([]), []);
  });
});

Deno.test("gather() accepts Promises and a Set", async () => {
  await runClean(function* () {
    const results = yield* gather([Promise.resolve("p"), later(1, "c")]);
    assert.deepEqual(results, ["p", "c"]);
    const fromSet = yield* gather(
      new Set([later(1, 5)]) as unknown as [
        Coroutine<number>,
      ],
    );
    assert.deepEqual(fromSet, [5]);
  });
});

Deno.test("gather() fails with the first child error and leaves the others running", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const slow = createTask(function* () {
      yield* sleep(5);
      log.push("slow finished");
      return "slow";
    }());
    const error = yield* caught(
      gather([failLater(1, new RangeError("first")), slow]),
    );
    assert.ok(error instanceof RangeError);
    assert.equal(error.message, "first");
    assert.equal(now(), 1);
    assert.ok(!slow.done());
    assert.equal(yield* slow, "slow");
  });
  assert.deepEqual(log, ["slow finished"]);
});

Deno.test("gather() with returnExceptions puts errors in place", async () => {
  await runClean(function* () {
    const slow = createTask(sleep(10));
    const results = yield* gather([
      later(2, "ok"),
      failLater(1, new TypeError("bad")),
      slow,
    ], { returnExceptions: true });
    assert.equal(results[0], "ok");
    assert.ok(results[1] instanceof TypeError);
    assert.equal(results[2], undefined);
  });
  await runClean(function* () {
    const child = createTask(sleep(10));
    const g = gather([child, later(1, 1)], { returnExceptions: true });
    yield* sleep(0);
    child.cancel("stop");
    const results = yield* g;
    assert.ok(results[0] instanceof CancelledError);
    assert.equal(results[0].message, "stop");
    assert.equal(results[1], 1);
  });
});

Deno.test("gather() throws CancelledError when a child is cancelled", async () => {
  await runClean(function* () {
    const child = createTask(sleep(10));
    const other = createTask(sleep(2));
    const g = gather([child, other]);
    yield* sleep(1);
    child.cancel();
    const error = yield* caught(function* () {
      yield* g;
    }());
    assert.ok(error instanceof CancelledError);
    // The gather's waiter itself was not cancelled, and the sibling runs on.
    assert.ok(!other.done());
    yield* other;
  });
});

Deno.test("gather().cancel() cancels every child not done", async (t) => {
  await t.step(
    "the children see CancelledError and the gather throws it",
    async () => {
      const log: string[] = [];
      await runClean(function* () {
        function* child(name: string): Coroutine<void> {
          try {
            yield* sleep(10);
          } finally {
            log.push(`${name} cleaned up`);
          }
        }
        const done = createTask(sleep(0, "done"));
        const g = gather([child("a"), child("b"), done]);
        yield* sleep(1);
        assert.equal(g.cancel("enough"), true);
        const error = yield* caught(function* () {
          yield* g;
        }());
        assert.ok(error instanceof CancelledError);
        assert.ok(done.done() && !done.cancelled());
        assert.equal(g.cancel(), false);
      });
      assert.deepEqual(log, ["a cleaned up", "b cleaned up"]);
    },
  );

  await t.step("cancelling before the children's first step", async () => {
    let ran = false;
    await runClean(function* () {
      const g = gather([function* () {
        ran = true;
        yield* sleep(1);
      }()]);
      g.cancel();
      assert.ok(
        (yield* caught(function* () {
          yield* g;
        }())) instanceof CancelledError,
      );
    });
    assert.equal(ran, false);
  });

  await t.step(
    "returnExceptions does not turn its own cancellation into results",
    async () => {
      await runClean(function* () {
        const g = gather([later(5, 1), later(6, 2)], {
          returnExceptions: true,
        });
        yield* sleep(1);
        g.cancel();
        assert.ok(
          (yield* caught(function* () {
            yield* g;
          }())) instanceof CancelledError,
        );
      });
    },
  );

  await t.step(
    "a child that swallows its cancellation still cancels the gather",
    async () => {
      await runClean(function* () {
        const stubborn = function* (): Coroutine<string> {
          try {
            yield* sleep(5);
          } catch {
            return "swallowed";
          }
          return "finished";
        };
        const g = gather([stubborn()]);
        yield* sleep(1);
        assert.equal(g.cancel(), true);
        assert.ok(
          (yield* caught(function* () {
            yield* g;
          }())) instanceof CancelledError,
        );
      });
    },
  );
});

Deno.test("gather() is cancelled with the task that waits for it", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const children = [0, 1].map((i) =>
      createTask(function* () {
        try {
          yield* sleep(10);
        } finally {
          yield* sleep(1); // cleanup that itself takes time
          log.push(`child ${i} cleaned up`);
        }
      }())
    );
    const waiter = createTask(function* () {
      try {
        yield* gather(children);
      } catch (error) {
        log.push(`waiter got ${(error as Error).name} at ${now()}`);
        throw error;
      }
    }());
    yield* sleep(2);
    waiter.cancel();
    yield* caught(function* () {
      yield* waiter;
    }());
    assert.ok(waiter.cancelled());
    assert.ok(children.every((c) => c.cancelled()));
  });
  assert.deepEqual(log, [
    "child 0 cleaned up",
    "child 1 cleaned up",
    "waiter got CancelledError at 3",
  ]);
});

Deno.test("gather() is cancelled twice in a row and still throws once", async () => {
  await runClean(function* () {
    const waiter = createTask(function* () {
      return yield* gather([later(10, 1), later(10, 2)]);
    }());
    yield* sleep(1);
    assert.equal(waiter.cancel(), true);
    assert.equal(waiter.cancel(), true);
    assert.ok(
      (yield* caught(function* () {
        yield* waiter;
      }())) instanceof CancelledError,
    );
  });
});

Deno.test("gather() waits once for an awaitable given twice", async () => {
  let runs = 0;
  await runClean(function* () {
    const coro = function* () {
      runs++;
      yield* sleep(1);
      return "x";
    }();
    const task = createTask(later(1, "t"));
    assert.deepEqual(yield* gather([coro, coro, task, task]), [
      "x",
      "x",
      "t",
      "t",
    ]);
  });
  assert.equal(runs, 1);
});

Deno.test("gather() finds a repeat wherever it comes, whatever its kind", async () => {
  let runs = 0;
  const counted = function* (value: string) {
    runs++;
    yield* sleep(1);
    return value;
  };
  await runClean(function* () {
    // Coroutines first, the repeat after a run of them.
    const a = counted("a");
    const b = counted("b");
    assert.deepEqual(yield* gather([a, b, counted("c"), a, b]), [
      "a",
      "b",
      "c",
      "a",
      "b",
    ]);
    assert.equal(runs, 3);
    // The module's own coroutines (sleep()) are not plain generators.
    const s = sleep(1, "s");
    assert.deepEqual(yield* gather([counted("d"), s, s]), ["d", "s", "s"]);
    assert.equal(runs, 4);
    // A frozen generator cannot be claimed by its task: still found.
    const frozen = Object.freeze(counted("f"));
    assert.deepEqual(yield* gather([counted("e"), frozen, frozen]), [
      "e",
      "f",
      "f",
    ]);
    assert.equal(runs, 6);
  });
});

Deno.test("gather() cancels the tasks it made when a later coroutine is refused", async () => {
  let runs = 0;
  await runClean(function* () {
    const counted = function* () {
      runs++;
      yield* sleep(1);
    };
    const taken = counted();
    const owner = createTask(taken);
    const first = counted();
    assert.throws(
      () => gather([first, counted(), taken]),
      /coroutine is being awaited already/,
    );
    yield* owner;
    // The two tasks made before the refusal never ran.
    yield* sleep(2);
    assert.equal(runs, 1);
    // The same when the task factory fails among fresh coroutines.
    const loop = getRunningLoop();
    let made = 0;
    loop.setTaskFactory((loop, coro, options) => {
      if (++made === 3) throw new RangeError("no more tasks");
      return new Task(coro, { ...options, loop });
    });
    try {
      assert.throws(
        () => gather([counted(), counted(), counted()]),
        RangeError,
      );
    } finally {
      loop.setTaskFactory(null);
    }
    yield* sleep(2);
    assert.equal(runs, 1);
  });
});

Deno.test("gather() hears of its children in the order they finished, between their other callbacks", async () => {
  await runClean(function* () {
    const loop = getRunningLoop();
    const a = loop.createFuture<string>();
    const b = loop.createFuture<string>();
    // b fails first, then a, in the same pass: b's error is the gather's.
    const both = gather([a, b]);
    b.setException(new RangeError("b"));
    a.setException(new RangeError("a"));
    const error = yield* caught(both);
    assert.ok(error instanceof RangeError);
    assert.equal(error.message, "b");
    // The gather's own callback runs where it was added among the child's.
    const c = loop.createFuture<string>();
    const log: string[] = [];
    c.addDoneCallback(() => log.push(`before: ${gathered.done()}`));
    const gathered = gather([c]);
    c.addDoneCallback(() => log.push(`after: ${gathered.done()}`));
    c.setResult("c");
    assert.deepEqual(yield* gathered, ["c"]);
    assert.deepEqual(log, ["before: false", "after: true"]);
    // The same with a TaskGroup: its children are accounted for in the
    // order they finished, before the callbacks added after them.
    const order: string[] = [];
    yield* taskGroup(function* (tg) {
      const slow = tg.createTask(sleep(2, "slow"));
      const fast = tg.createTask(sleep(1, "fast"));
      for (const t of [slow, fast]) {
        t.addDoneCallback(() => order.push(t.result()));
      }
    });
    assert.deepEqual(order, ["fast", "slow"]);
  });
});

Deno.test("gather() rejects what is not an array of awaitables", async () => {
  await runClean(function* () {
    assert.throws(
      () => gather(later(1, 1) as never),
      { name: "TypeError", message: /gather\(\) expects an array/ },
    );
    assert.throws(() => gather(5 as never), TypeError);
    assert.throws(
      () => gather([later(1, 1), 42] as never),
      { name: "TypeError", message: /received 42/ },
    );
    assert.throws(
      () => gather([], { returnExceptions: "yes" as never }),
      { name: "TypeError", message: /returnExceptions/ },
    );
    // The child started before the bad one was cancelled (no task is left).
    yield* sleep(0);
  });
});

Deno.test("gather() inside shield() survives the cancellation of its waiter", async () => {
  await runClean(function* () {
    const inner = gather([later(2, "a"), later(3, "b")]);
    const waiter = createTask(function* () {
      return yield* shield(inner);
    }());
    yield* sleep(1);
    waiter.cancel();
    assert.ok(
      (yield* caught(function* () {
        yield* waiter;
      }())) instanceof CancelledError,
    );
    assert.deepEqual(yield* inner, ["a", "b"]);
  });
});

Deno.test("gather() types results by position, with errors when returnExceptions may be true", async () => {
  function* check(flag: boolean): Coroutine<void> {
    const plain: [number, string] = yield* gather([sleep(0, 1), sleep(0, "s")]);
    const settled: [number | Error, string | Error] = yield* gather(
      [sleep(0, 1), sleep(0, "s")],
      { returnExceptions: true },
    );
    const maybe: [number | Error, string | Error] = yield* gather(
      [sleep(0, 1), sleep(0, "s")],
      { returnExceptions: flag },
    );
    // @ts-expect-error: the results may be errors when the flag is not known
    const wrong: [number, string] = yield* gather(
      [sleep(0, 1), sleep(0, "s")],
      {
        returnExceptions: flag,
      },
    );
    assert.deepEqual([plain, settled, maybe, wrong], [
      [1, "s"],
      [1, "s"],
      [1, "s"],
      [1, "s"],
    ]);
  }
  await runClean(() => check(false));
});

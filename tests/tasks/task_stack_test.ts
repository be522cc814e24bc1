// task.getStack() / printStack(), isFuture(), and wait()/asCompleted() over
// any iterable.
import assert from "node:assert/strict";
import { Future, getRunningLoop, isFuture, run } from "../../eventloop/mod.ts";
import {
  asCompleted,
  createTask,
  currentTask,
  FIRST_COMPLETED,
  gather,
  sleep,
  type Task,
  wait,
} from "../../tasks/mod.ts";
import { Queue } from "../../queues/mod.ts";

const virtual = { virtualTime: true };

Deno.test("task.getStack() is the chain of futures a suspended task waits on, outermost first", async () => {
  await run(
    function* () {
      const queue = new Queue<number>();
      const leaf = createTask(
        function* () {
          return yield* queue.get();
        }(),
        { name: "leaf" },
      );
      const middle = createTask(
        function* () {
          return yield* leaf;
        }(),
        { name: "middle" },
      );
      const top = createTask(
        function* () {
          return yield* middle;
        }(),
        { name: "top" },
      );
      assert.deepEqual(top.getStack(), [], "not started: ready to run");
      yield* sleep(1);
      const stack = top.getStack();
      assert.equal(stack.length, 3);
      assert.equal(stack[0], middle);
      assert.equal(stack[1], leaf);
      assert.ok(stack[2] instanceof Future && !(stack[2] as Task).getName);
      assert.deepEqual(leaf.getStack(), [stack[2]]);
      // limit keeps the innermost, as Python keeps the newest frames.
      assert.deepEqual(top.getStack({ limit: 2 }), [leaf, stack[2]]);
      assert.deepEqual(top.getStack({ limit: 0 }), []);
      assert.deepEqual(top.getStack({ limit: null }), stack);
      // A running task waits on nothing.
      assert.deepEqual(currentTask()!.getStack(), []);
      queue.putNowait(7);
      assert.equal(yield* top, 7);
      assert.deepEqual(top.getStack(), [], "done");
    }(),
    virtual,
  );
});

Deno.test("task.getStack() stops at a fan-out (gather) and refuses a bad limit", async () => {
  await run(
    function* () {
      const outer = gather([sleep(5), sleep(6)]);
      const waiter = createTask(function* () {
        yield* outer;
      }());
      yield* sleep(1);
      const stack = waiter.getStack();
      // gather's future waits for several: the chain ends there (the call
      // graph shows the fan-out).
      assert.deepEqual(stack, [outer]);
      for (const bad of [-1, 1.5, "2", NaN]) {
        assert.throws(
          () => waiter.getStack({ limit: bad as never }),
          (e: Error) =>
            e instanceof RangeError &&
            /getStack\(\)'s 'limit' must be a non-negative integer or null/
              .test(e.message),
        );
      }
      yield* waiter;
    }(),
    virtual,
  );
});

Deno.test("task.printStack() prints the chain, where tasks were made in debug mode, or a failed task's error", async () => {
  const texts: string[] = [];
  const write = (text: string) => void texts.push(text);
  await run(
    function* () {
      const inner = createTask(sleep(10), { name: "inner" });
      const outer = createTask(
        function* () {
          yield* inner;
        }(),
        { name: "outer" },
      );
      yield* sleep(1);
      outer.printStack({ write });
      outer.printStack({ write, limit: 1 });
      currentTask()!.printStack({ write });
      yield* outer;
      outer.printStack({ write });
      const failing = createTask(
        function* failingWork() {
          yield* sleep(1);
          throw new RangeError("it broke");
        }(),
        { name: "failing" },
      );
      try {
        yield* failing;
      } catch {
        // printed below
      }
      failing.printStack({ write });
      assert.throws(
        () => outer.printStack({ write: "stderr" as never }),
        /printStack\(\)'s 'write' must be a function: received "stderr"/,
      );
    }(),
    { virtualTime: true, debug: true },
  );
  assert.equal(texts.length, 5);
  const [chain, limited, running, done, failed] = texts;
  const lines = chain.split("\n");
  assert.equal(
    lines[0],
    "Stack for Task 'outer' (pending) (most recent call last):",
  );
  // Debug mode: each task's line is followed by where it was made.
  assert.match(lines[1], /^ {4}created at .*task_stack_test\.ts:\d+:\d+/);
  assert.equal(lines[2], "  awaits Task 'inner' (pending)");
  assert.match(lines[3], /^ {4}created at .*task_stack_test\.ts/);
  assert.match(lines[4], /^ {2}awaits (TimerFuture|Future|\w+) \(pending\)$/);
  assert.equal(lines.length, 5);
  assert.doesNotMatch(limited, /Task 'inner'/);
  assert.match(limited, /^ {2}awaits \w+ \(pending\)$/m);
  assert.match(
    running,
    /^No stack for Task 'Task-\d+' \(pending\): it is running or ready to run/,
  );
  assert.equal(done, "No stack for Task 'outer' (finished)");
  assert.match(
    failed,
    /^Traceback for Task 'failing' \(finished\) \(most recent call first\):\nRangeError: it broke\n\s+at failingWork /,
  );
});

Deno.test("task.printStack() writes to console.error by default", async () => {
  const original = console.error;
  const printed: unknown[] = [];
  console.error = (...args: unknown[]) => void printed.push(...args);
  try {
    await run(function* () {
      createTask(sleep(0), { name: "quick" }).printStack();
      yield* sleep(0);
    }());
  } finally {
    console.error = original;
  }
  assert.deepEqual(printed, [
    "No stack for Task 'quick' (pending): it is running or ready to run",
  ]);
});

Deno.test("isFuture() is true for futures and tasks only", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const task = createTask(sleep(0));
    assert.equal(isFuture(loop.createFuture()), true);
    assert.equal(isFuture(task), true);
    assert.equal(isFuture(sleep(0)), false); // a coroutine
    assert.equal(isFuture(Promise.resolve()), false);
    assert.equal(
      isFuture({ then() {}, _asyncio_future_blocking: false }),
      false,
    );
    assert.equal(isFuture(null), false);
    yield* task;
  }());
});

Deno.test("wait() and asCompleted() take any iterable: Set, Map values, iterator helpers, a custom iterable", async () => {
  await run(
    function* () {
      const make = () => [createTask(sleep(2, "b")), createTask(sleep(1, "a"))];
      class Bag<T> implements Iterable<T> {
        constructor(readonly items: T[]) {}
        *[Symbol.iterator]() {
          yield* this.items;
        }
      }
      const sources: [
        string,
        (tasks: Task<string>[]) => Iterable<Task<string>>,
      ][] = [
        ["Set", (tasks) => new Set(tasks)],
        [
          "Map values",
          (tasks) => new Map(tasks.map((t, i) => [i, t])).values(),
        ],
        ["iterator helper", (tasks) => tasks.values().filter(() => true)],
        ["custom iterable", (tasks) => new Bag(tasks)],
      ];
      for (const [name, source] of sources) {
        const tasks = make();
        const [done, pending] = yield* wait(source(tasks), {
          returnWhen: FIRST_COMPLETED,
        });
        assert.deepEqual([...done], [tasks[1]], name);
        assert.deepEqual([...pending], [tasks[0]], name);
        const order: string[] = [];
        for (const next of asCompleted(source(make()))) order.push(yield* next);
        assert.deepEqual(order, ["a", "b"], name);
        yield* wait(tasks);
      }
    }(),
    virtual,
  );
});

Deno.test("wait() and asCompleted() refuse a generator object (a coroutine here) and say how to pass one", async () => {
  await run(
    function* () {
      const tasks = [createTask(sleep(1, 1)), createTask(sleep(2, 2))];
      function* items() {
        yield* tasks;
      }
      for (
        const call of [
          () => wait(items() as never),
          () => asCompleted(items() as never),
          () => wait(sleep(1) as never),
        ]
      ) {
        assert.throws(
          call,
          (e: Error) =>
            e instanceof TypeError &&
            /a generator object is a coroutine here: received a generator \(to pass the items of a generator function, spread them: \[\.\.\.items\(\)\]\)/
              .test(e.message),
        );
      }
      // Spread, as the message says.
      const [done] = yield* wait([...items()]);
      assert.equal(done.size, 2);
    }(),
    virtual,
  );
});

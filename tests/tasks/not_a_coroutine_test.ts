// Every public entry point that takes a coroutine, given what is not one:
// a generator function not called (the most common slip), a number, a
// Promise; and the entry points that take a callback, given a coroutine or a
// generator function (whose call would only make a coroutine nobody runs).
// Each throws a TypeError at once that names the entry point and shows what
// it received, with a hint for the generator function; the hot paths
// (callSoon, callLater, callAt) refuse a generator function in debug mode,
// as asyncio does, and otherwise report the coroutine it returns.

import assert from "node:assert/strict";
import {
  asCompleted,
  type Coroutine,
  createTask,
  eagerTaskFactory,
  ensureFuture,
  type EventLoop,
  gather,
  getRunningLoop,
  newEventLoop,
  run,
  Runner,
  shield,
  sleep,
  Task,
  TaskGroup,
  taskGroup,
  timeout,
  timeoutAt,
  wait,
  waitFor,
} from "../../mod.ts";

function* work(): Coroutine<number> {
  yield* sleep(0);
  return 1;
}

// deno-lint-ignore no-explicit-any -- the tests pass what the types refuse, on purpose
type Any = any;

/**
 * Where a coroutine goes: the call with the bad value, the name the error
 * must give, and whether a generator function is accepted there (called
 * for its coroutine, as `run(main)` and `timeout(1, body)` do).
 */
const ENTRY_POINTS: [
  string,
  RegExp,
  (value: Any, loop: EventLoop) => unknown,
  { takesFunctions?: boolean; takesPromises?: boolean; outside?: boolean },
][] = [
  ["run()", /^run\(\)/, (v) => run(v), {
    takesFunctions: true,
    outside: true,
  }],
  ["Runner.run()", /^Runner\.run\(\)/, async (v) => {
    const runner = new Runner();
    try {
      await runner.run(v);
    } finally {
      await runner.close();
    }
  }, { takesFunctions: true, outside: true }],
  [
    "loop.runUntilComplete()",
    /^runUntilComplete\(\)/,
    (v, loop) => loop.runUntilComplete(v),
    { outside: true },
  ],
  ["loop.createTask()", /^createTask\(\)/, (v, loop) => loop.createTask(v), {}],
  ["createTask()", /^createTask\(\)/, (v) => createTask(v), {}],
  [
    "new Task()",
    /^A Task needs a coroutine/,
    (v, loop) => new Task(v, { loop }),
    {},
  ],
  [
    "eagerTaskFactory()",
    /^A Task needs a coroutine/,
    (v, loop) => eagerTaskFactory(loop, v, {}),
    {},
  ],
  ["ensureFuture()", /^ensureFuture\(\)/, (v) => ensureFuture(v), {
    takesPromises: true,
  }],
  ["gather()", /^gather\(\)/, (v) => gather([v]), { takesPromises: true }],
  ["shield()", /^shield\(\)/, (v) => shield(v), { takesPromises: true }],
  ["asCompleted()", /^asCompleted\(\)/, (v) => asCompleted([v]), {
    takesPromises: true,
  }],
  ["waitFor()", /^waitFor\(\)'s 'aw'/, (v) => waitFor(v, 1), {
    takesPromises: true,
  }],
  [
    "wait()",
    /^wait\(\) expects futures or tasks in 'aws'/,
    (v) => wait([v]),
    {},
  ],
  ["timeout()", /^timeout\(\)'s 'body'/, (v) => timeout(1, v), {
    takesFunctions: true,
  }],
  ["timeoutAt()", /^timeoutAt\(\)'s 'body'/, (v) => timeoutAt(1, v), {
    takesFunctions: true,
  }],
  ["taskGroup()", /^TaskGroup's 'body'/, (v) => taskGroup(v), {
    takesFunctions: true,
  }],
  [
    "TaskGroup.createTask()",
    /^TaskGroup\.createTask\(\)/,
    (v) => new TaskGroup().createTask(v),
    {},
  ],
];

/** Calls `call` and returns its error, synchronous or from its promise. */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (result instanceof Promise) await result;
  } catch (error) {
    return error;
  }
  return undefined;
}

Deno.test("every entry point that takes a coroutine names what it received instead", async (t) => {
  const loop = newEventLoop();
  try {
    for (const [name, pattern, call, accepts] of ENTRY_POINTS) {
      await t.step(name, async () => {
        const inLoop = (value: unknown) =>
          accepts.outside
            ? errorOf(() => call(value, loop))
            : errorOf(() =>
              loop.runUntilComplete(function* () {
                call(value, getRunningLoop());
              }())
            );
        const cases: [string, unknown, RegExp][] = [
          ["a number", 5, /received 5/],
          ["a string", "work", /received "work"/],
        ];
        if (!accepts.takesPromises) {
          cases.push(["a Promise", Promise.resolve(1), /received a Promise/]);
        }
        if (!accepts.takesFunctions) {
          cases.push([
            "a generator function",
            work,
            /received generator function work.*\(call it|call it and wrap the coroutine with createTask\(\)/,
          ]);
        }
        for (const [what, value, received] of cases) {
          const error = await inLoop(value);
          assert.ok(error instanceof TypeError, `${what}: ${error}`);
          assert.match(error.message, pattern, `${what}: ${error.message}`);
          assert.match(error.message, received, `${what}: ${error.message}`);
        }
      });
    }
  } finally {
    loop.close();
  }
});

Deno.test("createTask() checks its argument before it looks for a loop", () => {
  assert.throws(() => createTask(work as Any), {
    name: "TypeError",
    message:
      "createTask() expected a coroutine (a generator object): received generator function work (call it to make a coroutine: work(...))",
  });
});

Deno.test("a generator function or a coroutine where a callback goes is refused", async (t) => {
  const loop = newEventLoop({ debug: true });
  const future = loop.createFuture();
  // [what the error calls it, the call, whether it refuses a generator
  // function outside debug mode too (the hot paths do not: see below)]
  const TAKERS: [string, (callback: Any) => unknown, boolean][] = [
    ["callSoon()'s 'callback'", (cb) => loop.callSoon(cb), false],
    [
      "callSoonThreadsafe()'s 'callback'",
      (cb) => loop.callSoonThreadsafe(cb),
      true,
    ],
    ["The timer's 'callback'", (cb) => loop.callLater(1, cb), false],
    ["The timer's 'callback'", (cb) => loop.callAt(1, cb), false],
    [
      "addSignalHandler()'s 'callback'",
      (cb) => loop.addSignalHandler("SIGUSR2", cb),
      true,
    ],
    [
      "Cannot add a done callback as 'callback'",
      (cb) => future.addDoneCallback(cb),
      true,
    ],
    [
      "setExceptionHandler()'s 'handler'",
      (cb) => loop.setExceptionHandler(cb),
      true,
    ],
  ];
  try {
    for (const [what, take, always] of TAKERS) {
      await t.step(what, () => {
        loop.setDebug(true);
        assert.throws(() => take(work), {
          name: "TypeError",
          message:
            `${what} must be a plain function, not a generator function: calling work would only make a coroutine, which never runs (run it as a task: () => createTask(work()))`,
        });
        loop.setDebug(false);
        if (always) assert.throws(() => take(work), TypeError);
        const coro = work();
        assert.throws(() => take(coro), {
          name: "TypeError",
          message:
            `${what} must be a function: received a coroutine (run a coroutine as a task: createTask(coro))`,
        });
        coro.return(0);
        assert.throws(() => take(5), {
          name: "TypeError",
          message: `${what} must be a function: received 5`,
        });
      });
    }
    await t.step("plain functions and arrows are still taken", () => {
      loop.callSoon(() => {}).cancel();
      loop.callSoon(function named() {}).cancel();
      future.addDoneCallback(() => {});
    });
  } finally {
    future.cancel();
    loop.close();
  }
});

Deno.test("a callback that returns a coroutine is reported when it runs", async (t) => {
  for (const debug of [false, true]) {
    await t.step(debug ? "debug mode" : "outside debug mode", async () => {
      const messages: string[] = [];
      const loop = newEventLoop({ debug, virtualTime: true });
      loop.setExceptionHandler((_loop, context) => {
        messages.push(context.message);
      });
      await loop.runUntilComplete(function* () {
        // The arrow returns sleep()'s coroutine to the loop, which drops it.
        // deno-lint-ignore asyncio/no-floating-coroutine -- the mistake under test
        loop.callSoon(() => sleep(1));
        // Outside debug mode the loop takes a generator function (checking
        // each callSoon() would cost the hot path), and calls it.
        // deno-lint-ignore asyncio/no-floating-coroutine -- the mistake under test
        if (!debug) loop.callSoon(work);
        yield* sleep(0);
        yield* sleep(0);
      }());
      loop.close();
      assert.deepEqual(messages, [
        "Callback <anonymous>() returned a coroutine, which never runs: a callback must start it itself, as createTask(coro)",
        ...(debug ? [] : [
          "Callback work() returned a coroutine, which never runs: a callback must start it itself, as createTask(coro)",
        ]),
      ]);
    });
  }
});

Deno.test("taskGroup() given a coroutine instead of its body says to pass the function", async () => {
  const error = await errorOf(() =>
    run(function* () {
      yield* taskGroup(work() as Any);
    }())
  );
  assert.ok(error instanceof TypeError);
  assert.equal(
    error.message,
    "TaskGroup's 'body' must be a function (tg) => coroutine: received a coroutine (pass the generator function itself, not its call: function* (tg) { ... })",
  );
});

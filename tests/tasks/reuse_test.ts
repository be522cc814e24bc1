// A coroutine runs once: its second use (a second task, or `yield*` of a
// coroutine a task runs) fails at once with asyncio's RuntimeError messages,
// and the first use runs on undisturbed (tasks/_reuse.ts).

import assert from "node:assert/strict";
import { getRunningLoop } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  ensureFuture,
  gather,
  shield,
  sleep,
  Task,
  TaskGroup,
  taskGroup,
  timeout,
} from "../../tasks/mod.ts";
import { Event, Lock } from "../../sync/mod.ts";
import { Queue } from "../../queues/mod.ts";
import { runClean } from "./_combinators.ts";

const BEING_AWAITED = /^Error: coroutine is being awaited already: /;
const ALREADY_AWAITED = /^Error: cannot reuse already awaited coroutine: /;

function* work(log: string[]): Coroutine<number> {
  log.push("start");
  yield* sleep(1);
  log.push("end");
  return 7;
}

/**
 * Runs `body` on virtual time with a bound: today's bug left a task waiting
 * for ever, which shows up as a TimeoutError instead of a hang.
 */
function runBounded(body: () => Coroutine<void>): Promise<void> {
  return runClean(() => timeout(100, body()));
}

Deno.test("A coroutine given to two tasks: the second createTask() throws, the first task runs", async (t) => {
  await t.step("createTask() twice", async () => {
    const log: string[] = [];
    await runBounded(function* () {
      const coro = work(log);
      const task = createTask(coro);
      assert.throws(
        () => createTask(coro),
        (e: Error) =>
          BEING_AWAITED.test(String(e)) &&
          /is run by <Task pending name='Task-\d+'/.test(e.message) &&
          /'yield\* task'/.test(e.message),
      );
      assert.equal(yield* task, 7);
    });
    assert.deepEqual(log, ["start", "end"]);
  });

  await t.step(
    "loop.createTask(), new Task(), ensureFuture(), gather(), shield() and tg.createTask()",
    async () => {
      const log: string[] = [];
      await runBounded(function* () {
        const coro = work(log);
        const task = getRunningLoop().createTask(coro);
        const loop = getRunningLoop();
        assert.throws(() => loop.createTask(coro), BEING_AWAITED);
        assert.throws(() => new Task(coro, { loop }), BEING_AWAITED);
        assert.throws(() => ensureFuture(coro), BEING_AWAITED);
        assert.throws(() => gather([coro]), BEING_AWAITED);
        assert.throws(() => shield(coro), BEING_AWAITED);
        yield* taskGroup(function* (tg) {
          assert.throws(() => tg.createTask(coro), BEING_AWAITED);
        });
        assert.equal(yield* task, 7);
      });
      assert.deepEqual(log, ["start", "end"]);
    },
  );

  await t.step(
    "once the task is done, any use says it already ran",
    async () => {
      await runBounded(function* () {
        const coro = work([]);
        assert.equal(yield* createTask(coro), 7);
        assert.throws(() => createTask(coro), ALREADY_AWAITED);
        let error: unknown;
        try {
          yield* coro;
        } catch (e) {
          error = e;
        }
        assert.match(String(error), ALREADY_AWAITED);
      });
    },
  );
});

Deno.test("A coroutine refused by a TaskGroup that cannot take it is not closed if a task runs it", async () => {
  const log: string[] = [];
  await runBounded(function* () {
    const coro = work(log);
    const task = createTask(coro);
    yield* sleep(0);
    // A group not entered closes the coroutines it refuses, as asyncio's
    // does: not this one, which is another task's.
    assert.throws(() => new TaskGroup().createTask(coro), BEING_AWAITED);
    assert.equal(yield* task, 7);
    const fresh = work(log);
    assert.throws(() => new TaskGroup().createTask(fresh), /not been entered/);
  });
  assert.deepEqual(log, ["start", "end"]);
});

Deno.test("A coroutine a task runs cannot also be awaited with yield*", async () => {
  const log: string[] = [];
  await runBounded(function* () {
    const coro = work(log);
    const task = createTask(coro);
    let error: unknown;
    try {
      yield* coro;
      assert.fail("yield* of a coroutine a task runs did not throw");
    } catch (e) {
      error = e;
    }
    assert.match(String(error), BEING_AWAITED);
    assert.equal(yield* task, 7);
  });
  assert.deepEqual(log, ["start", "end"]);
});

/** One of the module's own coroutines, with what its first use must do. */
interface Case {
  name: string;
  /** Makes the coroutine; sets up what it waits for. */
  make(): Coroutine<unknown>;
  /** Lets a waiting first use finish. */
  release(): void;
  /** Checks the first use's outcome. */
  check(result: unknown): void;
}

/** Fresh cases: each run binds its Lock and Queues to its own loop. */
function cases(): Case[] {
  const lock = new Lock();
  const queue = new Queue<number>(1);
  const full = new Queue<number>(1);
  const event = new Event();
  return [
    {
      name: "sleep()",
      make: () => sleep(1, "slept"),
      release: () => {},
      check: (r) => assert.equal(r, "slept"),
    },
    {
      name: "lock.acquire()",
      make: () => {
        lock._locked = true;
        return lock.acquire();
      },
      release: () => lock.release(),
      check: (r) => {
        assert.equal(r, true);
        assert.ok(lock.locked());
        lock.release();
        assert.equal(String(lock), "<Lock [unlocked]>");
      },
    },
    {
      name: "lock.hold()",
      make: () => {
        lock._locked = true;
        return lock.hold();
      },
      release: () => lock.release(),
      check: (r) => {
        assert.ok(lock.locked());
        (r as Disposable)[Symbol.dispose]();
        assert.equal(String(lock), "<Lock [unlocked]>");
      },
    },
    {
      name: "queue.get()",
      make: () => queue.get(),
      release: () => queue.putNowait(5),
      check: (r) => {
        assert.equal(r, 5);
        assert.equal(queue.qsize(), 0);
      },
    },
    {
      name: "queue.put()",
      make: () => {
        full.putNowait(1);
        return full.put(2);
      },
      release: () => assert.equal(full.getNowait(), 1),
      check: () => {
        assert.equal(full.getNowait(), 2);
        assert.equal(full.qsize(), 0);
      },
    },
    {
      name: "event.wait() (a generator)",
      make: () => {
        event.clear();
        return event.wait();
      },
      release: () => event.set(),
      check: (r) => assert.equal(r, true),
    },
  ];
}

Deno.test("The module's own coroutines run once: a second use throws, the first runs", async (t) => {
  for (const [i, { name }] of cases().entries()) {
    await t.step(`${name}: createTask() twice`, async () => {
      const c = cases()[i];
      await runBounded(function* () {
        const coro = c.make();
        const task = createTask(coro);
        assert.throws(() => createTask(coro), BEING_AWAITED);
        yield* sleep(0);
        c.release();
        c.check(yield* task);
      });
    });

    await t.step(`${name}: createTask(), then yield*`, async () => {
      const c = cases()[i];
      await runBounded(function* () {
        const coro = c.make();
        const task = createTask(coro);
        let error: unknown;
        try {
          yield* coro;
          assert.fail("yield* of a coroutine a task runs did not throw");
        } catch (e) {
          error = e;
        }
        assert.match(String(error), BEING_AWAITED);
        c.release();
        c.check(yield* task);
        assert.throws(() => createTask(coro), ALREADY_AWAITED);
      });
    });
  }
});

Deno.test("The module's hand-built coroutines also refuse a second yield* and a task after yield*", async (t) => {
  for (const [i, { name }] of cases().entries()) {
    if (name.includes("generator")) continue;
    await t.step(name, async () => {
      const c = cases()[i];
      await runBounded(function* () {
        const coro = c.make();
        let whileAwaited: unknown = null;
        getRunningLoop().callLater(0.5, () => {
          try {
            createTask(coro);
          } catch (e) {
            whileAwaited = e;
          }
          c.release();
        });
        c.check(yield* coro);
        assert.match(String(whileAwaited), BEING_AWAITED);
        let error: unknown;
        try {
          yield* coro;
          assert.fail("a second yield* did not throw");
        } catch (e) {
          error = e;
        }
        assert.match(
          String(error),
          new RegExp(
            `${ALREADY_AWAITED.source}this ${
              c.name.replace(/[.()]/g, "\\$&")
            } has already run; call ${
              c.name.replace(/[.()]/g, "\\$&")
            } again for a new one$`,
          ),
        );
        assert.throws(() => createTask(coro), ALREADY_AWAITED);
      });
    });
  }
});

Deno.test("The module's hand-built coroutines have what a generator has", async (t) => {
  const helpers = [
    "map",
    "filter",
    "take",
    "drop",
    "flatMap",
    "reduce",
    "toArray",
    "forEach",
    "some",
    "every",
    "find",
  ];
  const made: [string, () => Coroutine<unknown>][] = [
    ["sleep()", () => sleep(0)],
    ["lock.acquire()", () => new Lock().acquire()],
    ["lock.hold()", () => new Lock().hold()],
    ["queue.get()", () => new Queue<number>().get()],
    ["queue.put()", () => new Queue<number>().put(1)],
  ];
  const generator = (function* () {})();
  for (const [name, make] of made) {
    await t.step(`${name}: the iterator helpers and Symbol.dispose`, () => {
      const coro = make();
      for (const helper of [...helpers, Symbol.dispose]) {
        assert.equal(
          typeof Reflect.get(coro, helper),
          "function",
          `${name} has no ${String(helper)}`,
        );
        assert.equal(
          Reflect.get(coro, helper),
          Reflect.get(generator, helper),
          `${name}'s ${String(helper)} is the generator's`,
        );
      }
    });
  }
  await t.step("toArray() runs them as it runs a generator", async () => {
    assert.deepEqual(sleep(0).toArray(), [undefined]);
    const lock = new Lock();
    await runBounded(function* () {
      assert.deepEqual(lock.acquire().toArray(), []);
      assert.ok(lock.locked(), "the acquire ran to its end");
      const queue = new Queue<number>();
      queue.putNowait(4);
      assert.deepEqual(queue.get().toArray(), []);
      assert.equal(queue.qsize(), 0, "the get ran to its end");
    });
  });
});

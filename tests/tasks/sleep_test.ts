import assert from "node:assert/strict";
import { CancelledError, getRunningLoop, run } from "../../eventloop/mod.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import { caught } from "./_combinators.ts";

Deno.test("sleep() suspends for the delay in loop time and returns the result", async () => {
  const [value, time] = await run(
    function* () {
      const value = yield* sleep(2.5, "rested");
      return [value, getRunningLoop().time()] as const;
    }(),
    { virtualTime: true },
  );
  assert.equal(value, "rested");
  assert.equal(time, 2.5);
});

Deno.test("sleep() on real time waits at least the delay", async () => {
  const elapsed = await run(function* () {
    const loop = getRunningLoop();
    const start = loop.time();
    yield* sleep(0.03);
    return loop.time() - start;
  }());
  assert.ok(elapsed >= 0.03, `slept ${elapsed}s`);
});

Deno.test("sleep(0) and negative delays give the loop exactly one turn", async () => {
  const log: string[] = [];
  await run(function* () {
    getRunningLoop().callSoon(() => log.push("callback"));
    log.push("before");
    yield* sleep(0);
    log.push("after");
    getRunningLoop().callSoon(() => log.push("callback 2"));
    yield* sleep(-1);
    log.push("after negative");
  }());
  assert.deepEqual(log, [
    "before",
    "callback",
    "after",
    "callback 2",
    "after negative",
  ]);
});

Deno.test("sleep() cancelled cancels its timer and leaves nothing behind", async () => {
  await run(
    function* () {
      const loop = getRunningLoop();
      const task = createTask(sleep(100));
      yield* sleep(1);
      assert.equal(loop._timers.live().length, 1);
      task.cancel();
      assert.ok((yield* caught(task)) instanceof CancelledError);
      assert.equal(loop._timers.live().length, 0);
      assert.equal(loop.time(), 1);
    }(),
    { virtualTime: true },
  );
});

Deno.test("sleep(Infinity) waits until cancelled, with no timer", async () => {
  await run(
    function* () {
      const loop = getRunningLoop();
      const task = createTask(sleep(Infinity));
      yield* sleep(0);
      assert.equal(loop._timers.size, 0);
      task.cancel();
      try {
        yield* task;
        assert.fail("expected CancelledError");
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
    }(),
    { virtualTime: true },
  );
});

Deno.test("sleep() rejects delays that are not numbers", () => {
  for (const bad of [NaN, "1", null, undefined, {}]) {
    assert.throws(
      // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
      () => sleep(bad as any),
      { name: "TypeError", message: /sleep\(\)'s 'delay' must be a number/ },
    );
  }
});

Deno.test("sleep() is a coroutine with generator behaviour", async () => {
  const s = sleep(1, "x");
  assert.equal(s[Symbol.iterator](), s);
  // return() before it starts finishes it without running.
  assert.deepEqual(s.return("early"), { done: true, value: "early" });
  assert.deepEqual(s.next(), { done: true, value: undefined });
  // Iterator helpers work as on a generator.
  assert.deepEqual(sleep(0).toArray(), [undefined]);
  // It can be a task's coroutine directly.
  assert.equal(await run(sleep(3, "direct"), { virtualTime: true }), "direct");
});

import assert from "node:assert/strict";
import { CancelledError, run } from "../../eventloop/mod.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import { Event } from "../../sync/mod.ts";

Deno.test("Event.wait() returns at once when set", async () => {
  const event = new Event();
  event.set();
  const log: string[] = [];
  await run(function* () {
    const other = createTask(function* () {
      log.push("other");
    }());
    assert.equal(yield* event.wait(), true);
    log.push("waited");
    yield* other;
  }());
  assert.deepEqual(log, ["waited", "other"]);
});

Deno.test("Event.set() wakes every waiter, in order", async () => {
  const event = new Event();
  const log: number[] = [];
  await run(
    function* () {
      const tasks = [1, 2, 3].map((n) =>
        createTask(function* () {
          yield* event.wait();
          log.push(n);
        }())
      );
      yield* sleep(1);
      assert.deepEqual(log, []);
      assert.equal(String(event), "<Event [unset, waiters:3]>");
      event.set();
      event.set(); // a second set is a no-op
      for (const t of tasks) yield* t;
      assert.equal(String(event), "<Event [set]>");
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, [1, 2, 3]);
});

Deno.test("Event.clear() makes later waits block but keeps woken waiters woken", async () => {
  const event = new Event();
  const log: string[] = [];
  await run(
    function* () {
      const early = createTask(function* () {
        yield* event.wait();
        log.push("early");
      }());
      yield* sleep(0);
      event.set();
      event.clear();
      assert.equal(event.isSet(), false);
      const late = createTask(function* () {
        yield* event.wait();
        log.push("late");
      }());
      yield* sleep(1);
      assert.deepEqual(log, ["early"]);
      event.set();
      yield* early;
      yield* late;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["early", "late"]);
});

Deno.test("Event.wait() cancelled leaves the waiter list", async () => {
  const event = new Event();
  await run(function* () {
    const waiter = createTask(event.wait());
    yield* sleep(0);
    waiter.cancel();
    yield* sleep(0);
    assert.equal(waiter.cancelled(), true);
    assert.equal(String(event), "<Event [unset]>");
    // Woken and cancelled before it runs: still cancelled, nothing lost.
    const other = createTask(event.wait());
    yield* sleep(0);
    event.set();
    other.cancel();
    yield* sleep(0);
    assert.ok(other.cancelled());
    assert.throws(() => other.result(), CancelledError);
  }());
});

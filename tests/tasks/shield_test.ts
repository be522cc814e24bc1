import assert from "node:assert/strict";
import { CancelledError } from "../../eventloop/mod.ts";
import { type Coroutine, createTask, shield, sleep } from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

Deno.test("shield() keeps the inner task running when the waiter is cancelled", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const inner = createTask(function* () {
      yield* sleep(5);
      log.push(`inner done at ${now()}`);
      return 7;
    }());
    const waiter = createTask(function* () {
      return yield* shield(inner);
    }());
    yield* sleep(1);
    waiter.cancel();
    const error = yield* caught(function* () {
      yield* waiter;
    }());
    assert.ok(error instanceof CancelledError);
    log.push(`waiter cancelled at ${now()}`);
    assert.equal(yield* inner, 7);
  });
  assert.deepEqual(log, ["waiter cancelled at 1", "inner done at 5"]);
});

Deno.test("shield() passes on the inner result and error", async () => {
  await runClean(function* () {
    assert.equal(yield* shield(sleep(1, "value")), "value");
    const error = yield* caught(function* () {
      yield* shield(function* (): Coroutine<void> {
        yield* sleep(1);
        throw new RangeError("inner failed");
      }());
    }());
    assert.ok(error instanceof RangeError);
  });
});

Deno.test("shield() is cancelled when the inner future is cancelled", async () => {
  await runClean(function* () {
    const inner = createTask(sleep(5));
    const outer = shield(inner);
    yield* sleep(1);
    inner.cancel();
    yield* sleep(0);
    yield* sleep(0);
    assert.ok(outer.cancelled());
  });
});

Deno.test("shield() of a done future returns it as it is", async () => {
  await runClean(function* () {
    const task = createTask(sleep(0, 1));
    yield* task;
    assert.equal(shield(task), task);
  });
});

Deno.test("shield() rejects what is not awaitable", async () => {
  await runClean(function* () {
    assert.throws(() => shield(3 as never), TypeError);
    yield;
  });
});

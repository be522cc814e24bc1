import assert from "node:assert/strict";
import {
  CancelledError,
  Future,
  getRunningLoop,
  run,
} from "../../eventloop/mod.ts";
import {
  createTask,
  ensureFuture,
  fromPromise,
  sleep,
} from "../../tasks/mod.ts";
import { caught } from "./_combinators.ts";

Deno.test("fromPromise() gives the promise's value to a coroutine", async () => {
  const value = await run(function* () {
    return yield* fromPromise(
      new Promise<number>((resolve) => setTimeout(() => resolve(5), 5)),
    );
  }());
  assert.equal(value, 5);
});

Deno.test("fromPromise() turns a rejection into the future's error", async () => {
  const error = await run(function* () {
    return yield* caught(fromPromise(Promise.reject(new URIError("bad uri"))));
  }());
  assert.ok(error instanceof URIError);
  assert.equal(error.message, "bad uri");
});

Deno.test("fromPromise() with a function aborts its signal when cancelled", async () => {
  let reason: unknown;
  await run(function* () {
    const task = createTask(function* () {
      return yield* fromPromise((signal) =>
        new Promise<never>((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            reason = signal.reason;
            reject(signal.reason);
          });
        })
      );
    }());
    yield* sleep(0);
    task.cancel("stop the request");
    assert.ok((yield* caught(task)) instanceof CancelledError);
  }());
  assert.ok(reason instanceof CancelledError);
  assert.equal((reason as CancelledError).message, "stop the request");
});

Deno.test("fromPromise() aborts a given controller when cancelled", async () => {
  const controller = new AbortController();
  await run(function* () {
    const fut = fromPromise(new Promise<void>(() => {}), { controller });
    fut.cancel();
    yield* sleep(0);
  }());
  assert.ok(controller.signal.aborted);
});

Deno.test("fromPromise() is cancelled when a given signal aborts", async () => {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await run(function* () {
    const fut = fromPromise(
      new Promise<void>((resolve) => timer = setTimeout(resolve, 10)),
      { signal: controller.signal },
    );
    getRunningLoop().callSoon(() => controller.abort("user gave up"));
    try {
      yield* fut;
      assert.fail("expected CancelledError");
    } catch (error) {
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, "user gave up");
    }
  }());
  clearTimeout(timer);
  const aborted = AbortSignal.abort("already");
  await run(function* () {
    const fut = fromPromise(Promise.resolve(1), { signal: aborted });
    assert.ok(fut.cancelled());
    yield* sleep(0);
  }());
});

Deno.test("fromPromise() keeps a virtual clock from jumping past the promise", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const loop = getRunningLoop();
      createTask(function* () {
        yield* sleep(60);
        log.push(`timer at ${loop.time()}`);
      }());
      const value = yield* fromPromise(
        new Promise<string>((resolve) => setTimeout(() => resolve("io"), 20)),
      );
      log.push(`${value} at ${loop.time()}`);
      yield* sleep(120);
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["io at 0", "timer at 60"]);
});

Deno.test("fromPromise() refuses what is not a promise", async () => {
  await run(function* () {
    // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
    assert.throws(() => fromPromise(42 as any), {
      name: "TypeError",
      message: /expected a Promise.*received 42/,
    });
    // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
    assert.throws(() => fromPromise((() => 1) as any), TypeError);
    yield;
  }());
  assert.throws(() => fromPromise(Promise.resolve()), /no running event loop/);
});

Deno.test("ensureFuture() wraps coroutines, promises, and passes futures through", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const fut = loop.createFuture<number>();
    assert.equal(ensureFuture(fut), fut);
    const task = ensureFuture(function* () {
      return 1;
    }());
    assert.ok(task instanceof Future);
    const fromP = ensureFuture(Promise.resolve(2));
    fut.setResult(3);
    assert.equal((yield* task) + (yield* fromP) + (yield* fut), 6);
    // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
    assert.throws(() => ensureFuture(7 as any), {
      name: "TypeError",
      message: /expected a Future, a coroutine or a PromiseLike/,
    });
  }());
});

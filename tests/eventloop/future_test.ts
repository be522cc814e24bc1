import assert from "node:assert/strict";
import {
  CancelledError,
  Future,
  getRunningLoop,
  InvalidStateError,
  newEventLoop,
  run,
  setEventLoop,
} from "../../eventloop/mod.ts";
import { Task } from "../../tasks/mod.ts";

Deno.test("Future starts pending and refuses to give a result", () => {
  const loop = newEventLoop();
  const fut = loop.createFuture<number>();
  assert.equal(fut.done(), false);
  assert.equal(fut.cancelled(), false);
  assert.equal(fut.getLoop(), loop);
  assert.throws(() => fut.result(), InvalidStateError);
  assert.throws(() => fut.exception(), InvalidStateError);
  assert.equal(fut.toString(), "<Future pending>");
  loop.close();
});

Deno.test("Future.setResult() finishes it once", () => {
  const loop = newEventLoop();
  const fut = loop.createFuture<number>();
  fut.setResult(42);
  assert.ok(fut.done());
  assert.equal(fut.result(), 42);
  assert.equal(fut.exception(), undefined);
  assert.equal(fut.toString(), "<Future finished result=42>");
  assert.throws(() => fut.setResult(1), InvalidStateError);
  assert.throws(() => fut.setException(new Error()), InvalidStateError);
  assert.equal(fut.cancel(), false);
  assert.equal(fut.result(), 42);
  loop.close();
});

Deno.test("Future.setException() makes result() throw it", () => {
  const loop = newEventLoop();
  const fut = loop.createFuture<number>();
  const error = new RangeError("nope");
  fut.setException(error);
  assert.ok(fut.done());
  assert.equal(fut.exception(), error);
  assert.throws(() => fut.result(), (e) => e === error);
  assert.throws(() => fut.setResult(1), InvalidStateError);
  assert.throws(() => loop.createFuture().setException(undefined), TypeError);
  loop.close();
});

Deno.test("Future.cancel() cancels a pending future with its message", () => {
  const loop = newEventLoop();
  const fut = loop.createFuture();
  assert.equal(fut.cancel("stop it"), true);
  assert.ok(fut.done());
  assert.ok(fut.cancelled());
  assert.throws(() => fut.result(), (e) => {
    assert.ok(e instanceof CancelledError);
    assert.equal(e.message, "stop it");
    return true;
  });
  assert.throws(() => fut.exception(), CancelledError);
  assert.equal(fut.cancel(), false);
  assert.throws(() => fut.setResult(1), InvalidStateError);
  loop.close();
});

Deno.test("Future done-callbacks are scheduled with callSoon, never called inline", async () => {
  const loop = newEventLoop();
  const fut = loop.createFuture<string>();
  const log: string[] = [];
  fut.addDoneCallback((f) => log.push(`first ${f.result()}`));
  fut.addDoneCallback((f) => log.push(`second ${f.result()}`));
  loop.callSoon(() => {
    fut.setResult("x");
    log.push("after setResult");
    loop.callSoon(() => log.push("scheduled after setResult"));
    // Already done: the callback is still scheduled, not called.
    fut.addDoneCallback(() => {
      log.push("late");
      loop.stop();
    });
    log.push("after late add");
  });
  await loop.runForever();
  assert.deepEqual(log, [
    "after setResult",
    "after late add",
    "first x",
    "second x",
    "scheduled after setResult",
    "late",
  ]);
  loop.close();
});

Deno.test("Future.removeDoneCallback() removes every registration", async () => {
  const loop = newEventLoop();
  const fut = loop.createFuture();
  const log: string[] = [];
  const cb = () => log.push("cb");
  fut.addDoneCallback(cb);
  fut.addDoneCallback(() => log.push("other"));
  fut.addDoneCallback(cb);
  assert.equal(fut.removeDoneCallback(cb), 2);
  assert.equal(fut.removeDoneCallback(cb), 0);
  fut.cancel();
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.deepEqual(log, ["other"]);
  assert.throws(
    // deno-lint-ignore no-explicit-any -- passes what the types refuse, on purpose
    () => fut.addDoneCallback(5 as any),
    { name: "TypeError", message: /'callback' must be a function/ },
  );
  loop.close();
});

Deno.test("Future is awaitable from plain async code while its loop runs", async () => {
  const loop = newEventLoop();
  const fut = loop.createFuture<number>();
  const failing = loop.createFuture<number>();
  loop.callLater(0.001, () => fut.setResult(7));
  loop.callLater(0.002, () => failing.setException(new Error("bad")));
  const running = loop.runForever();
  assert.equal(await fut, 7);
  await assert.rejects(async () => await failing, /bad/);
  // Stopped from plain code only once both settled: a timer-driven stop
  // could land in the same pass as the results, before their callbacks run.
  loop.stop();
  await running;
  // A done future settles at once, even with the loop stopped.
  assert.equal(await fut, 7);
  const cancelled = loop.createFuture();
  cancelled.cancel("gone");
  await assert.rejects(async () => await cancelled, CancelledError);
  loop.close();
});

Deno.test("Future is iterable with yield*: it gives its result or throws its error", async () => {
  const result = await run(
    function* () {
      const loop = getRunningLoop();
      const a = loop.createFuture<number>();
      const b = loop.createFuture<number>();
      loop.callLater(0.01, () => a.setResult(1));
      loop.callLater(0.02, () => b.setException(new TypeError("b failed")));
      const x = yield* a;
      try {
        yield* b;
      } catch (error) {
        return `${x} ${(error as Error).message} at ${loop.time()}`;
      }
      return "unreachable";
    }(),
    { virtualTime: true },
  );
  assert.equal(result, "1 b failed at 0.02");
});

Deno.test("Future iterator outside a task refuses to resume while pending", () => {
  const loop = newEventLoop();
  const fut = loop.createFuture();
  const it = fut[Symbol.iterator]();
  assert.deepEqual(it.next(), { done: false, value: fut });
  assert.throws(() => it.next(), /only be waited for inside a Task/);
  loop.close();
});

Deno.test("Future without a loop uses the current loop, else says there is none", () => {
  assert.throws(() => new Future(), /There is no current event loop/);
  const loop = newEventLoop();
  setEventLoop(loop);
  try {
    assert.equal(new Future().getLoop(), loop);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("new Future(42) and new Future(loop) are TypeErrors, not a silent bind to the current loop", () => {
  const current = newEventLoop();
  const other = newEventLoop();
  setEventLoop(current);
  try {
    // deno-lint-ignore no-explicit-any -- the wrong calls on purpose
    const AnyFuture = Future as any;
    assert.throws(
      () => new AnyFuture(42),
      /^TypeError: Cannot create Future as its options must be an object such as \{ loop \}: received 42$/,
    );
    assert.throws(() => new AnyFuture(null), /received null/);
    assert.throws(
      () => new AnyFuture(other),
      /^TypeError: Cannot create Future from a loop given positionally \(asyncio's old Future\(loop\)\): pass it as an option, new Future\(\{ loop \}\), or call loop\.createFuture\(\)$/,
    );
    assert.throws(
      () => new AnyFuture({ loop: 3 }),
      /^TypeError: Cannot create Future as 'loop' must be an EventLoop: received 3$/,
    );
    // deno-lint-ignore no-explicit-any -- the wrong call on purpose
    const AnyTask = Task as any;
    assert.throws(
      () => new AnyTask(function* () {}(), other),
      /^TypeError: Cannot create Task from a loop given positionally \(asyncio's old Task\(coro, loop\)\): pass it as an option, new Task\(coro, \{ loop \}\), or call loop\.createTask\(coro\)$/,
    );
    // The right forms.
    assert.equal(new Future({ loop: other }).getLoop(), other);
    assert.equal(new Future().getLoop(), current);
    assert.equal(new Future({}).getLoop(), current);
  } finally {
    setEventLoop(null);
    current.close();
    other.close();
  }
});

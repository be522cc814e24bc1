// AbortSignal interop: createTask({ signal }), Task.signal, and fetch / child
// processes stopping with their task.

import assert from "node:assert/strict";
import { CancelledError, run } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  currentTask,
  fromPromise,
  sleep,
  taskGroup,
  timeout,
} from "../../tasks/mod.ts";
import { caught, runClean } from "./_combinators.ts";

Deno.test("createTask({ signal }) cancels the task when the signal aborts", async () => {
  const log: string[] = [];
  const controller = new AbortController();
  await runClean(function* () {
    const task = createTask(
      function* () {
        try {
          yield* sleep(10);
        } finally {
          log.push("finally ran");
        }
      }(),
      { signal: controller.signal },
    );
    yield* sleep(1);
    controller.abort(new Error("user left"));
    const error = yield* caught(task);
    assert.ok(error instanceof CancelledError);
    assert.equal(error.message, "user left");
    assert.ok(task.cancelled());
  });
  assert.deepEqual(log, ["finally ran"]);
});

Deno.test("createTask({ signal }) with an aborted signal cancels before the first step", async () => {
  let ran = false;
  await runClean(function* () {
    const task = createTask(
      function* () {
        ran = true;
        yield;
      }(),
      { signal: AbortSignal.abort("too late") },
    );
    assert.ok((yield* caught(task)) instanceof CancelledError);
  });
  assert.equal(ran, false);
});

Deno.test("createTask({ signal }) removes its listener when the task is done", async () => {
  const controller = new AbortController();
  const signal = controller.signal;
  let added = 0;
  let removed = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    added++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    removed++;
    remove(...args);
  }) as typeof remove;
  await runClean(function* () {
    const task = createTask(sleep(1, "done"), { signal });
    assert.equal(yield* task, "done");
    yield;
  });
  assert.equal(added, 1);
  assert.equal(removed, 1);
  controller.abort(); // nothing happens to the finished task
});

Deno.test("createTask({ signal }) rejects what is not an AbortSignal", async () => {
  await runClean(function* () {
    const coro = sleep(0);
    assert.throws(() => createTask(coro, { signal: {} as never }), {
      name: "TypeError",
      message: /createTask\(\)'s 'signal' must be an AbortSignal: received /,
    });
    yield;
  });
});

Deno.test("TaskGroup.createTask({ signal }) cancels that child only", async () => {
  await runClean(function* () {
    const controller = new AbortController();
    const result = yield* taskGroup(function* (tg) {
      const child = tg.createTask(sleep(10), { signal: controller.signal });
      const other = tg.createTask(sleep(2, "other"));
      yield* sleep(1);
      controller.abort();
      yield* sleep(0);
      yield* sleep(0);
      assert.ok(child.cancelled());
      return other;
    });
    assert.equal(result.result(), "other");
  });
});

Deno.test("Task.signal aborts when the task is done", async (t) => {
  await t.step("with a CancelledError when it was cancelled", async () => {
    await runClean(function* () {
      const task = createTask(sleep(10));
      const signal = task.signal;
      assert.equal(task.signal, signal);
      yield* sleep(1);
      task.cancel("stop");
      // A request alone does not abort: it could be taken back.
      assert.equal(signal.aborted, false);
      yield* caught(task);
      assert.equal(signal.aborted, true);
      assert.ok(signal.reason instanceof CancelledError);
      assert.equal(signal.reason.message, "stop");
    });
  });

  await t.step("with an AbortError when it finished or failed", async () => {
    await runClean(function* () {
      const ok = createTask(sleep(1));
      const bad = createTask(function* (): Coroutine<void> {
        yield* sleep(1);
        throw new Error("x");
      }());
      const signals = [ok.signal, bad.signal];
      yield* ok;
      yield* caught(bad);
      yield;
      for (const signal of signals) {
        assert.equal(signal.aborted, true);
        assert.equal((signal.reason as DOMException).name, "AbortError");
      }
    });
  });

  await t.step("already aborted when read after the task is done", async () => {
    await runClean(function* () {
      const task = createTask(sleep(0));
      yield* task;
      assert.equal(task.signal.aborted, true);
    });
  });

  await t.step("not aborted by a timeout the task survives", async () => {
    await runClean(function* () {
      const signal = currentTask()!.signal;
      yield* caught(timeout(1, sleep(5)));
      yield;
      assert.equal(signal.aborted, false);
    });
  });
});

Deno.test("a fetch inside a task stops when the task is cancelled", async () => {
  let requestAborted: () => void;
  const aborted = new Promise<void>((resolve) => requestAborted = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      // Answers only once the client has gone away.
      new Promise<Response>((resolve) => {
        request.signal.addEventListener("abort", () => {
          requestAborted();
          resolve(new Response("too late"));
        });
      }),
  );
  try {
    const { port } = server.addr;
    const outcome = await run(function* () {
      const task = createTask(function* () {
        const response = yield* fromPromise((signal) =>
          fetch(`http://127.0.0.1:${port}/`, { signal })
        );
        return response.status;
      }());
      yield* sleep(0.05);
      task.cancel();
      try {
        yield* task;
        return "finished";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled" : String(error);
      }
    });
    assert.equal(outcome, "cancelled");
    await aborted; // the server saw the request go away
  } finally {
    await server.shutdown();
  }
});

Deno.test("a child process given the task's signal is killed when the task is cancelled", async () => {
  let child: Deno.ChildProcess | undefined;
  await run(function* () {
    const task = createTask(function* () {
      const signal = currentTask()!.signal;
      child = new Deno.Command("sleep", {
        args: ["30"],
        signal,
        stdout: "null",
        stderr: "null",
      }).spawn();
      yield* fromPromise(child.status);
    }());
    yield* sleep(0.05);
    task.cancel();
    assert.ok((yield* caught(task)) instanceof CancelledError);
  });
  const status = await child!.status;
  assert.equal(status.success, false);
  assert.equal(status.signal, "SIGTERM");
});

Deno.test("fromPromise({ signal }) is cancelled with the abort reason's message", async () => {
  let settle!: () => void;
  const pending = new Promise<void>((resolve) => settle = resolve);
  await runClean(function* () {
    const controller = new AbortController();
    const fut = fromPromise(pending, { signal: controller.signal });
    controller.abort(new Error("no longer wanted"));
    const error = yield* caught(fut);
    assert.ok(error instanceof CancelledError);
    assert.equal(error.message, "no longer wanted");
    settle();
  });
});

Deno.test("fromPromise({ signal: task.signal }) stops waiting when that task is done", async () => {
  let settle!: () => void;
  const pending = new Promise<void>((resolve) => settle = resolve);
  await runClean(function* () {
    const owner = createTask(sleep(0));
    const fut = fromPromise(pending, { signal: owner.signal });
    yield* owner;
    assert.ok(fut.cancelled());
    settle();
  });
});

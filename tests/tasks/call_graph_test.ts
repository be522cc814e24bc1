import assert from "node:assert/strict";
import { getRunningLoop, newEventLoop, run } from "../../eventloop/mod.ts";
import {
  captureCallGraph,
  createTask,
  dumpTasks,
  formatCallGraph,
  gather,
  printCallGraph,
  sleep,
  type Task,
  taskGroup,
} from "../../tasks/mod.ts";

Deno.test("captureCallGraph() follows nested tasks down and waiters up", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const gate = loop.createFuture<void>();
    const leaf = createTask(
      function* () {
        yield* gate;
      }(),
      { name: "leaf" },
    );
    const middle = createTask(
      function* () {
        yield* leaf;
      }(),
      { name: "middle" },
    );
    const top = createTask(
      function* () {
        yield* middle;
      }(),
      { name: "top" },
    );
    const sibling = createTask(
      function* () {
        yield* leaf;
      }(),
      { name: "sibling" },
    );
    yield* sleep(0);

    {
      // the chain downwards
      const graph = captureCallGraph(top)!;
      assert.equal(graph.future, top);
      assert.deepEqual(graph.awaits, [middle, leaf, gate]);
      assert.deepEqual(graph.awaitedBy, []);
      assert.equal(top.waitingOn(), middle);
    }

    {
      // the waiters upwards, as a tree
      const graph = captureCallGraph(leaf)!;
      assert.deepEqual(graph.awaits, [gate]);
      assert.equal(graph.awaitedBy.length, 2);
      assert.equal(graph.awaitedBy[0].task, middle);
      assert.equal(graph.awaitedBy[0].awaitedBy[0].task, top);
      assert.equal(graph.awaitedBy[1].task, sibling);
      assert.deepEqual(graph.awaitedBy[1].awaitedBy, []);
    }

    {
      // formatted
      assert.equal(
        formatCallGraph(leaf),
        [
          "Task 'leaf' (pending)",
          "└─ awaits Future (pending)",
          "awaited by:",
          "├─ Task 'middle' (pending)",
          "│  └─ Task 'top' (pending)",
          "└─ Task 'sibling' (pending)",
        ].join("\n"),
      );
      let printed = "";
      printCallGraph(top, { write: (text) => printed = text });
      assert.equal(
        printed,
        [
          "Task 'top' (pending)",
          "└─ awaits Task 'middle' (pending)",
          "   └─ awaits Task 'leaf' (pending)",
          "      └─ awaits Future (pending)",
        ].join("\n"),
      );
    }

    {
      // limit cuts the chain
      assert.deepEqual(captureCallGraph(top, { limit: 1 })!.awaits, [middle]);
      assert.deepEqual(captureCallGraph(leaf, { limit: 0 })!.awaitedBy, []);
    }

    gate.setResult();
    yield* top;
    yield* sibling;

    {
      // a done task waits on nothing
      const graph = captureCallGraph(top)!;
      assert.deepEqual(graph.awaits, []);
      assert.equal(formatCallGraph(top), "Task 'top' (finished)");
      assert.equal(top.waitingOn(), null);
    }
  }());
});

Deno.test("captureCallGraph() defaults to the current task", async () => {
  assert.equal(captureCallGraph(), null);
  assert.equal(formatCallGraph(), "");
  const text = await run(function* () {
    yield* sleep(0);
    return formatCallGraph();
  }());
  assert.match(text, /^Task 'Task-\d+' \(pending\)$/);
});

Deno.test("captureCallGraph(), printCallGraph() and dumpTasks() refuse bad input", () => {
  assert.throws(
    // @ts-expect-error: not a future on purpose
    () => captureCallGraph(42),
    /^TypeError: captureCallGraph\(\)'s 'future' must be a Future or a Task: received 42$/,
  );
  const loop = newEventLoop();
  const fut = loop.createFuture();
  assert.throws(
    () => captureCallGraph(fut, { limit: -1 }),
    /^RangeError: The call graph's 'limit' must be a non-negative integer: received -1$/,
  );
  assert.throws(
    // @ts-expect-error: not a function on purpose
    () => printCallGraph(fut, { write: "stdout" }),
    /printCallGraph\(\)'s 'write' must be a function: received "stdout"/,
  );
  loop.close();
});

Deno.test("dumpTasks() lists every live task with its state and what it waits on", async (t) => {
  await t.step("running, waiting, ready to run", async () => {
    const text = await run(
      function* () {
        const loop = getRunningLoop();
        const never = loop.createFuture();
        const stuck = createTask(
          function* () {
            yield* never;
          }(),
          { name: "stuck" },
        );
        createTask(
          function* () {
            yield* stuck;
          }(),
          { name: "on-stuck" },
        );
        yield* sleep(0);
        createTask(sleep(1), { name: "fresh" });
        let text = "";
        dumpTasks({ write: (t) => text = t });
        stuck.cancel();
        return text;
      }(),
      { virtualTime: true },
    );
    const lines = text.split("\n");
    assert.equal(lines[0], "4 tasks not done:");
    assert.match(lines[1], /^- Task 'Task-\d+' \(pending\): running$/);
    assert.deepEqual(lines.slice(2), [
      "- Task 'stuck' (pending): waiting",
      "  └─ awaits Future (pending)",
      "- Task 'on-stuck' (pending): waiting",
      "  └─ awaits Task 'stuck' (pending)",
      "     └─ awaits Future (pending)",
      "- Task 'fresh' (pending): ready to run",
    ]);
  });

  await t.step("in debug mode, where each task was created", async () => {
    const text = await run(
      function* () {
        createTask(sleep(5), { name: "sleeper" });
        yield* sleep(0);
        return dumpTasks({ write: () => {} });
      }(),
      { virtualTime: true, debug: true },
    );
    assert.match(
      text,
      /- Task 'sleeper' \(pending\): waiting\n {2}└─ awaits Future \(pending\)\n {2}created at .*call_graph_test\.ts:\d+:\d+/,
    );
  });

  await t.step("from outside the loop, with the loop given", () => {
    const loop = newEventLoop();
    loop.createTask(sleep(1), { name: "queued" });
    const lines: string[] = [];
    dumpTasks({ loop, write: (text) => lines.push(text) });
    assert.deepEqual(lines, [
      "1 task not done:\n- Task 'queued' (pending): ready to run",
    ]);
    loop.close();
  });
});

Deno.test("call graphs fan out through taskGroup() and gather()", async (t) => {
  await t.step("a task group's tasks, each with what it waits on", async () => {
    const text = await run(
      function* () {
        const loop = getRunningLoop();
        const gate = loop.createFuture<void>();
        let text = "";
        const main = createTask(
          function* () {
            yield* taskGroup(function* (tg) {
              tg.createTask(
                function* () {
                  yield* gate;
                }(),
                { name: "a" },
              );
              tg.createTask(
                function* () {
                  yield* sleep(5);
                }(),
                { name: "b" },
              );
            });
          }(),
          { name: "main" },
        );
        yield* sleep(1);
        text = formatCallGraph(main);
        const graph = captureCallGraph(main)!;
        assert.equal(graph.awaitsAll.length, 2);
        assert.deepEqual(
          graph.awaitsAll.map((n) => (n.future as Task<unknown>).getName()),
          ["a", "b"],
        );
        gate.setResult();
        yield* main;
        return text;
      }(),
      { virtualTime: true },
    );
    assert.equal(
      text,
      [
        "Task 'main' (pending)",
        "└─ awaits TaskGroup (pending), waiting for:",
        "   ├─ Task 'a' (pending)",
        "   │  └─ awaits Future (pending)",
        "   └─ Task 'b' (pending)",
        "      └─ awaits Future (pending)",
      ].join("\n"),
    );
  });

  await t.step("gather()'s children, done or not", async () => {
    const text = await run(
      function* () {
        const quick = createTask(sleep(1), { name: "quick" });
        const slow = createTask(sleep(9), { name: "slow" });
        const main = createTask(
          function* () {
            yield* gather([quick, slow]);
          }(),
          { name: "main" },
        );
        yield* sleep(2);
        let text = "";
        dumpTasks({ write: (t) => text = t });
        yield* main;
        return text;
      }(),
      { virtualTime: true },
    );
    assert.match(
      text,
      new RegExp(
        [
          "- Task 'main' \\(pending\\): waiting",
          "  └─ awaits gather\\(\\) \\(pending\\), waiting for:",
          "     ├─ Task 'quick' \\(finished\\)",
          "     └─ Task 'slow' \\(pending\\)",
          "        └─ awaits Future \\(pending\\)",
        ].join("\\n"),
      ),
    );
  });
});

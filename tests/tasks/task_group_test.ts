import assert from "node:assert/strict";
import {
  CancelledError,
  type EventLoop,
  getRunningLoop,
  type TaskFactoryOptions,
  TimeoutError,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  currentTask,
  ExceptionGroup,
  sleep,
  Task,
  TaskGroup,
  taskGroup,
  timeout,
} from "../../tasks/mod.ts";
import { caught, now, runClean } from "./_combinators.ts";

function* failLater(delay: number, message: string): Coroutine<never> {
  yield* sleep(delay);
  throw new Error(message);
}

function* logged(
  log: string[],
  name: string,
  delay: number,
): Coroutine<string> {
  try {
    yield* sleep(delay);
    log.push(`${name} finished at ${now()}`);
    return name;
  } catch (error) {
    log.push(`${name} got ${(error as Error).name} at ${now()}`);
    throw error;
  }
}

Deno.test("taskGroup() returns the body's result once every child is done", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const result = yield* taskGroup(function* (tg) {
      tg.createTask(logged(log, "a", 3));
      tg.createTask(logged(log, "b", 1));
      log.push("body done");
      return "body result";
    });
    log.push(`group done at ${now()}`);
    assert.equal(result, "body result");
  });
  assert.deepEqual(log, [
    "body done",
    "b finished at 1",
    "a finished at 3",
    "group done at 3",
  ]);
});

Deno.test("taskGroup(): children can start more children while it waits", async () => {
  await runClean(function* () {
    const names: string[] = [];
    yield* taskGroup(function* (tg) {
      tg.createTask(function* () {
        yield* sleep(1);
        tg.createTask(function* () {
          yield* sleep(1);
          names.push("grandchild");
        }());
      }());
    });
    assert.deepEqual(names, ["grandchild"]);
    assert.equal(now(), 2);
  });
});

Deno.test("taskGroup(): the first child failure cancels the other children and the body", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const error = yield* caught(taskGroup(function* (tg) {
      tg.createTask(logged(log, "sibling", 10));
      tg.createTask(failLater(1, "child failed"));
      try {
        yield* sleep(10);
      } catch (e) {
        log.push(`body got ${(e as Error).name} at ${now()}`);
        throw e;
      }
    }));
    assert.ok(error instanceof ExceptionGroup);
    assert.ok(error instanceof AggregateError);
    assert.equal(error.message, "unhandled errors in a TaskGroup");
    assert.deepEqual(error.errors.map((e) => (e as Error).message), [
      "child failed",
    ]);
    // The cancellation the group sent its own task was taken back.
    assert.equal(currentTask()!.cancelling(), 0);
  });
  assert.deepEqual(log, [
    "sibling got CancelledError at 1",
    "body got CancelledError at 1",
  ]);
});

Deno.test("taskGroup(): children failing together are thrown together", async () => {
  await runClean(function* () {
    const error = yield* caught(taskGroup(function* (tg) {
      tg.createTask(failLater(1, "one"));
      tg.createTask(failLater(1, "two"));
      tg.createTask(sleep(5));
    }));
    assert.ok(error instanceof ExceptionGroup);
    assert.deepEqual(
      error.errors.map((e) => (e as Error).message).sort(),
      ["one", "two"],
    );
  });
});

Deno.test("taskGroup(): a child that catches its cancellation and fails joins the group", async () => {
  await runClean(function* () {
    const error = yield* caught(taskGroup(function* (tg) {
      tg.createTask(function* () {
        try {
          yield* sleep(5);
        } catch {
          throw new Error("failed while cancelled");
        }
      }());
      tg.createTask(failLater(1, "first"));
    }));
    assert.ok(error instanceof ExceptionGroup);
    assert.deepEqual(error.errors.map((e) => (e as Error).message), [
      "first",
      "failed while cancelled",
    ]);
  });
});

Deno.test("taskGroup(): the body's own error cancels the children and joins the group", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const error = yield* caught(taskGroup(function* (tg): Coroutine<void> {
      tg.createTask(logged(log, "child", 5));
      yield* sleep(1);
      throw new RangeError("body failed");
    }));
    assert.ok(error instanceof ExceptionGroup);
    assert.equal(error.errors.length, 1);
    assert.ok(error.errors[0] instanceof RangeError);
  });
  assert.deepEqual(log, ["child got CancelledError at 1"]);
});

Deno.test("taskGroup(): a child cancelled on its own does not fail the group", async () => {
  await runClean(function* () {
    const result = yield* taskGroup(function* (tg) {
      const child = tg.createTask(sleep(5));
      const other = tg.createTask(sleep(2, "other"));
      yield* sleep(1);
      child.cancel();
      return other;
    });
    assert.equal(result.result(), "other");
  });
});

Deno.test("taskGroup(): a cancellation from outside", async (t) => {
  await t.step(
    "cancels the children and propagates once they are done",
    async () => {
      const log: string[] = [];
      await runClean(function* () {
        const task = createTask(taskGroup(function* (tg) {
          tg.createTask(function* () {
            try {
              yield* sleep(10);
            } finally {
              yield* sleep(2); // cleanup takes time
              log.push(`child cleaned up at ${now()}`);
            }
          }());
          yield* sleep(10);
        }));
        yield* sleep(1);
        task.cancel();
        const error = yield* caught(task);
        log.push(`group cancelled at ${now()}`);
        assert.ok(error instanceof CancelledError);
        assert.ok(task.cancelled());
      });
      assert.deepEqual(log, ["child cleaned up at 3", "group cancelled at 3"]);
    },
  );

  await t.step(
    "while the group waits for its children after the body",
    async () => {
      await runClean(function* () {
        let child: Task<void> | undefined;
        const task = createTask(taskGroup(function* (tg) {
          child = tg.createTask(sleep(10));
          yield; // the body ends at once; the group then waits for the child
        }));
        yield* sleep(1);
        task.cancel();
        assert.ok((yield* caught(task)) instanceof CancelledError);
        assert.ok(child!.cancelled());
      });
    },
  );

  await t.step(
    "twice in a row still ends with one CancelledError",
    async () => {
      await runClean(function* () {
        const task = createTask(taskGroup(function* (tg) {
          tg.createTask(function* () {
            try {
              yield* sleep(10);
            } finally {
              yield* sleep(1);
            }
          }());
          yield* sleep(10);
        }));
        yield* sleep(1);
        task.cancel();
        yield* sleep(0.5); // the group is waiting for the child's cleanup
        task.cancel();
        assert.ok((yield* caught(task)) instanceof CancelledError);
        assert.equal(task.cancelling(), 2);
      });
    },
  );

  await t.step(
    "before the task's first step: the body never runs",
    async () => {
      let ran = false;
      await runClean(function* () {
        const task = createTask(taskGroup(function* () {
          ran = true;
          yield;
        }));
        task.cancel();
        assert.ok((yield* caught(task)) instanceof CancelledError);
      });
      assert.equal(ran, false);
    },
  );

  await t.step("during a child's cleanup in finally", async () => {
    const log: string[] = [];
    await runClean(function* () {
      const task = createTask(function* () {
        try {
          yield* taskGroup(function* (tg) {
            tg.createTask(function* () {
              try {
                yield* sleep(10);
              } finally {
                log.push("cleanup started");
                yield* sleep(5);
                log.push("cleanup finished");
              }
            }());
            tg.createTask(failLater(1, "trigger"));
          });
          assert.fail("the group should have thrown");
        } catch (error) {
          // The child failure wins over the outside cancellation...
          log.push(`group threw ${(error as Error).name} at ${now()}`);
          assert.equal(currentTask()!.cancelling(), 1);
        }
        // ...and the outside cancellation is delivered at the next suspension.
        yield* sleep(1);
        log.push("not reached");
      }());
      yield* sleep(2); // the failing child has cancelled its sibling
      task.cancel();
      assert.ok((yield* caught(task)) instanceof CancelledError);
      assert.equal(now(), 6);
    });
    assert.deepEqual(log, [
      "cleanup started",
      "cleanup finished",
      "group threw ExceptionGroup at 6",
    ]);
  });
});

Deno.test("taskGroup(): a cancel from outside in the same pass as a child's wake-up wins", async () => {
  await runClean(function* () {
    let child: Task<never> | undefined;
    const outcome = createTask(function* () {
      const me = currentTask()!;
      try {
        yield* taskGroup(function* (tg) {
          // This timer is older than the child's, so at time 1 the cancel
          // comes first; the group then cancels the child before its step
          // that would have thrown.
          me.getLoop().callAt(1, () => me.cancel());
          child = tg.createTask(failLater(1, "boom"));
          yield* sleep(10);
        });
      } catch (error) {
        return [(error as Error).name, me.cancelling()];
      }
    }());
    assert.deepEqual(yield* outcome, ["CancelledError", 1]);
    assert.ok(child!.cancelled());
  });
});

Deno.test("createTask() on a group that is not running is an error", async (t) => {
  await t.step("before it runs", () => {
    const tg = new TaskGroup();
    let started = false;
    const coro = function* () {
      started = true;
      yield;
    }();
    assert.throws(() => tg.createTask(coro), {
      message: "TaskGroup has not been entered",
    });
    // The coroutine was closed without running.
    assert.equal(coro.next().done, true);
    assert.equal(started, false);
  });

  await t.step("after it finished", async () => {
    await runClean(function* () {
      const tg = new TaskGroup();
      yield* tg.run(function* () {});
      assert.throws(() => tg.createTask(sleep(1)), {
        message: "TaskGroup is finished",
      });
    });
  });

  await t.step("while it shuts down after a failure", async () => {
    await runClean(function* () {
      let refused: unknown;
      const error = yield* caught(taskGroup(function* (tg) {
        tg.createTask(failLater(1, "boom"));
        tg.createTask(function* () {
          try {
            yield* sleep(10);
          } finally {
            try {
              tg.createTask(sleep(1));
            } catch (e) {
              refused = e;
            }
          }
        }());
      }));
      assert.ok(error instanceof ExceptionGroup);
      assert.equal((refused as Error).message, "TaskGroup is shutting down");
    });
  });

  await t.step("a group runs once", async () => {
    await runClean(function* () {
      const tg = new TaskGroup();
      yield* tg.run(function* () {});
      const error = yield* caught(tg.run(function* () {}));
      assert.equal(
        (error as Error).message,
        "TaskGroup has already been entered",
      );
    });
  });
});

Deno.test("taskGroup() rejects bad arguments with TypeError", async () => {
  assert.throws(() => taskGroup(5 as never), {
    name: "TypeError",
    message: /'body' must be a function \(tg\) => coroutine: received 5/,
  });
  await runClean(function* () {
    const error = yield* caught(taskGroup((() => 1) as never));
    assert.ok(error instanceof ExceptionGroup);
    assert.ok(error.errors[0] instanceof TypeError);
    yield* taskGroup(function* (tg) {
      assert.throws(() => tg.createTask(5 as never), TypeError);
      assert.throws(
        () => tg.createTask(sleep(0), { signal: "x" as never }),
        TypeError,
      );
      yield;
    });
  });
});

Deno.test("taskGroup() inside timeout(): expiry cancels the children and throws TimeoutError", async () => {
  const log: string[] = [];
  await runClean(function* () {
    const error = yield* caught(timeout(
      2,
      taskGroup(function* (tg) {
        tg.createTask(logged(log, "a", 5));
        tg.createTask(logged(log, "b", 1));
      }),
    ));
    assert.ok(error instanceof TimeoutError);
    assert.equal(currentTask()!.cancelling(), 0);
  });
  assert.deepEqual(log, ["b finished at 1", "a got CancelledError at 2"]);
});

Deno.test("taskGroup() nested: an inner failure reaches the outer group as a group", async () => {
  await runClean(function* () {
    const error = yield* caught(taskGroup(function* (outer) {
      outer.createTask(sleep(10));
      yield* taskGroup(function* (inner) {
        inner.createTask(failLater(1, "deep"));
      });
    }));
    assert.ok(error instanceof ExceptionGroup);
    const inner = error.errors[0];
    assert.ok(inner instanceof ExceptionGroup);
    assert.equal((inner.errors[0] as Error).message, "deep");
  });
});

Deno.test("TaskGroup.toString() describes the group", async () => {
  await runClean(function* () {
    const tg = new TaskGroup();
    assert.equal(String(tg), "<TaskGroup>");
    yield* tg.run(function* (group) {
      group.createTask(sleep(1));
      assert.equal(String(group), "<TaskGroup tasks=1 entered>");
      yield;
    });
  });
});

Deno.test("TaskGroup counts once a task its factory hands over twice, or one another group holds", async () => {
  await runClean(function* () {
    const loop = getRunningLoop();
    let shared: Task<unknown> | null = null;
    let share = true;
    // A factory that lies: it hands over the task it made last while that
    // one runs, and drops the coroutine it was given.
    function sharing<T>(
      loop: EventLoop,
      coro: Coroutine<T>,
      options: TaskFactoryOptions,
    ): Task<T> {
      if (share && shared !== null && !shared.done()) {
        coro.return(undefined as T);
        return shared as Task<T>;
      }
      const task = new Task(coro, { ...options, loop });
      shared = task;
      return task;
    }
    loop.setTaskFactory(sharing);
    try {
      // The same task twice in one group: it is one child.
      const [first, second] = yield* timeout(
        10,
        taskGroup(function* (tg) {
          const a = tg.createTask(sleep(1, "a"));
          const b = tg.createTask(sleep(1, "b"));
          assert.equal(String(tg), "<TaskGroup tasks=1 entered>");
          return [a, b];
        }),
      );
      assert.equal(first, second);
      assert.equal(first.result(), "a");
      // A task one group holds, handed to another: the first group still
      // knows each of its children, and cancels the one left when it fails.
      share = false;
      let left: Task<string> | undefined;
      const error = yield* caught(timeout(
        10,
        taskGroup(function* (one) {
          left = one.createTask(sleep(3, "left"));
          const held = one.createTask(sleep(2, "held"));
          share = true;
          const inner = yield* taskGroup(function* (two) {
            return two.createTask(sleep(1, "never made"));
          });
          assert.equal(inner, held);
          yield* sleep(0.5);
          throw new RangeError("the body fails");
        }),
      ));
      assert.ok(error instanceof ExceptionGroup);
      assert.ok(left?.cancelled());
    } finally {
      loop.setTaskFactory(null);
    }
  });
});

import assert from "node:assert/strict";
import {
  CancelledError,
  newEventLoop,
  run,
  TimeoutError,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  sleep,
  type Task,
  timeout,
} from "../../tasks/mod.ts";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../../queues/mod.ts";

function* settle(task: Task<unknown>): Coroutine<unknown> {
  try {
    return yield* task;
  } catch (error) {
    return error;
  }
}

Deno.test("Queue validates maxsize", () => {
  assert.throws(() => new Queue(1.5), {
    name: "RangeError",
    message:
      "Cannot create Queue as 'maxsize' must be an integer: received 1.5",
  });
  assert.throws(() => new Queue("3" as unknown as number), {
    name: "TypeError",
    message:
      `Cannot create Queue as 'maxsize' must be an integer: received "3"`,
  });
  assert.throws(() => new Queue(NaN), TypeError);
  assert.equal(new Queue().maxsize, 0);
  assert.equal(new Queue(5).maxsize, 5);
  const unbounded = new Queue<number>(-1);
  for (let i = 0; i < 10; i++) unbounded.putNowait(i);
  assert.equal(unbounded.full(), false);
});

Deno.test("Queue is FIFO and reports its size", () => {
  const queue = new Queue<string>(2);
  assert.equal(queue.empty(), true);
  queue.putNowait("a");
  queue.putNowait("b");
  assert.equal(queue.qsize(), 2);
  assert.equal(queue.full(), true);
  assert.throws(() => queue.putNowait("c"), QueueFull);
  assert.equal(String(queue), "<Queue maxsize=2 _queue=['a', 'b'] tasks=2>");
  assert.equal(queue.getNowait(), "a");
  assert.equal(queue.getNowait(), "b");
  assert.throws(() => queue.getNowait(), {
    name: "QueueEmpty",
    message: "The queue is empty",
  });
  assert.throws(() => queue.getNowait(), QueueEmpty);
});

Deno.test("Queue storage stays FIFO across compaction", () => {
  const queue = new Queue<number>();
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 100; i++) queue.putNowait(next++);
    for (let i = 0; i < 60; i++) assert.equal(queue.getNowait(), expected++);
  }
  assert.equal(queue.qsize(), next - expected);
  while (!queue.empty()) assert.equal(queue.getNowait(), expected++);
  assert.equal(expected, next);
});

Deno.test("Queue.put() and get() do not suspend when they need not", async () => {
  const queue = new Queue<number>(3);
  const log: string[] = [];
  await run(function* () {
    const other = createTask(function* () {
      log.push("other");
    }());
    for (let i = 0; i < 3; i++) yield* queue.put(i);
    for (let i = 0; i < 3; i++) assert.equal(yield* queue.get(), i);
    log.push("main");
    yield* other;
  }());
  assert.deepEqual(log, ["main", "other"]);
});

Deno.test("Queue.put() waits while full and get() while empty", async () => {
  const queue = new Queue<number>(1);
  const log: string[] = [];
  await run(
    function* () {
      const producer = createTask(function* () {
        for (let i = 0; i < 3; i++) {
          yield* queue.put(i);
          log.push(`put ${i} at ${queue.qsize()}`);
        }
      }());
      const consumer = createTask(function* () {
        for (let i = 0; i < 3; i++) {
          yield* sleep(1);
          log.push(`got ${yield* queue.get()}`);
        }
        log.push("waiting");
        log.push(`got ${yield* queue.get()}`);
      }());
      yield* producer;
      yield* sleep(5);
      queue.putNowait(99);
      yield* consumer;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, [
    "put 0 at 1",
    "got 0",
    "put 1 at 1",
    "got 1",
    "put 2 at 1",
    "got 2",
    "waiting",
    "got 99",
  ]);
});

Deno.test("Queue getters and putters are served in FIFO order", async () => {
  const queue = new Queue<string>(1);
  const got: string[] = [];
  await run(function* () {
    const getters = ["a", "b", "c"].map((name) =>
      createTask(function* () {
        got.push(`${name}:${yield* queue.get()}`);
      }())
    );
    yield* sleep(0);
    for (const item of ["x", "y", "z"]) yield* queue.put(item);
    for (const g of getters) yield* g;
    queue.putNowait("first");
    const putters = ["1", "2", "3"].map((n) => createTask(queue.put(n)));
    yield* sleep(0);
    const order = [];
    for (let i = 0; i < 4; i++) order.push(yield* queue.get());
    for (const p of putters) yield* p;
    assert.deepEqual(order, ["first", "1", "2", "3"]);
  }());
  assert.deepEqual(got, ["a:x", "b:y", "c:z"]);
});

Deno.test("Queue.taskDone() and join()", async (t) => {
  await t.step(
    "join() returns at once when nothing is unfinished",
    async () => {
      const queue = new Queue<number>();
      await run(function* () {
        yield* queue.join();
      }());
    },
  );
  await t.step("join() waits for a taskDone() per item", async () => {
    const queue = new Queue<number>();
    const log: string[] = [];
    await run(
      function* () {
        for (let i = 0; i < 3; i++) queue.putNowait(i);
        const worker = createTask(function* () {
          for (;;) {
            const item = yield* queue.get();
            yield* sleep(1);
            log.push(`done ${item}`);
            queue.taskDone();
          }
        }());
        const joiners = [0, 1].map(() =>
          createTask(function* () {
            yield* queue.join();
            log.push("joined");
          }())
        );
        for (const j of joiners) yield* j;
        worker.cancel();
        yield* settle(worker);
      }(),
      { virtualTime: true },
    );
    assert.deepEqual(log, ["done 0", "done 1", "done 2", "joined", "joined"]);
  });
  await t.step("taskDone() too often throws", () => {
    const queue = new Queue<number>();
    assert.throws(() => queue.taskDone(), {
      name: "Error",
      message:
        "Queue.taskDone() called too many times: every item put is already marked done",
    });
    queue.putNowait(1);
    queue.getNowait();
    queue.taskDone();
    assert.throws(() => queue.taskDone(), /too many times/);
  });
  await t.step("a cancelled join() leaves no waiter behind", async () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    await run(function* () {
      const joiner = createTask(queue.join());
      yield* sleep(0);
      joiner.cancel();
      assert.ok((yield* settle(joiner)) instanceof CancelledError);
      queue.getNowait();
      queue.taskDone();
      yield* queue.join();
    }());
  });
});

Deno.test("Queue.get() cancelled loses no item", async (t) => {
  await t.step(
    "cancelled while waiting: the next put goes to the next getter",
    async () => {
      const queue = new Queue<string>();
      await run(function* () {
        const a = createTask(queue.get());
        const b = createTask(queue.get());
        yield* sleep(0);
        a.cancel();
        yield* sleep(0);
        queue.putNowait("item");
        assert.equal(yield* b, "item");
        assert.ok((yield* settle(a)) instanceof CancelledError);
        assert.equal(queue.qsize(), 0);
        assert.equal(String(queue), "<Queue maxsize=0 tasks=1>");
      }());
    },
  );
  await t.step(
    "woken by a put, then cancelled: the item stays for the next getter",
    async () => {
      const queue = new Queue<string>();
      await run(function* () {
        const a = createTask(queue.get());
        const b = createTask(queue.get());
        yield* sleep(0);
        queue.putNowait("item"); // wakes a
        a.cancel(); // before a runs
        assert.ok((yield* settle(a)) instanceof CancelledError);
        assert.equal(yield* b, "item");
        assert.equal(queue.empty(), true);
      }());
    },
  );
});

Deno.test("Queue.put() cancelled puts nothing and passes a free slot on", async (t) => {
  await t.step("cancelled while waiting", async () => {
    const queue = new Queue<string>(1);
    queue.putNowait("first");
    await run(function* () {
      const p = createTask(queue.put("cancelled"));
      yield* sleep(0);
      p.cancel();
      assert.ok((yield* settle(p)) instanceof CancelledError);
      assert.equal(queue.getNowait(), "first");
      assert.equal(queue.empty(), true);
    }());
  });
  await t.step(
    "woken by a get, then cancelled: the next putter gets the slot",
    async () => {
      const queue = new Queue<string>(1);
      queue.putNowait("first");
      await run(function* () {
        const a = createTask(queue.put("a"));
        const b = createTask(queue.put("b"));
        yield* sleep(0);
        assert.equal(queue.getNowait(), "first"); // wakes a
        a.cancel();
        assert.ok((yield* settle(a)) instanceof CancelledError);
        yield* b;
        assert.equal(queue.getNowait(), "b");
        assert.equal(queue.empty(), true);
      }());
    },
  );
});

Deno.test("Queue.shutdown() (asyncio 3.13)", async (t) => {
  await t.step("waiting getters and putters get QueueShutDown", async () => {
    const empty = new Queue<number>();
    const full = new Queue<number>(1);
    full.putNowait(0);
    await run(function* () {
      const getter = createTask(empty.get());
      const putter = createTask(full.put(1));
      yield* sleep(0);
      empty.shutdown();
      full.shutdown();
      assert.ok((yield* settle(getter)) instanceof QueueShutDown);
      assert.ok((yield* settle(putter)) instanceof QueueShutDown);
      assert.throws(() => empty.putNowait(1), {
        name: "QueueShutDown",
        message: "The queue is shut down",
      });
      assert.ok(
        (yield* settle(createTask(empty.put(1)))) instanceof QueueShutDown,
      );
      assert.ok(
        (yield* settle(createTask(empty.get()))) instanceof QueueShutDown,
      );
      // The item left in the full queue can still be taken.
      assert.equal(yield* full.get(), 0);
      assert.throws(() => full.getNowait(), QueueShutDown);
      assert.match(String(full), /shutdown/);
    }());
  });
  await t.step("immediate drops the items and releases join()", async () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 3; i++) queue.putNowait(i);
    await run(function* () {
      assert.equal(yield* queue.get(), 0);
      const joiner = createTask(queue.join());
      yield* sleep(0);
      queue.shutdown(true);
      assert.equal(queue.qsize(), 0);
      // One item was taken but not marked done yet.
      yield* sleep(0);
      assert.equal(joiner.done(), false);
      queue.taskDone();
      yield* joiner;
      assert.throws(() => queue.getNowait(), QueueShutDown);
    }());
  });
});

Deno.test("Queue refuses to be used from a second loop", async () => {
  const queue = new Queue<number>();
  await run(function* () {
    const getter = createTask(queue.get());
    yield* sleep(0);
    queue.putNowait(1);
    yield* getter;
  }());
  const loop = newEventLoop();
  try {
    await assert.rejects(
      loop.runUntilComplete(queue.get()),
      /<Queue maxsize=0 tasks=1> is bound to a different event loop/,
    );
  } finally {
    loop.close();
  }
});

Deno.test("Queue stress: random cancellations never lose or duplicate an item", async () => {
  let seed = 2024;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const queue = new Queue<number>(3);
  const put: number[] = [];
  const got: number[] = [];
  await run(
    function* () {
      const tasks: Task<void>[] = [];
      let next = 0;
      for (let p = 0; p < 20; p++) {
        tasks.push(createTask(function* () {
          for (let i = 0; i < 50; i++) {
            const item = next++;
            yield* sleep(random() * 0.1);
            yield* queue.put(item);
            put.push(item);
          }
        }()));
      }
      for (let c = 0; c < 20; c++) {
        tasks.push(createTask(function* () {
          for (;;) {
            if (random() < 0.3) yield* sleep(random() * 0.1);
            got.push(yield* queue.get());
          }
        }()));
      }
      for (let step = 0; step < 300; step++) {
        yield* sleep(random() * 0.05);
        if (random() < 0.5) yield* sleep(0);
        tasks[Math.floor(random() * tasks.length)].cancel();
      }
      yield* sleep(100);
      for (const t of tasks) {
        t.cancel();
        yield* settle(t);
      }
    }(),
    { virtualTime: true },
  );
  while (!queue.empty()) got.push(queue.getNowait());
  assert.ok(put.length > 100);
  assert.equal(new Set(got).size, got.length, "an item was duplicated");
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    [...put].sort((a, b) => a - b),
  );
});

Deno.test("Queue: timeout() around get() and put() loses no item", async () => {
  const queue = new Queue<string>(1);
  await run(
    function* () {
      assert.equal(yield* timedOut(queue.get()), true);
      queue.putNowait("x");
      assert.equal(yield* timedOut(queue.put("y")), true);
      assert.equal(queue.qsize(), 1);
      assert.equal(yield* queue.get(), "x");
      assert.equal(queue.empty(), true);
    }(),
    { virtualTime: true },
  );
});

function* timedOut(body: Coroutine<unknown>): Coroutine<boolean> {
  try {
    yield* timeout(1, body);
    return false;
  } catch (error) {
    if (error instanceof TimeoutError) return true;
    throw error;
  }
}

Deno.test("Queue's text form is asyncio's: items, waiters, unfinished tasks", async () => {
  // Python: str(q) for the same operations.
  const queue = new Queue<number | string>();
  assert.equal(String(queue), "<Queue maxsize=0>");
  queue.putNowait(1);
  queue.putNowait("it's");
  queue.putNowait("two");
  assert.equal(
    String(queue),
    `<Queue maxsize=0 _queue=[1, "it's", 'two'] tasks=3>`,
  );
  const lifo = new LifoQueue<number>(3);
  lifo.putNowait(1);
  lifo.putNowait(2);
  assert.equal(String(lifo), "<LifoQueue maxsize=3 _queue=[1, 2] tasks=2>");
  const heap = new PriorityQueue<number>();
  for (const n of [3, 1, 2]) heap.putNowait(n);
  assert.equal(
    String(heap),
    "<PriorityQueue maxsize=0 _queue=[1, 3, 2] tasks=3>",
  );
  await run(function* () {
    const empty = new Queue<number>(1);
    const getters = [createTask(empty.get()), createTask(empty.get())];
    yield* sleep(0);
    assert.equal(String(empty), "<Queue maxsize=1 _getters[2]>");
    for (const g of getters) g.cancel();
    const full = new Queue<number>(1);
    full.putNowait(0);
    const putter = createTask(full.put(1));
    yield* sleep(0);
    full.shutdown();
    yield* sleep(0);
    assert.equal(
      String(full),
      "<Queue maxsize=1 _queue=[0] tasks=1 shutdown>",
    );
    assert.ok(putter.exception() instanceof QueueShutDown);
    full.getNowait();
    full.taskDone();
    assert.equal(String(full), "<Queue maxsize=1 shutdown>");
  }());
});

import assert from "node:assert/strict";
import { run } from "../../eventloop/mod.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import { PriorityQueue, QueueFull } from "../../queues/mod.ts";

function drain<T>(queue: PriorityQueue<T>): T[] {
  const out: T[] = [];
  while (!queue.empty()) out.push(queue.getNowait());
  return out;
}

Deno.test("PriorityQueue gives the smallest item first", () => {
  const queue = new PriorityQueue<number>();
  const items = [5, 3, 9, 1, 7, 3, 8, 2, 6, 0, 4];
  for (const item of items) queue.putNowait(item);
  assert.equal(queue.qsize(), items.length);
  assert.deepEqual(drain(queue), [...items].sort((a, b) => a - b));
});

Deno.test("PriorityQueue's default order is Python's", async (t) => {
  await t.step("arrays compare like tuples", () => {
    const queue = new PriorityQueue<unknown[]>();
    for (
      const item of [[2, "b"], [1, "z"], [2, "a"], [1], [1, "a", 0], [0, [3]]]
    ) {
      queue.putNowait(item);
    }
    assert.deepEqual(drain(queue), [
      [0, [3]],
      [1],
      [1, "a", 0],
      [1, "z"],
      [2, "a"],
      [2, "b"],
    ]);
  });
  await t.step("strings, bigints and booleans", () => {
    const words = new PriorityQueue<string>();
    for (const w of ["pear", "apple", "fig", "Zebra"]) words.putNowait(w);
    assert.deepEqual(drain(words), ["Zebra", "apple", "fig", "pear"]);
    const numbers = new PriorityQueue<number | bigint | boolean>();
    for (const n of [3n, 1, true, 2.5, false]) numbers.putNowait(n);
    assert.deepEqual(
      drain(numbers),
      [false, 1, true, 2.5, 3n].slice(0, 5)
        .sort((a, b) => Number(a) - Number(b)),
    );
  });
  await t.step("the same object in a tie needs no comparison", () => {
    const data = { name: "shared" };
    const queue = new PriorityQueue<[number, object]>();
    queue.putNowait([1, data]);
    queue.putNowait([1, data]);
    queue.putNowait([0, { name: "other" }]);
    assert.equal(drain(queue).length, 3);
  });
  await t.step("unorderable items throw a TypeError and change nothing", () => {
    const queue = new PriorityQueue<unknown>();
    queue.putNowait([1, { a: 1 }]);
    queue.putNowait([2, { b: 2 }]);
    assert.throws(() => queue.putNowait("text"), {
      name: "TypeError",
      message:
        `Cannot order "text" and an array in a PriorityQueue: the default order compares numbers, strings, and arrays of them; pass a 'compare' option for other items`,
    });
    assert.throws(() => queue.putNowait([1, { c: 3 }]), TypeError);
    assert.equal(queue.qsize(), 2);
    assert.equal(
      String(queue),
      "<PriorityQueue maxsize=0 _queue=[[1, {'a': 1}], [2, {'b': 2}]] tasks=2>",
    );
    assert.deepEqual(drain(queue), [[1, { a: 1 }], [2, { b: 2 }]]);
  });
  await t.step("a get whose sift throws loses no item", () => {
    // Ties of distinct objects: the sift-down after removing the top has
    // to compare them, which Python's order refuses.
    const queue = new PriorityQueue<unknown>();
    queue.putNowait([0, "top"]);
    queue.putNowait([1, { a: 1 }]);
    queue.putNowait([1, { b: 2 }]);
    queue.putNowait([2, "last"]);
    assert.throws(() => queue.getNowait(), {
      name: "TypeError",
      message: /^Cannot order an object and an object in a PriorityQueue/,
    });
    assert.equal(queue.qsize(), 4);
    assert.equal(
      String(queue),
      "<PriorityQueue maxsize=0 _queue=[[0, 'top'], [1, {'a': 1}], [1, {'b': 2}], [2, 'last']] tasks=4>",
    );
    const byComparator = new PriorityQueue<unknown[]>(0, {
      compare: (a, b) => (a[0] as number) - (b[0] as number),
    });
    byComparator.putNowait([1, "x"]);
    byComparator.putNowait([0, "y"]);
    assert.deepEqual(byComparator.getNowait(), [0, "y"]);
  });
});

Deno.test("PriorityQueue takes a comparator", () => {
  const queue = new PriorityQueue<{ deadline: number }>(3, {
    compare: (a, b) => b.deadline - a.deadline, // largest first
  });
  for (const deadline of [1, 3, 2]) queue.putNowait({ deadline });
  assert.throws(() => queue.putNowait({ deadline: 0 }), QueueFull);
  assert.deepEqual(drain(queue).map((j) => j.deadline), [3, 2, 1]);
  assert.throws(
    () => new PriorityQueue(0, { compare: "desc" as unknown as () => number }),
    {
      name: "TypeError",
      message:
        `Cannot create PriorityQueue as 'compare' must be a function: received "desc"`,
    },
  );
  assert.throws(() => new PriorityQueue(0.5), {
    name: "RangeError",
    message:
      "Cannot create PriorityQueue as 'maxsize' must be an integer: received 0.5",
  });
});

Deno.test("PriorityQueue stays a heap through random puts and gets", () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const queue = new PriorityQueue<number>();
  const model: number[] = [];
  for (let i = 0; i < 2000; i++) {
    if (random() < 0.6 || model.length === 0) {
      const n = Math.floor(random() * 100);
      queue.putNowait(n);
      model.push(n);
    } else {
      model.sort((a, b) => a - b);
      assert.equal(queue.getNowait(), model.shift());
    }
  }
  assert.deepEqual(drain(queue), model.sort((a, b) => a - b));
});

Deno.test("PriorityQueue.get() waits and then gives the smallest", async () => {
  const queue = new PriorityQueue<[number, string]>(2);
  const got = await run(
    function* () {
      const getter = createTask(function* () {
        yield* sleep(1);
        const out: string[] = [];
        for (let i = 0; i < 4; i++) out.push((yield* queue.get())[1]);
        return out;
      }());
      yield* queue.put([3, "c"]);
      yield* queue.put([1, "a"]);
      yield* queue.put([4, "d"]); // waits for the getter
      yield* queue.put([2, "b"]);
      return yield* getter;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(got, ["a", "c", "b", "d"]);
});

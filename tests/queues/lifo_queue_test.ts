import assert from "node:assert/strict";
import { run } from "../../eventloop/mod.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import { LifoQueue, QueueEmpty, QueueShutDown } from "../../queues/mod.ts";

Deno.test("LifoQueue gives the newest item first", () => {
  const queue = new LifoQueue<number>();
  for (let i = 0; i < 5; i++) queue.putNowait(i);
  const out = [];
  while (!queue.empty()) out.push(queue.getNowait());
  assert.deepEqual(out, [4, 3, 2, 1, 0]);
  assert.throws(() => queue.getNowait(), QueueEmpty);
});

Deno.test("LifoQueue waits like a Queue and shuts down like one", async () => {
  const queue = new LifoQueue<string>(2);
  const got = await run(
    function* () {
      const consumer = createTask(function* () {
        const out: string[] = [];
        yield* sleep(1);
        for (;;) {
          try {
            out.push(yield* queue.get());
          } catch (error) {
            if (error instanceof QueueShutDown) return out;
            throw error;
          }
        }
      }());
      for (const item of ["a", "b", "c"]) yield* queue.put(item);
      yield* sleep(1);
      queue.shutdown();
      return yield* consumer;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(got, ["b", "a", "c"]);
});

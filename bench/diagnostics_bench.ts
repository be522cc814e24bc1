// Debug mode's cost (issues 8 and 16), and executor round trips (issue 8).

import { getRunningLoop, run, WorkerPoolExecutor } from "../eventloop/mod.ts";
import { createTask, sleep } from "../tasks/mod.ts";
import type { Coroutine } from "../tasks/mod.ts";
import { Lock } from "../sync/mod.ts";
import { Queue } from "../queues/mod.ts";
import type { Comparison } from "./_harness.ts";

const TASKS = 1_000;
const STEPS = 100;
const ROUND_TRIPS = 1_000;
const ROUNDS = 100_000;

function* stepper(): Coroutine<void> {
  for (let i = 0; i < STEPS; i++) yield* sleep(0);
}

function manyTasks(debug: boolean): Promise<void> {
  return run(
    function* () {
      // Timed all the same; the reports would only clutter the table.
      getRunningLoop().slowCallbackDuration = Infinity;
      const tasks = [];
      for (let i = 0; i < TASKS; i++) tasks.push(createTask(stepper()));
      for (const task of tasks) yield* task;
    }(),
    { debug },
  );
}

/**
 * Makes and runs three of the module's coroutines a round (lock.acquire(),
 * queue.put(), queue.get()), none of which has to wait: the cost of making
 * them, which debug mode raises by watching each for "never awaited".
 */
function coroutinesMade(debug: boolean): Promise<void> {
  return run(
    function* () {
      getRunningLoop().slowCallbackDuration = Infinity;
      const lock = new Lock();
      const queue = new Queue<number>();
      for (let i = 0; i < ROUNDS; i++) {
        yield* lock.acquire();
        lock.release();
        yield* queue.put(i);
        yield* queue.get();
      }
    }(),
    { debug },
  );
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  return [
    {
      title: "1,000 tasks x 100 sleep(0), debug mode on",
      ops: TASKS * STEPS,
      ours: () => manyTasks(true),
      baselines: { "the same, debug mode off": () => manyTasks(false) },
    },
    {
      title:
        "300,000 coroutines made and run (lock.acquire, queue.put, queue.get), debug mode on",
      ops: 3 * ROUNDS,
      ours: () => coroutinesMade(true),
      baselines: { "the same, debug mode off": () => coroutinesMade(false) },
    },
    {
      title: "1,000 runInExecutor round trips (1 Worker)",
      ops: ROUND_TRIPS,
      ours: () =>
        run(function* () {
          const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
          const loop = getRunningLoop();
          const inc = {
            moduleUrl: new URL("./_inc.ts", import.meta.url),
            exportName: "inc",
          };
          let n = 0;
          try {
            for (let i = 0; i < ROUND_TRIPS; i++) {
              n = yield* loop.runInExecutor<number>(pool, inc, n);
            }
          } finally {
            pool.shutdown({ wait: false });
          }
          return n;
        }()),
      baselines: {
        "a raw Worker, postMessage/onmessage": async () => {
          const worker = new Worker(
            new URL("./_echo_worker.ts", import.meta.url),
            { type: "module" },
          );
          let n = 0;
          try {
            for (let i = 0; i < ROUND_TRIPS; i++) {
              n = await new Promise<number>((resolve) => {
                worker.onmessage = (event) => resolve(event.data);
                worker.postMessage(n);
              });
            }
          } finally {
            worker.terminate();
          }
          return n;
        },
      },
    },
  ];
}

// Combinator benchmarks (issue 3): gather and taskGroup over many short
// tasks, against the same shape in native promises.

import { run } from "../eventloop/mod.ts";
import { type Coroutine, gather, sleep, taskGroup } from "../tasks/mod.ts";
import type { Comparison } from "./_harness.ts";

const TASKS = 10_000;

/** A short task: one turn of the loop, then a result. */
function* short(i: number): Coroutine<number> {
  yield* sleep(0);
  return i;
}

/** The same shape as an async function. */
async function shortAsync(i: number): Promise<number> {
  await null;
  return i;
}

function promiseAll(): Promise<number[]> {
  const all: Promise<number>[] = [];
  for (let i = 0; i < TASKS; i++) all.push(shortAsync(i));
  return Promise.all(all);
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  return [
    {
      title: "gather() of 10,000 short tasks",
      ops: TASKS,
      ours: () =>
        run(function* () {
          const coros: Coroutine<number>[] = [];
          for (let i = 0; i < TASKS; i++) coros.push(short(i));
          const results = yield* gather(coros);
          if (results.length !== TASKS) throw new Error("lost results");
        }),
      baselines: { "Promise.all of async functions": promiseAll },
    },
    {
      title: "taskGroup() of 10,000 short tasks",
      ops: TASKS,
      ours: () =>
        run(function* () {
          let sum = 0;
          yield* taskGroup(function* (tg) {
            for (let i = 0; i < TASKS; i++) {
              tg.createTask(short(i)).addDoneCallback((t) => {
                sum += t.result();
              });
            }
          });
          if (sum !== (TASKS * (TASKS - 1)) / 2) throw new Error("lost work");
        }),
      baselines: { "Promise.all of async functions": promiseAll },
    },
  ];
}

// Task-step and Future benchmarks (issue 2).

import { setImmediate } from "node:timers";
import { run } from "../eventloop/mod.ts";
import { type Coroutine, createTask, sleep } from "../tasks/mod.ts";
import type { Comparison } from "./_harness.ts";

const TASKS = 10_000;
const STEPS = 100;
const AWAITS = 1_000_000;

function* stepper(): Coroutine<void> {
  for (let i = 0; i < STEPS; i++) yield* sleep(0);
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  return [
    {
      title: "10,000 tasks x 100 sleep(0)",
      ops: TASKS * STEPS,
      ours: () =>
        run(function* () {
          const tasks = [];
          for (let i = 0; i < TASKS; i++) tasks.push(createTask(stepper()));
          for (const task of tasks) yield* task;
        }()),
      baselines: {
        "async/await + setImmediate": async () => {
          const one = async () => {
            for (let i = 0; i < STEPS; i++) {
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
          };
          const all = [];
          for (let i = 0; i < TASKS; i++) all.push(one());
          await Promise.all(all);
        },
        "async/await + await null": async () => {
          const one = async () => {
            for (let i = 0; i < STEPS; i++) await null;
          };
          const all = [];
          for (let i = 0; i < TASKS; i++) all.push(one());
          await Promise.all(all);
        },
      },
    },
    {
      title: "1,000,000 yield* of a done Future",
      ops: AWAITS,
      ours: () =>
        run(function* () {
          const loop = createTask(sleep(0)).getLoop();
          const fut = loop.createFuture<number>();
          fut.setResult(1);
          let sum = 0;
          for (let i = 0; i < AWAITS; i++) sum += yield* fut;
          return sum;
        }()),
      baselines: {
        "await of a resolved Promise": async () => {
          const promise = Promise.resolve(1);
          let sum = 0;
          for (let i = 0; i < AWAITS; i++) sum += await promise;
          return sum;
        },
      },
    },
  ];
}

// Spawn cost, per task: gather() and taskGroup() of 10,000 short tasks (one
// sleep(0) each) beside Promise.all of as many async functions, in wall
// time, once the JIT has settled (10 warm-up runs each), as the median of 30
// alternating rounds. `deno task bench` runs the same shapes with one
// warm-up and five rounds, where the first runs of a process weigh more.
//
//   deno run -A bench/spawn_cost.ts [--lib <dir>]
//
// --lib measures another copy of the library (a `git archive` of a commit):
// run it and this tree in turn, several times, to compare them.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

type Lib = typeof import("../mod.ts");

const libArg = Deno.args.indexOf("--lib");
const lib: Lib = await import(
  libArg === -1
    ? "../mod.ts"
    : pathToFileURL(resolve(Deno.args[libArg + 1], "mod.ts")).href
);

const TASKS = 10_000;

function* short(i: number) {
  yield* lib.sleep(0);
  return i;
}

async function shortAsync(i: number): Promise<number> {
  await null;
  return i;
}

const shapes: Record<string, () => Promise<unknown>> = {
  "gather()": () =>
    lib.run(function* () {
      const coros = [];
      for (let i = 0; i < TASKS; i++) coros.push(short(i));
      const results = yield* lib.gather(coros);
      if (results.length !== TASKS) throw new Error("lost results");
    }()),
  "taskGroup()": () =>
    lib.run(function* () {
      let sum = 0;
      yield* lib.taskGroup(function* (tg) {
        for (let i = 0; i < TASKS; i++) {
          tg.createTask(short(i)).addDoneCallback((t) => {
            sum += t.result();
          });
        }
      });
      if (sum !== (TASKS * (TASKS - 1)) / 2) throw new Error("lost work");
    }()),
  "Promise.all": () => {
    const all: Promise<number>[] = [];
    for (let i = 0; i < TASKS; i++) all.push(shortAsync(i));
    return Promise.all(all);
  },
};

const names = Object.keys(shapes);
for (const name of names) {
  for (let i = 0; i < 10; i++) await shapes[name]();
}
const times: Record<string, number[]> = {};
for (const name of names) times[name] = [];
for (let round = 0; round < 30; round++) {
  for (const name of names) {
    const start = performance.now();
    await shapes[name]();
    times[name].push(performance.now() - start);
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(
  names.map((name) =>
    `${name} ${(median(times[name]) * 1000 / TASKS).toFixed(3)} µs/task`
  ).join("   "),
);

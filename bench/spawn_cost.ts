// Spawn cost, per task: gather() and taskGroup() of 10,000 short tasks (one
// sleep(0) each) beside Promise.all of as many async functions, in wall
// time, once the JIT has settled: each shape in a process of its own (what
// one leaves to the garbage collector weighs on the next one otherwise), 10
// warm-up runs, then the median of 30. `deno task bench` runs the same
// shapes with one warm-up and five rounds in one process, where the first
// runs weigh more.
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

const shapeArg = Deno.args.indexOf("--shape");
if (shapeArg !== -1) {
  // Child: one shape.
  const shape = shapes[Deno.args[shapeArg + 1]];
  for (let i = 0; i < 10; i++) await shape();
  const times: number[] = [];
  for (let round = 0; round < 30; round++) {
    const start = performance.now();
    await shape();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(times[times.length >> 1] * 1000 / TASKS);
  Deno.exit(0);
}

const cells: string[] = [];
for (const name of Object.keys(shapes)) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      ...(libArg === -1 ? [] : ["--lib", Deno.args[libArg + 1]]),
      "--shape",
      name,
    ],
  }).output();
  if (code !== 0) {
    throw new Error(`${name} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  const us = Number(new TextDecoder().decode(stdout));
  cells.push(`${name} ${us.toFixed(3)} µs/task`);
}
console.log(cells.join("   "));

// CPU-bound work in Workers while the event loop stays responsive: a timer
// ticks every 10 ms while four fib(34) computations run in a pool of Workers,
// in parallel. Functions cross to a Worker by module URL and export name;
// arguments and results by structured clone; errors come back as errors.
//
//   deno run --allow-read examples/cpu_offload.ts [--workers 2] [--n 34]

import { parseArgs } from "node:util";
import {
  getRunningLoop,
  run,
  WorkerPoolExecutor,
} from "@asyncio/asyncio/eventloop";
import { gather, toThread } from "@asyncio/asyncio/tasks";

const { values } = parseArgs({
  args: Deno.args,
  options: { workers: { type: "string" }, n: { type: "string" } },
});
const workers = Number(values.workers ?? navigator.hardwareConcurrency ?? 2);
const n = Number(values.n ?? 34);
const fib = {
  moduleUrl: new URL("./fib.ts", import.meta.url),
  exportName: "fib",
};

// An executor of our own, shut down (its Workers terminated) at the end.
await using pool = new WorkerPoolExecutor({ maxWorkers: workers });

await run(function* () {
  const loop = getRunningLoop();
  let ticks = 0;
  const tick = () => {
    ticks++;
    timer = loop.callLater(0.01, tick);
  };
  let timer = loop.callLater(0.01, tick);

  const start = loop.time();
  const results = yield* gather(
    [1, 2, 3, 4].map(() => loop.runInExecutor<number>(pool, fib, n)),
  );
  const elapsed = loop.time() - start;
  console.log(
    `4 x fib(${n}) = ${results[0]} on ${workers} Workers in ${
      elapsed.toFixed(2)
    } s`,
  );
  console.log(`the loop ticked ${ticks} times meanwhile (every 10 ms)`);

  // The short form, on the loop's default executor (shut down by run()).
  console.log(`fib(25) = ${yield* toThread<number>(fib.moduleUrl, "fib", 25)}`);
  timer.cancel();
}());

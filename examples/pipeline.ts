// A crawler-shaped pipeline with the synchronization primitives and queues:
//
//   producer --Queue(4)--> 3 workers --PriorityQueue--> reporter
//
// A Semaphore limits how many "requests" run at once, a Lock guards a shared
// tally across a suspension point, an Event tells the reporter to stop, and
// queue.join() waits until every job has been processed.
//
//   deno run examples/pipeline.ts

import { run } from "../eventloop/mod.ts";
import { type Coroutine, createTask, sleep } from "../tasks/mod.ts";
import { Event, Lock, Semaphore } from "../sync/mod.ts";
import { PriorityQueue, Queue } from "../queues/mod.ts";

/** Runs the pipeline and returns the report lines, slowest page first. */
export function* pipeline(
  pages: Record<string, number>,
  log: (line: string) => void = () => {},
): Coroutine<string[]> {
  const jobs = new Queue<string>(4);
  const results = new PriorityQueue<[number, string]>();
  const requests = new Semaphore(2);
  const tallyLock = new Lock();
  const finished = new Event();
  const tally = { pages: 0, seconds: 0 };

  function* worker(name: string): Coroutine<void> {
    for (;;) {
      const page = yield* jobs.get();
      try {
        const seconds = pages[page];
        {
          using _ = yield* requests.hold();
          log(`${name} fetches ${page}`);
          yield* sleep(seconds);
        }
        {
          // Read-modify-write across a suspension: needs the lock.
          using _ = yield* tallyLock.hold();
          const before = tally.seconds;
          yield* sleep(0);
          tally.seconds = before + seconds;
          tally.pages++;
        }
        results.putNowait([-seconds, page]);
      } finally {
        jobs.taskDone();
      }
    }
  }

  function* reporter(): Coroutine<string[]> {
    yield* finished.wait();
    const lines: string[] = [];
    while (!results.empty()) {
      const [negative, page] = yield* results.get();
      lines.push(`${page}: ${-negative}s`);
    }
    lines.push(
      `${tally.pages} pages, ${+tally.seconds.toFixed(3)}s of fetching`,
    );
    return lines;
  }

  const workers = ["w1", "w2", "w3"].map((n) => createTask(worker(n)));
  const report = createTask(reporter());
  for (const page of Object.keys(pages)) yield* jobs.put(page);
  yield* jobs.join();
  for (const w of workers) w.cancel();
  finished.set();
  return yield* report;
}

if (import.meta.main) {
  const start = performance.now();
  const lines = await run(pipeline(
    { "/": 0.3, "/docs": 0.1, "/blog": 0.2, "/about": 0.05, "/api": 0.15 },
    (line) =>
      console.log(`[${(performance.now() - start).toFixed(0)} ms] ${line}`),
  ));
  for (const line of lines) console.log(line);
}

// Debug mode catching three common mistakes of asynchronous code, and
// dumpTasks() showing what every task waits on when a program hangs.
//
//   deno run --allow-net examples/debugging.ts
//
// The library's reports go through getLogger(); here a handler prints the
// first line of each to stdout with its level.

import {
  type Future,
  getLogger,
  getRunningLoop,
  type LogRecord,
  Protocol,
  run,
  type Server,
  TimeoutError,
} from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  createTask,
  dumpTasks,
  sleep,
  taskGroup,
  waitFor,
} from "@asyncio/asyncio/tasks";

getLogger().addHandler((record: LogRecord) => {
  console.log(`[${record.level}] ${record.message.split("\n")[0]}`);
});

/** Holds the thread: what a CPU-bound loop inside a task does. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // computing
  }
}

function* fetchReply(reply: Future<string>): Coroutine<string> {
  return yield* reply;
}

let forgotten: Server | null = null;

await run(
  function* main() {
    const loop = getRunningLoop();
    loop.slowCallbackDuration = 0.05;

    console.log("1. CPU-bound work on the loop (use toThread() instead):");
    yield* createTask(
      function* () {
        blockFor(120);
        yield* sleep(0);
      }(),
      { name: "cruncher" },
    );

    console.log(
      "2. Waiting for a reply nothing will send; a watchdog dumps the tasks:",
    );
    const reply = loop.createFuture<string>();
    const watchdog = loop.callLater(0.2, () => dumpTasks());
    try {
      yield* waitFor(
        taskGroup(function* (tg) {
          tg.createTask(fetchReply(reply), { name: "fetch-reply" });
          tg.createTask(sleep(60), { name: "heartbeat" });
        }),
        0.5,
      );
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      console.log("   gave up after 0.5 s");
    }
    watchdog.cancel();

    console.log("3. A server that is never closed:");
    forgotten = yield* loop.createServer(() => new Protocol(), "127.0.0.1", 0);
  }(),
  { debug: true },
);

// Closed here only so that the example ends: the report above is the point.
(forgotten as Server | null)?.close();

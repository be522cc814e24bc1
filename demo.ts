// `deno task demo`: a short, readable tour of the module.
// Tasks running side by side, sleeps, and a cancellation that runs `finally`.

import { CancelledError, createTask, currentTask, run, sleep } from "./mod.ts";

const started = performance.now();
function log(message: string): void {
  const ms = (performance.now() - started).toFixed(0).padStart(4);
  console.log(`[${ms} ms] ${message}`);
}

function* worker(name: string, every: number) {
  let beats = 0;
  try {
    while (true) {
      yield* sleep(every);
      beats++;
      log(`${name}: beat ${beats}`);
    }
  } catch (error) {
    if (error instanceof CancelledError) {
      log(`${name}: cancelled at its sleep (${error.message}), cleaning up`);
    }
    throw error;
  } finally {
    log(`${name}: finally ran after ${beats} beats`);
  }
}

function* fetchAnswer() {
  log(`${currentTask()?.getName()}: computing...`);
  yield* sleep(0.25);
  return 42;
}

function* main() {
  log("main: starting two workers and a computation");
  const fast = createTask(worker("fast", 0.1), { name: "fast" });
  const slow = createTask(worker("slow", 0.25), { name: "slow" });
  const answer = createTask(fetchAnswer(), { name: "answer" });

  log(`main: the answer is ${yield* answer}`);
  yield* sleep(0.3);

  log("main: cancelling the workers");
  fast.cancel("demo is over");
  slow.cancel("demo is over");
  for (const task of [fast, slow]) {
    try {
      yield* task;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
      log(`main: ${task.getName()} is cancelled: ${task.cancelled()}`);
    }
  }
  return "done";
}

log(`run(main()) returned ${JSON.stringify(await run(main()))}`);

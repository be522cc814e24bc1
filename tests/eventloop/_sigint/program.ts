// A program for sigint_test.ts: it prints "ready" once its main coroutine
// waits, then sleeps until Ctrl-C. Its first argument picks the variant.
import {
  getRunningLoop,
  KeyboardInterrupt,
  run,
  Runner,
} from "../../../eventloop/mod.ts";
import { sleep } from "../../../tasks/mod.ts";

const variant = Deno.args[0];

function* main() {
  if (variant === "own-handler") {
    const loop = getRunningLoop();
    const stop = loop.createFuture<void>();
    loop.addSignalHandler("SIGINT", () => {
      console.log("own handler ran");
      stop.setResult();
    });
    console.log("ready");
    yield* stop;
    loop.removeSignalHandler("SIGINT");
    return "main returned";
  }
  if (variant === "stubborn") {
    // Ignores the first Ctrl-C: only a second one can end it.
    try {
      console.log("ready");
      yield* sleep(3600);
    } catch {
      console.log("ignoring the cancellation");
      yield* sleep(3600);
    }
    return "not interrupted";
  }
  try {
    console.log("ready");
    yield* sleep(3600);
    return "not interrupted";
  } finally {
    console.log("finally ran");
  }
}

if (variant === "catch") {
  try {
    await run(main);
  } catch (error) {
    const ok = error instanceof KeyboardInterrupt;
    console.log(`caught ${(error as Error).name}${ok ? "" : " (wrong class)"}`);
  }
} else if (variant === "runner") {
  await using runner = new Runner();
  console.log(await runner.run(main));
} else if (variant === "rethrow") {
  try {
    await run(main);
  } catch (error) {
    console.log("cleaning up, then rethrowing");
    throw error;
  }
} else {
  console.log(await run(main));
}

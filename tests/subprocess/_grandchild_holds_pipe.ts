// Run by create_subprocess_test.ts: a communicate() that reads its pipe whole
// times out while a grandchild (a background `sleep`) still holds the pipe
// open. Once run() has returned, the process must exit at once, not when the
// grandchild closes the pipe. The shell prints the grandchild's pid on
// stderr, so that the test can end it.
import { run } from "../../eventloop/mod.ts";
import { timeout } from "../../tasks/mod.ts";
import { createSubprocessShell, PIPE } from "../../subprocess/mod.ts";

try {
  await run(function* () {
    const proc = yield* createSubprocessShell(
      "sleep 15 2>/dev/null & echo $! >&2",
      { stdout: PIPE },
    );
    return yield* timeout(0.3, proc.communicate());
  }());
} catch (error) {
  console.log((error as Error).name);
}

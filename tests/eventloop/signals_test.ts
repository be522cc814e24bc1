import assert from "node:assert/strict";
import { getRunningLoop, newEventLoop, run } from "../../eventloop/mod.ts";
import { sleep } from "../../tasks/mod.ts";

Deno.test("loop.addSignalHandler() runs the callback inside the loop with its arguments", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const calls: [string, number, boolean][] = [];
    loop.addSignalHandler(
      "SIGUSR1",
      (tag: string, n: number) => {
        calls.push([tag, n, getRunningLoop() === loop]);
      },
      "usr1",
      7,
    );
    Deno.kill(Deno.pid, "SIGUSR1");
    for (let i = 0; i < 2000 && calls.length === 0; i++) yield* sleep(0.001);
    assert.deepEqual(calls, [["usr1", 7, true]]);
    // A second handler for the same signal replaces the first.
    let replaced = 0;
    loop.addSignalHandler("SIGUSR1", () => replaced++);
    Deno.kill(Deno.pid, "SIGUSR1");
    for (let i = 0; i < 2000 && replaced === 0; i++) yield* sleep(0.001);
    assert.equal(replaced, 1);
    assert.equal(calls.length, 1);
    assert.equal(loop.removeSignalHandler("SIGUSR1"), true);
    assert.equal(loop.removeSignalHandler("SIGUSR1"), false);
  }());
});

Deno.test("loop.addSignalHandler() checks its arguments", () => {
  const loop = newEventLoop();
  assert.throws(
    () => loop.addSignalHandler("SIGUSR1", 5 as unknown as () => void),
    /'callback' must be a function: received 5/,
  );
  assert.throws(
    () => loop.addSignalHandler("usr1" as Deno.Signal, () => {}),
    (error: unknown) =>
      error instanceof TypeError &&
      /'signal' must be a signal name such as "SIGINT": received "usr1"/.test(
        error.message,
      ),
  );
  assert.throws(
    () => loop.addSignalHandler("SIGKILL", () => {}),
    /SIGKILL cannot be caught/,
  );
  assert.throws(
    () => loop.addSignalHandler("SIGNOPE" as Deno.Signal, () => {}),
    TypeError,
  );
  assert.equal(loop.removeSignalHandler("SIGUSR2"), false);
  loop.close();
  assert.throws(
    () => loop.addSignalHandler("SIGUSR2", () => {}),
    /closed/,
  );
});

Deno.test("loop.close() removes the loop's signal handlers", () => {
  const loop = newEventLoop();
  loop.addSignalHandler("SIGUSR2", () => {});
  loop.addSignalHandler("SIGHUP", () => {});
  loop.close();
  // The op sanitizer would fail this test if a signal listener were left.
  assert.equal(loop.removeSignalHandler("SIGUSR2"), false);
});

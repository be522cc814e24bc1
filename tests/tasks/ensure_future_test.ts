// ensureFuture(), and gather() and shield() built on it, outside a running
// loop: asyncio 3.11-3.13 use the loop set with set_event_loop().

import assert from "node:assert/strict";
import {
  type EventLoop,
  newEventLoop,
  setEventLoop,
} from "../../eventloop/mod.ts";
import { ensureFuture, gather, shield, sleep } from "../../tasks/mod.ts";

/** Runs `body` with a fresh virtual-time loop set as the current one. */
async function withCurrentLoop(
  body: (loop: EventLoop) => Promise<void> | void,
): Promise<void> {
  const loop = newEventLoop({ virtualTime: true });
  setEventLoop(loop);
  try {
    await body(loop);
  } finally {
    setEventLoop(null);
    loop.close();
  }
}

Deno.test("ensureFuture(), gather() and shield() outside a running loop use the loop set with setEventLoop()", async (t) => {
  await t.step("ensureFuture(coro)", async () => {
    await withCurrentLoop(async (loop) => {
      const task = ensureFuture(sleep(1, "slept"));
      assert.equal(task.getLoop(), loop);
      assert.equal(await loop.runUntilComplete(task), "slept");
      assert.equal(loop.time(), 1);
    });
  });

  await t.step("ensureFuture(promise)", async () => {
    await withCurrentLoop(async (loop) => {
      const fut = ensureFuture(Promise.resolve(3));
      assert.equal(fut.getLoop(), loop);
      assert.equal(await loop.runUntilComplete(fut), 3);
    });
  });

  await t.step("gather([]) and gather() of coroutines", async () => {
    await withCurrentLoop(async (loop) => {
      const none = gather([]);
      assert.equal(none.getLoop(), loop);
      assert.deepEqual(none.result(), []);
      const both = gather([sleep(2, "a"), sleep(1, "b")]);
      assert.equal(both.getLoop(), loop);
      assert.deepEqual(await loop.runUntilComplete(both), ["a", "b"]);
    });
  });

  await t.step("shield(coro)", async () => {
    await withCurrentLoop(async (loop) => {
      const outer = shield(sleep(1, "shielded"));
      assert.equal(outer.getLoop(), loop);
      assert.equal(await loop.runUntilComplete(outer), "shielded");
    });
  });

  await t.step("with no loop at all, an error that says what to do", () => {
    setEventLoop(null);
    const WHAT_TO_DO =
      /^Error: There is no current event loop: create one with newEventLoop\(\) and setEventLoop\(\), or use run\(\)$/;
    assert.throws(() => ensureFuture(sleep(0)), WHAT_TO_DO);
    assert.throws(() => ensureFuture(Promise.resolve(1)), WHAT_TO_DO);
    assert.throws(() => gather([]), WHAT_TO_DO);
    assert.throws(() => gather([sleep(0)]), WHAT_TO_DO);
    assert.throws(() => shield(sleep(0)), WHAT_TO_DO);
  });
});

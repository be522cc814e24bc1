// The one waiting primitive (eventloop/_parking_lot.ts): FIFO wake-ups, the
// hand-off of a wake-up its waiter leaves unused, the loop binding.

import assert from "node:assert/strict";
import {
  CancelledError,
  getRunningLoop,
  newEventLoop,
  run,
} from "../../eventloop/mod.ts";
import { LoopBinding, ParkingLot } from "../../eventloop/_parking_lot.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import { caught } from "../tasks/_combinators.ts";

const virtual = { virtualTime: true };

/** Parks on `lot` and logs what it got. */
function* parker<T>(lot: ParkingLot<T>, name: string, log: string[]) {
  try {
    log.push(`${name} got ${String(yield* lot.park())}`);
  } catch (error) {
    log.push(`${name} threw ${(error as Error).name}`);
  }
}

Deno.test("ParkingLot.unparkFirst() wakes the oldest parked waiter with its value", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const lot = new ParkingLot<number>({});
      assert.equal(lot.unparkFirst(0), false, "nobody parked");
      const tasks = ["a", "b", "c"].map((n) => createTask(parker(lot, n, log)));
      yield* sleep(0);
      assert.equal(lot.size, 3);
      assert.equal(lot.parked, 3);
      assert.equal(lot.unparkFirst(1), true);
      assert.equal(lot.unparkFirst(2), true);
      // Unparked, not resumed yet: still in the lot, no longer parked.
      assert.equal(lot.size, 3);
      assert.equal(lot.parked, 1);
      assert.ok(lot.hasWaiters());
      yield* sleep(0);
      assert.deepEqual(log, ["a got 1", "b got 2"]);
      assert.equal(lot.size, 1);
      lot.unparkFirst(3);
      for (const t of tasks) yield* t;
      assert.deepEqual(log, ["a got 1", "b got 2", "c got 3"]);
      assert.equal(lot.size, 0);
      assert.equal(lot.hasWaiters(), false);
    }(),
    virtual,
  );
});

Deno.test("ParkingLot: a cancelled waiter is skipped, and leaves the lot when it resumes", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const lot = new ParkingLot<string>({});
      const a = createTask(parker(lot, "a", log));
      const b = createTask(parker(lot, "b", log));
      yield* sleep(0);
      a.cancel();
      // a's task has not run yet: it is still in the lot, but owed nothing.
      assert.equal(lot.size, 2);
      assert.equal(lot.unparkFirst("x"), true);
      yield* a;
      yield* b;
      assert.deepEqual(log, ["a threw CancelledError", "b got x"]);
      assert.equal(lot.size, 0);
    }(),
    virtual,
  );
});

Deno.test("ParkingLot: every parked waiter cancelled counts as no waiter", async () => {
  await run(
    function* () {
      const lot = new ParkingLot<void>({});
      const a = createTask(lot.park());
      yield* sleep(0);
      assert.ok(lot.hasWaiters());
      a.cancel();
      assert.equal(lot.hasWaiters(), false, "asyncio: all(w.cancelled())");
      assert.ok((yield* caught(a)) instanceof CancelledError);
    }(),
    virtual,
  );
});

Deno.test("ParkingLot: a waiter cancelled after its wake-up hands the wake-up to the next", async (t) => {
  await t.step("by default, to the next parked waiter", async () => {
    const log: string[] = [];
    await run(
      function* () {
        const lot = new ParkingLot<string>({});
        const a = createTask(parker(lot, "a", log));
        const b = createTask(parker(lot, "b", log));
        yield* sleep(0);
        lot.unparkFirst("turn");
        a.cancel(); // between its wake-up and its turn to run
        yield* a;
        yield* b;
        assert.deepEqual(log, ["a threw CancelledError", "b got turn"]);
      }(),
      virtual,
    );
  });

  await t.step("through the lot's handOff, with the value", async () => {
    const log: string[] = [];
    const handed: string[] = [];
    await run(
      function* () {
        const lot = new ParkingLot<string>({}, {
          handOff: (value) => handed.push(value),
        });
        const a = createTask(parker(lot, "a", log));
        const b = createTask(parker(lot, "b", log));
        yield* sleep(0);
        lot.unparkFirst("slot");
        a.cancel();
        yield* a;
        assert.deepEqual(handed, ["slot"]);
        assert.equal(lot.parked, 1, "b was not woken: the hook decides");
        b.cancel();
        yield* b;
      }(),
      virtual,
    );
    assert.deepEqual(log, ["a threw CancelledError", "b threw CancelledError"]);
  });

  await t.step("not when the waiter used its wake-up", async () => {
    const handed: string[] = [];
    await run(
      function* () {
        const lot = new ParkingLot<string>({}, {
          handOff: (value) => handed.push(value),
        });
        const a = createTask(lot.park());
        yield* sleep(0);
        lot.unparkFirst("used");
        assert.equal(yield* a, "used");
      }(),
      virtual,
    );
    assert.deepEqual(handed, []);
  });

  await t.step("not for an error: unparkAllWithError()", async () => {
    const handed: unknown[] = [];
    await run(
      function* () {
        const lot = new ParkingLot<string>({}, {
          handOff: (value) => handed.push(value),
        });
        const a = createTask(lot.park());
        yield* sleep(0);
        const error = new RangeError("gone");
        assert.equal(lot.unparkAllWithError(error), 1);
        assert.equal(yield* caught(a), error);
      }(),
      virtual,
    );
    assert.deepEqual(handed, []);
  });

  await t.step("when closed with return() after its wake-up", async () => {
    const log: string[] = [];
    await run(
      function* () {
        const lot = new ParkingLot<string>({});
        // Parked by hand: the first next() joins the lot.
        const waiting = lot.park();
        assert.equal(waiting.next().done, false);
        const b = createTask(parker(lot, "b", log));
        yield* sleep(0);
        assert.equal(lot.unparkFirst("turn"), true, "the hand-parked waiter");
        assert.equal(lot.parked, 1);
        waiting.return("");
        assert.equal(lot.parked, 0, "b was handed the wake-up");
        yield* b;
      }(),
      virtual,
    );
    assert.deepEqual(log, ["b got turn"]);
  });
});

Deno.test("ParkingLot.unparkAll() wakes every parked waiter, oldest first", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const lot = new ParkingLot<number>({});
      const tasks = ["a", "b", "c"].map((n) => createTask(parker(lot, n, log)));
      yield* sleep(0);
      tasks[1].cancel();
      assert.equal(lot.unparkAll(7), 2, "the cancelled one is not counted");
      assert.equal(lot.unparkAll(8), 0);
      for (const t of tasks) yield* t;
      // b's cancellation was scheduled first, so b runs first.
      assert.deepEqual(log, ["b threw CancelledError", "a got 7", "c got 7"]);
    }(),
    virtual,
  );
});

Deno.test("ParkingLot binds to the first loop a task parks on, shared by a LoopBinding", async () => {
  const owner = { toString: () => "<Thing>" };
  const binding = new LoopBinding(owner);
  const first = new ParkingLot<void>(owner, { binding });
  const second = new ParkingLot<void>(owner, { binding });
  await run(
    function* () {
      const t = createTask(first.park());
      yield* sleep(0);
      first.unparkFirst();
      yield* t;
    }(),
    virtual,
  );
  const error = await run(
    function* () {
      return yield* caught(second.park());
    }(),
    virtual,
  );
  assert.ok(error instanceof Error);
  assert.equal(error.message, "<Thing> is bound to a different event loop");
});

Deno.test("ParkingLot.park() resumed outside a task before its wake-up throws and leaves", async () => {
  const loop = newEventLoop({ virtualTime: true });
  try {
    const lot = new ParkingLot<void>({ toString: () => "<Thing>" });
    const parking = lot.park();
    // A pass of the loop runs it, as a task step would.
    loop.callSoon(() => {
      assert.equal(getRunningLoop(), loop);
      parking.next();
      assert.equal(lot.parked, 1);
      assert.throws(
        () => parking.next(),
        /A waiter of <Thing> was resumed before it was woken: coroutines can only wait inside a Task/,
      );
      assert.equal(lot.size, 0);
      loop.stop();
    });
    await loop.runForever();
  } finally {
    loop.close();
  }
});

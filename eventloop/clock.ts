/**
 * The clocks an {@linkcode EventLoop} can run on: real monotonic time, or
 * virtual time for tests and simulations.
 *
 * @module
 */

import { describeValue } from "./_util.ts";

/**
 * A source of time for an event loop, in seconds.
 *
 * A real clock follows the monotonic clock. A virtual clock only moves when
 * the loop has nothing else to do and jumps straight to the next timer.
 */
export interface Clock {
  /** `true` for a clock that the loop advances itself when it is idle. */
  readonly virtual: boolean;
  /**
   * The current time in seconds.
   *
   * @returns Seconds since an arbitrary fixed point.
   */
  now(): number;
  /**
   * Moves a virtual clock forward to `when` (never backwards). Real clocks
   * ignore it.
   *
   * @param when The time to move to, in seconds.
   */
  advanceTo(when: number): void;
}

/**
 * The monotonic clock Deno gives (`performance.now()`), in seconds.
 *
 * asyncio: `loop.time()` is `time.monotonic()`.
 *
 * @example Reading real time
 * ```ts
 * import { RealClock } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const clock = new RealClock();
 * const a = clock.now();
 * assert.ok(clock.now() >= a);
 * assert.equal(clock.virtual, false);
 * ```
 */
export class RealClock implements Clock {
  /** Always `false`: the loop waits for real time to pass. */
  readonly virtual = false;
  /**
   * The monotonic time in seconds.
   *
   * @returns Seconds since the process started.
   */
  now(): number {
    return performance.now() / 1000;
  }
  /**
   * Does nothing: real time cannot be moved.
   *
   * @param _when Ignored.
   */
  advanceTo(_when: number): void {}
}

/**
 * Virtual time: the loop that runs on it jumps to its next timer as soon as it
 * has nothing ready and no real I/O in flight, so `sleep(3600)` takes no real
 * time and tests about time are exact.
 *
 * Stands in for a fake-time testing library; pass it as `clock` to
 * {@linkcode newEventLoop}, `run` or `Runner` (or use `virtualTime: true`).
 *
 * @example Sleeping an hour in no time
 * ```ts
 * import { run, VirtualClock } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const clock = new VirtualClock();
 * const started = performance.now();
 * await run(function* () { yield* sleep(3600); }(), { clock });
 * assert.equal(clock.now(), 3600);
 * assert.ok(performance.now() - started < 1000);
 * ```
 */
export class VirtualClock implements Clock {
  /** Always `true`: the loop moves this clock itself. */
  readonly virtual = true;
  #now: number;

  /**
   * Makes a virtual clock.
   *
   * @param start The time it starts at, in seconds (default 0).
   */
  constructor(start?: number) {
    if (start === undefined) start = 0;
    if (typeof start !== "number" || !Number.isFinite(start)) {
      throw new TypeError(
        `Cannot create VirtualClock as 'start' must be a finite number: received ${
          describeValue(start)
        }`,
      );
    }
    this.#now = start;
  }

  /**
   * The current virtual time in seconds.
   *
   * @returns The virtual time.
   */
  now(): number {
    return this.#now;
  }

  /**
   * Moves the clock forward to `when`; a time in the past is ignored.
   *
   * @param when The time to move to, in seconds.
   * @throws {TypeError} If `when` is not a number.
   */
  advanceTo(when: number): void {
    if (typeof when !== "number" || Number.isNaN(when)) {
      throw new TypeError(
        `Cannot move VirtualClock as 'when' must be a number of seconds: received ${
          describeValue(when)
        }`,
      );
    }
    if (when > this.#now) this.#now = when;
  }
}

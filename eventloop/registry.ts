/**
 * The loop registry: which loop is running, and which is current.
 *
 * @module
 */

import { EventLoop, type EventLoopOptions } from "./event_loop.ts";
import { loopState } from "./_state.ts";
import { describeValue } from "./_util.ts";

/**
 * The loop that is running the current callback or task step.
 *
 * A loop counts as running only while it runs a pass, so plain JavaScript
 * that runs between passes (a promise callback, another test) sees none.
 *
 * asyncio: `asyncio.get_running_loop()`.
 *
 * @returns The running loop.
 * @throws {Error} If no loop is running.
 *
 * @example Reaching the loop from a coroutine
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const now = await run(function* () {
 *   return getRunningLoop().time();
 * }(), { virtualTime: true });
 * assert.equal(now, 0);
 * assert.throws(() => getRunningLoop(), /no running event loop/);
 * ```
 */
export function getRunningLoop(): EventLoop {
  const loop = loopState.running;
  if (loop === null) throw new Error("There is no running event loop");
  return loop;
}

/**
 * The running loop, else the loop set with {@linkcode setEventLoop}.
 *
 * As in asyncio 3.14, it does not make a loop when there is none.
 *
 * asyncio: `asyncio.get_event_loop()`.
 *
 * @returns The loop.
 * @throws {Error} If no loop is running and none is set.
 *
 * @example The loop set as current
 * ```ts
 * import { getEventLoop, newEventLoop, setEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * setEventLoop(loop);
 * assert.equal(getEventLoop(), loop);
 * setEventLoop(null);
 * loop.close();
 * ```
 */
export function getEventLoop(): EventLoop {
  const loop = loopState.running ?? loopState.current;
  if (loop === null) {
    throw new Error(
      "There is no current event loop: create one with newEventLoop() and setEventLoop(), or use run()",
    );
  }
  return loop;
}

/**
 * Sets (or clears, with `null`) the current loop that
 * {@linkcode getEventLoop} returns when none is running.
 *
 * asyncio: `asyncio.set_event_loop()`.
 *
 * @param loop The loop, or `null`.
 * @throws {TypeError} If `loop` is not an EventLoop or `null`.
 *
 * @example Clearing the current loop
 * ```ts
 * import { getEventLoop, setEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * setEventLoop(null);
 * assert.throws(() => getEventLoop());
 * ```
 */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(
      `setEventLoop()'s 'loop' must be an EventLoop or null: received ${
        describeValue(loop)
      }`,
    );
  }
  loopState.current = loop;
}

/**
 * Makes a new event loop.
 *
 * asyncio: `asyncio.new_event_loop()`.
 *
 * @param options The clock (`virtualTime: true` for virtual time) and debug
 * mode.
 * @returns The loop, not running and not set as current.
 * @throws {TypeError} If an option is unknown or of the wrong type, or
 * `virtualTime: true` comes with a `clock`.
 *
 * @example Running a coroutine on a loop of your own
 * ```ts
 * import { newEventLoop } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop({ virtualTime: true });
 * const value = await loop.runUntilComplete(function* () {
 *   yield* sleep(10);
 *   return "done";
 * }());
 * assert.equal(value, "done");
 * assert.equal(loop.time(), 10);
 * loop.close();
 * ```
 */
export function newEventLoop(options?: EventLoopOptions): EventLoop {
  return new EventLoop(options);
}

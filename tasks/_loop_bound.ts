// Private helpers that sync/ and queues/ share (asyncio's mixins.py); never
// re-exported. They live in tasks/ because sibling layers do not import each
// other.

import type { EventLoop } from "../eventloop/event_loop.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Future } from "../eventloop/future.ts";
import { describeValue } from "../eventloop/_util.ts";

/**
 * asyncio's `mixins._LoopBoundMixin._get_loop()`: a primitive is not bound to
 * a loop when it is made; it binds to the running loop the first time it has
 * to wait, and refuses to be used from another loop afterwards.
 *
 * @param bound The loop the primitive is bound to, or `null`.
 * @param owner The primitive, for the error message.
 * @returns The running loop, which the caller stores as its bound loop.
 */
export function boundLoop(bound: EventLoop | null, owner: object): EventLoop {
  const loop = getRunningLoop();
  if (bound !== null && bound !== loop) {
    throw new Error(`${String(owner)} is bound to a different event loop`);
  }
  return loop;
}

/** Removes `item` from `list` if it is there (the head is the usual case). */
export function removeWaiter(
  list: Future<unknown>[],
  item: Future<unknown>,
): void {
  if (list[0] === item) {
    // pop() is cheaper than shift() for the usual single waiter.
    if (list.length === 1) list.pop();
    else list.shift();
    return;
  }
  const i = list.indexOf(item);
  if (i !== -1) list.splice(i, 1);
}

/** Checks a count argument: a non-negative (or positive) integer. */
export function checkCount(
  value: unknown,
  what: string,
  min: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const kind = min > 0 ? "a positive integer" : "a non-negative integer";
    const shown = describeValue(value);
    throw (typeof value === "number" && !Number.isNaN(value)
      ? new RangeError(`${what} must be ${kind}: received ${shown}`)
      : new TypeError(`${what} must be ${kind}: received ${shown}`));
  }
  return value;
}

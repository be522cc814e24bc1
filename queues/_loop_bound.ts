// Private helpers of the queues folder; never re-exported. (The sync folder
// has its own copy: sibling layers do not import each other.)

import type { EventLoop } from "../eventloop/event_loop.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Future } from "../eventloop/future.ts";

/**
 * asyncio's `mixins._LoopBoundMixin._get_loop()`: a queue binds to the
 * running loop the first time it has to wait, and refuses another loop after.
 *
 * @param bound The loop the queue is bound to, or `null`.
 * @param owner The queue, for the error message.
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

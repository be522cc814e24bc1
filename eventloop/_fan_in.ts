// One done-callback for many futures, for the module's own fan-in: gather()
// registers one on each child, a TaskGroup one on each child task. Where
// `addDoneCallback` makes a Handle (and an array for its argument) for each
// future that finishes, a FanIn notes the future and takes that Handle's
// place on the ready queue itself; each time it runs, it calls its callback
// with the oldest future it noted. So the callback runs for the same futures,
// in the same order and in the same passes, as with a Handle each: a FIFO of
// futures, as the ready queue is a FIFO of callbacks. A gathered task's
// Handle was a fifteenth of what it allocated.
//
// A closed loop and debug mode take `callSoon()` itself, which throws the
// same error on a closed loop, and in debug mode checks the caller and times
// a real Handle as it always did.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import { Handle, type Runnable } from "./handle.ts";
import { describeCallback, lostThisHint } from "./_util.ts";

/**
 * A done-callback shared by many futures (see above).
 *
 * @typeParam F The futures it is added to, which its callback receives.
 */
export class FanIn<F extends Future<unknown>> implements Runnable {
  /** Never skipped: it leaves the ready queue only by running. */
  _cancelled = false;
  /** The callback, called with each future once it is done. */
  readonly _callback: (future: F) => void;
  readonly _loop: EventLoop;
  /** Futures done, oldest at `#next`, waiting for their turn. */
  #done: (Future<unknown> | undefined)[] = [];
  #next = 0;

  /**
   * @param loop The loop the futures belong to.
   * @param callback What each future's done-callback would have been.
   */
  constructor(loop: EventLoop, callback: (future: F) => void) {
    this._loop = loop;
    this._callback = callback;
  }

  /** `future` is done: its call is due where `callSoon()` would put it. */
  _schedule(future: Future<unknown>): void {
    const loop = this._loop;
    if (loop.isClosed() || loop.getDebug()) {
      // The callback itself, not a wrapper: reports name it.
      const callback = this._callback;
      loop.callSoon(callback, future as F);
      return;
    }
    this.#done.push(future);
    loop._pushReady(this);
  }

  /** Calls the callback for the oldest future noted; never throws. */
  _run(): void {
    const done = this.#done;
    // Only futures of type F are added (addFanIn() in _lowlevel.ts).
    const future = done[this.#next] as F;
    done[this.#next++] = undefined;
    if (this.#next === done.length) {
      done.length = 0;
      this.#next = 0;
    }
    const callback = this._callback;
    try {
      callback(future);
    } catch (exception) {
      // Reported as the Handle it stands for would be.
      this._loop.callExceptionHandler({
        message: `Exception in callback ${describeCallback(callback)}${
          lostThisHint(callback, exception)
        }`,
        exception,
        handle: new Handle(callback, [future], this._loop),
      });
    }
  }

  /**
   * A short description for logs (debug mode's report of a slow callback),
   * as the Handle it stands for would give.
   *
   * @returns For example `<Handle onChildDone()>`.
   */
  toString(): string {
    return `<Handle ${describeCallback(this._callback)}>`;
  }
}

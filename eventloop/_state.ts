// The loop registry's state, kept apart from event_loop.ts so that future.ts
// and the tasks can read it without importing the loop class.

import type { EventLoop } from "./event_loop.ts";

/**
 * `running` is the loop whose pass is executing right now (set only while a
 * pass runs, so plain JavaScript outside the loop sees none); `current` is
 * the loop set by `setEventLoop`.
 */
export const loopState: {
  running: EventLoop | null;
  current: EventLoop | null;
} = { running: null, current: null };

/** The loop a new Future or Task attaches to when none is given. */
export function defaultLoop(): EventLoop {
  const loop = loopState.running ?? loopState.current;
  if (loop === null) {
    throw new Error(
      "There is no current event loop: pass 'loop' or create the object inside a running loop",
    );
  }
  return loop;
}

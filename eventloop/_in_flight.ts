// The I/O a loop started that cannot be cancelled (a name lookup, a
// connect without a signal): when the task waiting on it is cancelled the
// operation goes on in Deno, so run() waits for it before returning, as it
// waits for the children it killed. Otherwise the op would outlive the run
// (Deno's test sanitizers report it) and finish against a closed loop.

import type { EventLoop } from "./event_loop.ts";

const inFlight = new WeakMap<EventLoop, Set<Promise<unknown>>>();

/** Counts `promise` as `loop`'s I/O in flight until it settles. */
export function trackInFlight(
  loop: EventLoop,
  promise: Promise<unknown>,
): void {
  let set = inFlight.get(loop);
  if (set === undefined) inFlight.set(loop, set = new Set());
  const ops = set;
  ops.add(promise);
  const done = () => void ops.delete(promise);
  promise.then(done, done);
}

/**
 * Waits until the I/O `loop` started has settled, for at most `timeout`
 * seconds.
 *
 * @returns How many operations were still in flight at the timeout.
 */
export async function settleInFlight(
  loop: EventLoop,
  timeout: number,
): Promise<number> {
  const ops = inFlight.get(loop);
  if (ops === undefined || ops.size === 0) return 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = Promise.all([...ops].map((op) => op.then(noop, noop)));
  try {
    await Promise.race([
      settled,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return ops.size;
}

function noop(): void {}

// The one bridge from a promise of Deno (an I/O operation, a Worker's job) to
// the loop. While the promise is pending, the loop counts it as I/O in flight,
// so a virtual clock waits for it instead of jumping ahead; the promise is
// always observed (Deno ends the process on an unhandled rejection); and a
// handler that throws is reported through the loop's exception handler
// instead of rejecting a promise nobody holds. The executors, fromPromise(),
// the network calls, the pipe transports and the subprocess transport all
// come in through here.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";

/**
 * Calls `onValue` or `onError` when `promise` settles, in the promise job
 * (not in a pass of the loop: a handler that touches the protocol schedules
 * it with `loop.callSoon()`). The handlers run even if the loop has closed
 * meanwhile, so that they can release what came too late.
 */
export function whenSettled<T>(
  loop: EventLoop,
  promise: PromiseLike<T>,
  onValue: (value: T) => void,
  onError: (error: unknown) => void,
): void {
  loop._ioStarted();
  Promise.resolve(promise).then(
    (value) => settle(loop, onValue, value),
    (error) => settle(loop, onError, error),
  );
}

function settle<V>(loop: EventLoop, handler: (v: V) => void, v: V): void {
  loop._ioFinished();
  try {
    handler(v);
  } catch (exception) {
    if (!loop.isClosed()) {
      loop.callExceptionHandler({
        message: "Exception in the completion of an I/O operation",
        exception,
      });
    }
  }
}

/**
 * A future of the loop that `promise` completes (asyncio's `wrap_future`).
 * A value that arrives once the future is done (cancelled) or the loop
 * closed goes to `onLate`, so that a connection made too late is closed,
 * not leaked.
 */
export function ioFuture<T>(
  loop: EventLoop,
  promise: PromiseLike<T>,
  onLate?: (value: T) => void,
): Future<T> {
  const future = loop.createFuture<T>();
  whenSettled(
    loop,
    promise,
    (value) => {
      if (future.done() || loop.isClosed()) onLate?.(value);
      else future.setResult(value);
    },
    (error) => {
      if (future.done() || loop.isClosed()) return;
      future.setException(
        error ?? new Error(`The promise rejected with ${error}`),
      );
    },
  );
  return future;
}

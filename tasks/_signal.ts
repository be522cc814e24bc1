// Private helper: cancelling a task when an AbortSignal aborts.

import type { Future } from "../eventloop/future.ts";
import { describeValue, isLoopLike } from "../eventloop/_lowlevel.ts";

/** Throws a TypeError unless `signal` is an AbortSignal (or undefined). */
export function checkSignal(signal: unknown, where: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `${where}'s 'signal' must be an AbortSignal: received ${
        describeValue(signal)
      }`,
    );
  }
}

/**
 * Throws a TypeError unless `loop` is undefined or looks like an EventLoop
 * (a `loop` option of another copy of this package is accepted).
 */
export function checkLoop(loop: unknown, where: string): void {
  if (loop !== undefined && !isLoopLike(loop)) {
    throw new TypeError(
      `${where}'s 'loop' must be an EventLoop: received ${describeValue(loop)}`,
    );
  }
}

/** The cancel message for an aborted signal. */
export function abortMessage(signal: AbortSignal): string {
  const reason = signal.reason;
  if (reason instanceof Error) return reason.message || reason.name;
  return reason === undefined ? "aborted" : String(reason);
}

/**
 * Cancels `future` when `signal` aborts (at once if it already has). The
 * listener is removed when the future is done, so a long-lived signal does not
 * keep finished tasks alive.
 */
export function cancelOnAbort(
  future: Future<unknown>,
  signal: AbortSignal,
): void {
  if (signal.aborted) {
    future.cancel(abortMessage(signal));
    return;
  }
  const onAbort = () => future.cancel(abortMessage(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  future.addDoneCallback(() => signal.removeEventListener("abort", onAbort));
}

// Write-side flow control, shared by every transport that buffers writes
// (the socket transport and the write pipe transport), as asyncio's
// _FlowControlMixin holds it for its transports.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol } from "./protocols.ts";
import { describeValue } from "./_util.ts";

/** asyncio's default high-water mark; the low one is a quarter of it. */
export const DEFAULT_HIGH_WATER = 64 * 1024;

/**
 * Checks and completes `setWriteBufferLimits(high, low)` as asyncio does: a
 * missing high is 4 × low (or the default), a missing low is high / 4.
 *
 * @returns `[high, low]`.
 */
export function writeBufferLimits(
  high: unknown,
  low: unknown,
): [number, number] {
  for (const [name, value] of [["high", high], ["low", low]] as const) {
    if (
      value !== undefined &&
      (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    ) {
      throw new RangeError(
        `Cannot set the write buffer limits as '${name}' must be a non-negative integer: received ${
          describeValue(value)
        }`,
      );
    }
  }
  const h = (high as number | undefined) ??
    (low === undefined ? DEFAULT_HIGH_WATER : 4 * (low as number));
  const l = (low as number | undefined) ?? Math.floor(h / 4);
  if (l > h) {
    throw new RangeError(
      `Cannot set the write buffer limits as 'high' must be >= 'low': received high=${h}, low=${l}`,
    );
  }
  return [h, l];
}

/**
 * Calls the protocol's `pauseWriting()` or `resumeWriting()`; an error it
 * throws goes to the loop's exception handler, never to the writer.
 */
export function callWriteFlow(
  loop: EventLoop,
  transport: object,
  protocol: BaseProtocol,
  method: "pauseWriting" | "resumeWriting",
): void {
  try {
    protocol[method]();
  } catch (error) {
    loop.callExceptionHandler({
      message: `protocol.${method}() failed`,
      exception: error,
      transport,
      protocol,
    });
  }
}

/**
 * The write-side flow control of one transport (asyncio's
 * `_FlowControlMixin`). The contract with the transport that owns it:
 *
 * - the transport keeps its own write buffer (a socket's queue of chunks, a
 *   pipe's writes in flight) and reports its size: `grew(size)` after it
 *   grows, `shrank(size)` after it shrinks;
 * - past the high-water mark `grew()` calls `pause` once; at or below the
 *   low one, `shrank()` of a paused buffer calls `resume` once. The
 *   transport's `pause` and `resume` tell the protocol (with
 *   {@linkcode callWriteFlow}, now or a pass later), so it decides when;
 * - `setLimits(high, low, size)` is `setWriteBufferLimits()`: checked and
 *   completed as asyncio does, then the size is looked at again;
 *   `limits()` is `getWriteBufferLimits()`.
 */
export class WriteFlow<T = unknown> {
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #paused = false;
  #owner: T;
  #pause: (this: T) => void;
  #resume: (this: T) => void;

  /**
   * @param owner The transport: `pause` and `resume` are called on it (its
   *   own methods, shared by every instance: no closures per transport).
   * @param pause Tells the protocol to pause writing.
   * @param resume Tells it to resume.
   */
  constructor(owner: T, pause: (this: T) => void, resume: (this: T) => void) {
    this.#owner = owner;
    this.#pause = pause;
    this.#resume = resume;
  }

  /** Whether the protocol was told to pause and not to resume since. */
  get paused(): boolean {
    return this.#paused;
  }

  /** `[low, high]`, as `getWriteBufferLimits()` gives them. */
  limits(): [number, number] {
    return [this.#low, this.#high];
  }

  /** `setWriteBufferLimits(high, low)` with the buffer at `size`. */
  setLimits(high: unknown, low: unknown, size: number): void {
    [this.#high, this.#low] = writeBufferLimits(high, low);
    this.grew(size);
  }

  /** The buffer grew to `size` (asyncio's `_maybe_pause_protocol`). */
  grew(size: number): void {
    if (this.#paused || size <= this.#high) return;
    this.#paused = true;
    this.#pause.call(this.#owner);
  }

  /** The buffer shrank to `size` (asyncio's `_maybe_resume_protocol`). */
  shrank(size: number): void {
    if (!this.#paused || size > this.#low) return;
    this.#paused = false;
    this.#resume.call(this.#owner);
  }
}

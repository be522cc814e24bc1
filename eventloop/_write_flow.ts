// Write-side flow control shared by every transport that buffers writes (the
// socket transport here, the pipe transports of subprocess/): the water marks
// and the calls into the protocol, as asyncio's FlowControlMixin holds them.

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

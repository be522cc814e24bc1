/**
 * The errors of the stream readers: {@linkcode IncompleteReadError} and
 * {@linkcode LimitOverrunError}.
 *
 * @module
 */

/**
 * Thrown by `readExactly()` and `readUntil()` when the stream ends before the
 * read is complete. The bytes that did arrive are in `partial`; they have been
 * taken out of the reader's buffer.
 *
 * asyncio: `asyncio.IncompleteReadError`.
 *
 * @example Looking at what arrived before the end
 * ```ts
 * import { IncompleteReadError, StreamReader } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const error = await run(function* () {
 *   const reader = new StreamReader();
 *   reader.feedData(new Uint8Array([1, 2]));
 *   reader.feedEof();
 *   try {
 *     yield* reader.readExactly(4);
 *   } catch (error) {
 *     return error;
 *   }
 * }());
 * assert.ok(error instanceof IncompleteReadError);
 * assert.deepEqual(error.partial, new Uint8Array([1, 2]));
 * assert.equal(error.expected, 4);
 * ```
 */
export class IncompleteReadError extends Error {
  /** The bytes read before the end of the stream. */
  readonly partial: Uint8Array;
  /** How many bytes were asked for, or `null` when reading up to a separator. */
  readonly expected: number | null;

  /**
   * Makes the error. Its message is asyncio's: `"2 bytes read on a total of
   * 5 expected bytes"`, or `"... of undefined expected bytes"` when
   * `expected` is `null`.
   *
   * @param partial The bytes read before the end of the stream.
   * @param expected How many bytes were expected, or `null` for "up to a
   * separator".
   */
  constructor(partial: Uint8Array, expected: number | null) {
    // asyncio words None as 'undefined', and prints an int in full
    // (String(2 ** 60) would round it).
    const total = expected === null
      ? "undefined"
      : Number.isInteger(expected) && !Number.isSafeInteger(expected)
      ? BigInt(expected).toString()
      : String(expected);
    super(`${partial.length} bytes read on a total of ${total} expected bytes`);
    this.name = "IncompleteReadError";
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * Thrown by `readUntil()` when the separator was not found within the
 * reader's `limit`. The data stays in the reader's buffer: `consumed` says how
 * many bytes could be read (with `readExactly(consumed)`, say) to get past
 * them.
 *
 * asyncio: `asyncio.LimitOverrunError`.
 *
 * @example Recovering from a line that is too long
 * ```ts
 * import { LimitOverrunError, StreamReader } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const text = new TextEncoder();
 * const rest = await run(function* () {
 *   const reader = new StreamReader({ limit: 4 });
 *   reader.feedData(text.encode("too long!\nok\n"));
 *   try {
 *     yield* reader.readUntil(text.encode("\n"));
 *   } catch (error) {
 *     assert.ok(error instanceof LimitOverrunError);
 *     assert.equal(error.consumed, 9);
 *     yield* reader.readExactly(error.consumed + 1); // skip the long line
 *   }
 *   return yield* reader.readLine();
 * }());
 * assert.equal(new TextDecoder().decode(rest), "ok\n");
 * ```
 */
export class LimitOverrunError extends Error {
  /** How many bytes of the buffer the reader looked at before giving up. */
  readonly consumed: number;

  /**
   * Makes the error.
   *
   * @param message What happened.
   * @param consumed How many bytes are to be consumed.
   */
  constructor(message: string, consumed: number) {
    super(message);
    this.name = "LimitOverrunError";
    this.consumed = consumed;
  }
}

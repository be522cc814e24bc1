/**
 * {@linkcode PIPE}, {@linkcode STDOUT} and {@linkcode DEVNULL}: where a
 * child's standard streams go.
 *
 * @module
 */

// Importing anything from this folder registers the implementation of
// loop.subprocessExec() / loop.subprocessShell().
import "./_subprocess_transport.ts";

/**
 * Connect the stream to a pipe: `proc.stdin` / `proc.stdout` /
 * `proc.stderr` become a `StreamWriter` / `StreamReader`.
 *
 * asyncio: `asyncio.subprocess.PIPE`.
 *
 * @example A pipe for stdout only
 * ```ts
 * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
 * import { DEVNULL, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const [transport] = yield* getRunningLoop().subprocessExec(
 *     () => new SubprocessProtocol(),
 *     "true",
 *     [],
 *     { stdin: DEVNULL, stdout: PIPE, stderr: DEVNULL },
 *   );
 *   assert.notEqual(transport.getPipeTransport(1), null);
 *   assert.equal(transport.getPipeTransport(0), null);
 *   transport.close();
 * }());
 * ```
 */
export const PIPE = "pipe" as const;

/**
 * For `stderr` only: merge the child's stderr into its stdout pipe, so the
 * stdout stream reads both. Deno.Command cannot redirect one into the other,
 * so the library reads both pipes into the one stream: the bytes of the two
 * interleave in the order they arrive here, chunk by chunk, which need not be
 * the exact order in which the child wrote them. `stdout` must be `PIPE` or
 * `DEVNULL` (then stderr is dropped too).
 *
 * asyncio: `asyncio.subprocess.STDOUT`.
 *
 * @example No separate stderr pipe
 * ```ts
 * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
 * import { PIPE, STDOUT } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const [transport] = yield* getRunningLoop().subprocessExec(
 *     () => new SubprocessProtocol(),
 *     "true",
 *     [],
 *     { stdout: PIPE, stderr: STDOUT },
 *   );
 *   assert.notEqual(transport.getPipeTransport(1), null);
 *   assert.equal(transport.getPipeTransport(2), null);
 *   transport.close();
 * }());
 * ```
 */
export const STDOUT = "stdout" as const;

/**
 * Connect the stream to the null device: input is empty, output is dropped.
 *
 * asyncio: `asyncio.subprocess.DEVNULL`.
 *
 * @example No pipes at all
 * ```ts
 * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
 * import { DEVNULL } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const [transport] = yield* getRunningLoop().subprocessExec(
 *     () => new SubprocessProtocol(),
 *     "true",
 *     [],
 *     { stdin: DEVNULL, stdout: DEVNULL, stderr: DEVNULL },
 *   );
 *   for (const fd of [0, 1, 2]) assert.equal(transport.getPipeTransport(fd), null);
 *   transport.close();
 * }());
 * ```
 */
export const DEVNULL = "null" as const;

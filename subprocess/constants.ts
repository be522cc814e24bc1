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
 * @example Reading a child's output
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const out = await run(function* () {
 *   const proc = yield* createSubprocessExec("echo", ["hi"], { stdout: PIPE });
 *   assert.equal(proc.stdin, null);
 *   const [stdout] = yield* proc.communicate();
 *   return new TextDecoder().decode(stdout!);
 * }());
 * assert.equal(out, "hi\n");
 * ```
 */
export const PIPE = "pipe" as const;

/**
 * For `stderr` only: merge the child's stderr into its stdout pipe, so
 * `proc.stdout` reads both. Deno.Command cannot redirect one into the other,
 * so the library reads both pipes into the one stream: the bytes of the two
 * interleave in the order they arrive here, chunk by chunk, which need not be
 * the exact order in which the child wrote them. `stdout` must be `PIPE` or
 * `DEVNULL` (then stderr is dropped too).
 *
 * asyncio: `asyncio.subprocess.STDOUT`.
 *
 * @example Errors and output in one stream
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessShell, PIPE, STDOUT } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const [out, err] = await run(function* () {
 *   const proc = yield* createSubprocessShell("echo oops >&2", {
 *     stdout: PIPE,
 *     stderr: STDOUT,
 *   });
 *   return yield* proc.communicate();
 * }());
 * assert.equal(new TextDecoder().decode(out!), "oops\n");
 * assert.equal(err, null);
 * ```
 */
export const STDOUT = "stdout" as const;

/**
 * Connect the stream to the null device: input is empty, output is dropped.
 *
 * asyncio: `asyncio.subprocess.DEVNULL`.
 *
 * @example Ignoring a child's output
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec, DEVNULL } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const code = await run(function* () {
 *   const proc = yield* createSubprocessExec("ls", ["/"], { stdout: DEVNULL });
 *   assert.equal(proc.stdout, null);
 *   return yield* proc.wait();
 * }());
 * assert.equal(code, 0);
 * ```
 */
export const DEVNULL = "null" as const;

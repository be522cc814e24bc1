/**
 * Subprocesses over `Deno.Command`: {@linkcode createSubprocessExec} and
 * {@linkcode createSubprocessShell} start a child and give a
 * {@linkcode Process} with streams over its pipes (`PIPE`, `DEVNULL`,
 * `"inherit"`, and `STDOUT` to merge stderr into stdout). Importing this
 * module also provides the low level, `loop.subprocessExec()` and
 * `loop.subprocessShell()` with a `SubprocessProtocol`.
 *
 * Running children needs `--allow-run`.
 *
 * @example Feeding a child and reading its output
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const [out, code] = await run(function* () {
 *   const proc = yield* createSubprocessExec("tr", ["a-z", "A-Z"], {
 *     stdin: PIPE,
 *     stdout: PIPE,
 *   });
 *   const [out] = yield* proc.communicate(new TextEncoder().encode("hello"));
 *   return [new TextDecoder().decode(out!), proc.returncode];
 * }());
 * assert.equal(out, "HELLO");
 * assert.equal(code, 0);
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./create_subprocess.ts";
export * from "./process.ts";

/**
 * Subprocesses: running child programs and talking to them through pipes,
 * over `Deno.Command`. Importing this module also provides
 * `loop.subprocessExec()` and `loop.subprocessShell()`.
 *
 * @example Running a program through the loop
 * ```ts
 * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
 * import { DEVNULL } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * class Exit extends SubprocessProtocol {
 *   exited = getRunningLoop().createFuture<void>();
 *   override processExited(): void {
 *     this.exited.setResult();
 *   }
 * }
 * const code = await run(function* () {
 *   const [transport, protocol] = yield* getRunningLoop().subprocessExec(
 *     () => new Exit(),
 *     "false",
 *     [],
 *     { stdin: DEVNULL, stdout: DEVNULL, stderr: DEVNULL },
 *   );
 *   yield* protocol.exited;
 *   transport.close();
 *   return transport.getReturncode();
 * }());
 * assert.equal(code, 1);
 * ```
 *
 * @module
 */

export * from "./constants.ts";

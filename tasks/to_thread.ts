/**
 * {@linkcode toThread}: run a function in a Worker of the loop's default
 * executor and wait for its result.
 *
 * @module
 */

import {
  checkWorkerFunction,
  type Coroutine,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import { getRunningLoop } from "../eventloop/registry.ts";

/**
 * Runs the function that `moduleUrl` exports as `exportName` in a Worker of
 * the running loop's default executor (a `WorkerPoolExecutor` unless
 * `loop.setDefaultExecutor()` set another), and returns its result: the
 * short form of `loop.runInExecutor(null, { moduleUrl, exportName },
 * ...args)`.
 *
 * Closures cannot cross to a Worker, so the function is named by its module
 * and export; the Worker imports the module. Arguments and result cross by
 * structured clone; an error thrown by the function is thrown here.
 * Cancelling the calling task abandons the result: a job already running
 * finishes in its Worker, as with asyncio's threads. `run()` shuts the
 * default executor down on exit.
 *
 * asyncio: `asyncio.to_thread()`.
 *
 * @typeParam T The function's result type.
 * @param moduleUrl The module's absolute URL, usually
 * `new URL("./work.ts", import.meta.url)`.
 * @param exportName The name of the exported function.
 * @param args Its arguments (structured-cloneable).
 * @returns A coroutine of the result, to `yield*`.
 * @throws {TypeError} If `moduleUrl` is not an absolute URL or `exportName`
 * is empty (at once), or the arguments or result cannot be cloned.
 * @throws The function's own error.
 *
 * @example CPU-bound work off the loop
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { toThread } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * // In a real program: export function fib(n) {...} in ./fib.ts, and
 * // toThread(new URL("./fib.ts", import.meta.url), "fib", 25).
 * const fibModule = "data:text/javascript," + encodeURIComponent(
 *   "export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }",
 * );
 * const value = await run(function* () {
 *   return yield* toThread<number>(fibModule, "fib", 25);
 * }());
 * assert.equal(value, 75025);
 * ```
 */
export function toThread<T = unknown>(
  moduleUrl: string | URL,
  exportName: string,
  ...args: unknown[]
): Coroutine<T> {
  const fn = checkWorkerFunction({ moduleUrl, exportName }, "toThread()");
  return watchCoroutine(runInDefaultExecutor<T>(fn, args), "toThread");
}

function* runInDefaultExecutor<T>(
  fn: { moduleUrl: string; exportName: string },
  args: unknown[],
): Coroutine<T> {
  return yield* getRunningLoop().runInExecutor<T>(null, fn, ...args);
}

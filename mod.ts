/**
 * asyncio for Deno: Python's asyncio — event loop, futures, tasks driven by
 * generator coroutines, structured concurrency, synchronization, queues,
 * streams and subprocesses — with the same semantics, on Deno.
 *
 * A coroutine is a generator function and `yield*` is `await`. A task is
 * cancelled by throwing `CancelledError` into the generator where it waits,
 * so `finally` blocks run.
 *
 * @example Hello, asyncio
 * ```ts
 * import { createTask, run, sleep } from "@asyncio/asyncio";
 * import assert from "node:assert/strict";
 *
 * function* greet(name: string, delay: number) {
 *   yield* sleep(delay);
 *   return `hello ${name}`;
 * }
 * const greetings = await run(function* () {
 *   const a = createTask(greet("a", 0.02));
 *   const b = createTask(greet("b", 0.01));
 *   return [yield* a, yield* b];
 * }());
 * assert.deepEqual(greetings, ["hello a", "hello b"]);
 * ```
 *
 * @module
 */

export * from "./eventloop/mod.ts";
export * from "./tasks/mod.ts";
export * from "./sync/mod.ts";
export * from "./queues/mod.ts";
export * from "./streams/mod.ts";
export * from "./subprocess/mod.ts";

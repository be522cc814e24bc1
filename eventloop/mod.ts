/**
 * The bottom layer: the event loop, futures, handles, the loop registry,
 * `run`/`Runner`, clocks, and the base errors.
 *
 * @example Running a main coroutine on virtual time
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const result = await run(function* () {
 *   yield* sleep(60);
 *   return "a minute later";
 * }(), { virtualTime: true });
 * assert.equal(result, "a minute later");
 * ```
 *
 * @module
 */

export * from "./clock.ts";
export * from "./errors.ts";
export * from "./event_loop.ts";
export * from "./executor.ts";
export * from "./future.ts";
export * from "./handle.ts";
export * from "./log.ts";
export * from "./registry.ts";
export * from "./runner.ts";
export * from "./subprocess_options.ts";
export * from "./network_options.ts";
export * from "./protocols.ts";
export * from "./server.ts";
export * from "./transports.ts";

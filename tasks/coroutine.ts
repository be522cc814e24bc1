/**
 * The {@linkcode Coroutine} type and {@linkcode isCoroutine}.
 *
 * @module
 */

import { type Coroutine, isGenerator } from "../eventloop/_lowlevel.ts";

export type { Coroutine };

/**
 * Whether `value` is a coroutine: a generator object, as made by calling a
 * generator function.
 *
 * asyncio: `asyncio.iscoroutine()`.
 *
 * @param value Anything.
 * @returns `true` for a generator object.
 *
 * @example Telling coroutines apart
 * ```ts
 * import { isCoroutine } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* work() {}
 * assert.ok(isCoroutine(work()));
 * assert.ok(!isCoroutine(work));
 * assert.ok(!isCoroutine(Promise.resolve()));
 * ```
 */
export function isCoroutine(value: unknown): value is Coroutine<unknown> {
  return isGenerator(value);
}

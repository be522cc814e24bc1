/**
 * {@linkcode isFuture}: whether a value is a Future (or a Task).
 *
 * @module
 */

import { Future } from "./future.ts";

/**
 * Whether `value` is a {@linkcode Future} of this module — a `Task` is one
 * too. A coroutine, a Promise or another thenable is not: wrap those with
 * `ensureFuture()` or `fromPromise()`.
 *
 * asyncio: `asyncio.isfuture()` (which also accepts foreign futures that
 * carry `_asyncio_future_blocking`; there are none here).
 *
 * @param value Anything.
 * @returns `true` for a Future or a Task.
 *
 * @example Futures, tasks and what is not one
 * ```ts
 * import { isFuture, newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop();
 * const task = loop.createTask(function* () {}());
 * assert.equal(isFuture(loop.createFuture()), true);
 * assert.equal(isFuture(task), true);
 * assert.equal(isFuture(function* () {}()), false);
 * assert.equal(isFuture(Promise.resolve(1)), false);
 * task.cancel();
 * loop.close();
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}

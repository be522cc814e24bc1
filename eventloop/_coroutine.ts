// The coroutine type. It lives here, at the bottom layer, because the loop and
// Future name it; tasks/coroutine.ts re-exports it as part of the public API.

import type { Future } from "./future.ts";

/**
 * A coroutine: a generator that yields `undefined` (give the loop one turn) or
 * a `Future` (suspend until it is done), and returns `T`. Written as a
 * generator function and awaited with `yield*`.
 */
export type Coroutine<T = unknown> = Generator<
  Future<unknown> | undefined,
  T,
  unknown
>;

// The one place that turns an awaitable into a Future (asyncio's
// `ensure_future`), for ensureFuture() and the functions that take
// awaitables, each named in its own errors.

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import {
  checkedCoro,
  type Coroutine,
  describeNonCoroutine,
  isGenerator,
  isPromiseLike,
} from "../eventloop/_lowlevel.ts";
import { fromPromise } from "./from_promise.ts";

/** Throws a TypeError naming `where` unless `value` can be awaited. */
export function checkAwaitable(value: unknown, where: string): void {
  if (value instanceof Future || isGenerator(value) || isPromiseLike(value)) {
    return;
  }
  throw notAwaitable(value, where);
}

function notAwaitable(value: unknown, where: string): TypeError {
  return new TypeError(
    `${where} expected a Future, a coroutine or a PromiseLike: received ${
      describeNonCoroutine(value)
    }`,
  );
}

/**
 * `value` itself if it is a Future; a Task on `loop` (else the running loop,
 * else the one set with `setEventLoop()`) for a coroutine; a Future on that
 * loop that follows a PromiseLike.
 */
export function toFuture<T>(
  value: Future<T> | Coroutine<T> | PromiseLike<T>,
  loop: EventLoop | undefined,
  where: string,
): Future<T> {
  if (value instanceof Future) return value;
  if (isGenerator(value)) {
    const target = loop ?? getEventLoop();
    checkedCoro.next = value;
    return target.createTask(value as Coroutine<T>);
  }
  if (isPromiseLike(value)) {
    return fromPromise(value, { loop: loop ?? getEventLoop() });
  }
  throw notAwaitable(value, where);
}

// The `aws` argument of wait() and asCompleted(): any iterable — an array, a
// Set, a Map's values(), an iterator helper (`tasks.values().filter(...)`),
// an object with [Symbol.iterator] — except a generator object. A generator
// object is what a coroutine is here, and JavaScript cannot tell a coroutine
// from a generator of futures without running it: asyncio refuses a
// coroutine passed as `aws`, so a generator object is refused too, with the
// way around it in the message.

import { Future } from "../eventloop/future.ts";
import { describeValue, isGenerator } from "../eventloop/_lowlevel.ts";

/** Throws a TypeError unless `aws` is an iterable that is not a coroutine. */
export function checkAwaitables(
  aws: unknown,
  where: string,
  what: string,
): void {
  if (isGenerator(aws)) {
    throw new TypeError(
      `${where} expects an iterable of ${what} as 'aws', and a generator object is a coroutine here: received a generator (to pass the items of a generator function, spread them: [...items()])`,
    );
  }
  if (
    aws === null || typeof aws !== "object" || aws instanceof Future ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `${where} expects an iterable of ${what} as 'aws': received ${
        describeValue(aws)
      }`,
    );
  }
}

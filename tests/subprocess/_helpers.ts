// What the subprocess tests share.

import assert from "node:assert/strict";
import { CancelledError } from "../../eventloop/mod.ts";
import type { Coroutine, Task } from "../../tasks/mod.ts";

/** `size` bytes of a pattern that no short repeat can fake. */
export function pattern(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  return data;
}

/** Asserts that `task` ends cancelled. */
export function* assertCancelled(task: Task<unknown>): Coroutine<void> {
  try {
    yield* task;
    assert.fail(`${task} should have been cancelled`);
  } catch (error) {
    assert.ok(error instanceof CancelledError, String(error));
  }
  assert.ok(task.cancelled());
}

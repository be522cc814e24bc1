// What `task.getStack()` and `task.printStack()` can show of a suspended
// generator. Its frames cannot be inspected from JavaScript, so the "stack"
// is the chain of futures it waits on: the future or task it is suspended
// in (`yield* other`), what that task waits on in turn, down to a future
// that is not a task. In debug mode each task also knows where it was made.
//
// Tasks are recognised by their members, not with `instanceof Task`, so that
// task.ts can import this file without an import cycle.

import type { Future } from "../eventloop/future.ts";
import { describeValue, sourceTraceback } from "../eventloop/_lowlevel.ts";

/** The members of a Task this file reads. */
interface TaskLike extends Future<unknown> {
  _futWaiter: Future<unknown> | null;
  getName(): string;
}

function isTaskLike(future: Future<unknown>): future is TaskLike {
  return "_futWaiter" in future &&
    typeof (future as TaskLike).getName === "function";
}

/** `Task 'name' (state)` or `Future (state)`: one line of a stack or graph. */
export function describeFuture(future: Future<unknown>): string {
  const state = future.cancelled()
    ? "cancelled"
    : future.done()
    ? "finished"
    : "pending";
  if (isTaskLike(future)) {
    return `${future.constructor.name} '${future.getName()}' (${state})`;
  }
  const label = (future as { _callGraphLabel?: string })._callGraphLabel;
  return `${label ?? future.constructor.name} (${state})`;
}

/** Checks `limit`: `undefined`/`null` (no limit) or a non-negative integer. */
export function checkStackLimit(limit: unknown, where: string): number | null {
  if (limit === undefined || limit === null) return null;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    throw new RangeError(
      `${where}'s 'limit' must be a non-negative integer or null: received ${
        describeValue(limit)
      }`,
    );
  }
  return limit;
}

/**
 * The chain of futures `task` waits on, outermost first; with `limit`, the
 * innermost (newest) `limit` of them, as Python keeps the newest frames of a
 * stack.
 */
export function taskStack(
  task: Future<unknown>,
  limit: number | null,
): Future<unknown>[] {
  const chain: Future<unknown>[] = [];
  if (task.done()) return chain;
  const seen = new Set<Future<unknown>>([task]);
  let current: Future<unknown> = task;
  while (isTaskLike(current)) {
    const next: Future<unknown> | null = current._futWaiter;
    if (next === null || seen.has(next)) break;
    chain.push(next);
    seen.add(next);
    current = next;
  }
  return limit === null ? chain : chain.slice(chain.length - limit);
}

/** The text `task.printStack()` writes. */
export function formatTaskStack(
  task: Future<unknown>,
  limit: number | null,
): string {
  const name = describeFuture(task);
  if (task.done()) {
    const error = task.cancelled() ? undefined : task.exception();
    if (error === undefined) return `No stack for ${name}`;
    // JavaScript keeps the stack where the error was made, newest first.
    const stack = error instanceof Error && error.stack
      ? error.stack
      : String(error);
    return `Traceback for ${name} (most recent call first):\n${stack}`;
  }
  const chain = taskStack(task, limit);
  const lines: string[] = [];
  // Where each task was made (debug mode); a plain future is most often made
  // inside this module, where its origin would tell little.
  const where = (future: Future<unknown>) => {
    if (!isTaskLike(future)) return;
    const origin = sourceTraceback(future)?.split("\n")[0]?.trim();
    if (origin) lines.push(`    created ${origin}`);
  };
  if (chain.length === 0) {
    lines.push(`No stack for ${name}: it is running or ready to run`);
    where(task);
    return lines.join("\n");
  }
  lines.push(`Stack for ${name} (most recent call last):`);
  where(task);
  for (const future of chain) {
    lines.push(`  awaits ${describeFuture(future)}`);
    where(future);
  }
  return lines.join("\n");
}

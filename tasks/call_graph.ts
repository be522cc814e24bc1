/**
 * {@linkcode captureCallGraph}, {@linkcode formatCallGraph},
 * {@linkcode printCallGraph} and {@linkcode dumpTasks}: what a task waits on,
 * who waits on it, and every live task at once — what to reach for when a
 * program hangs.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import { getEventLoop } from "../eventloop/registry.ts";
import { Task } from "./task.ts";
import type { FanOut } from "./_call_graph_hooks.ts";
import { describeFuture } from "./_task_stack.ts";
import {
  callbacksOf,
  checkOptionNames,
  currentTaskOf,
  describeValue,
  runningLoop,
  sourceTraceback,
  tasksOf,
} from "../eventloop/_lowlevel.ts";
import {
  CALL_GRAPH_OPTIONS,
  DUMP_TASKS_OPTIONS,
  PRINT_CALL_GRAPH_OPTIONS,
} from "./_options.ts";
import { checkLoop } from "./_signal.ts";

/** A task (or future) waiting on the graph's future, and who waits on it. */
export interface AwaitedBy {
  /** The waiting task. */
  task: Task<unknown>;
  /** The tasks waiting on that task, and so on up. */
  awaitedBy: AwaitedBy[];
}

/**
 * One future of a fan-out (the tasks of a `TaskGroup`, the children of
 * `gather`) and what it waits on in turn.
 */
export interface AwaitedFuture {
  /** The future. */
  future: Future<unknown>;
  /** The chain it waits on, as in {@linkcode FutureCallGraph.awaits}. */
  awaits: Future<unknown>[];
  /** The futures the end of that chain waits for all of, if any. */
  awaitsAll: AwaitedFuture[];
}

/**
 * What {@linkcode captureCallGraph} returns: a future, the chain of futures
 * it waits on (fanning out where a `TaskGroup` or `gather` waits for several),
 * and the tree of tasks that wait on it.
 */
export interface FutureCallGraph {
  /** The future (usually a task) the graph is about. */
  future: Future<unknown>;
  /**
   * The chain downwards: `future` waits on `awaits[0]`; if that is a task, it
   * waits on `awaits[1]`, and so on to a future that is not a task waiting
   * on anything. Empty when `future` waits on nothing (done, running, or
   * ready to run).
   */
  awaits: Future<unknown>[];
  /**
   * When the last future of `awaits` (or `future` itself, when `awaits` is
   * empty) waits for several — a task group's tasks, `gather`'s children —
   * those, each with what it waits on; else empty.
   */
  awaitsAll: AwaitedFuture[];
  /** The tasks waiting on `future`, each with those waiting on it. */
  awaitedBy: AwaitedBy[];
}

/** Options of {@linkcode captureCallGraph} and {@linkcode formatCallGraph}. */
export interface CallGraphOptions {
  /**
   * The most links followed in each direction (a guard against very deep
   * chains).
   *
   * @default {100}
   */
  limit?: number;
}

/** Options of {@linkcode printCallGraph} and {@linkcode dumpTasks}. */
export interface PrintOptions {
  /**
   * Receives the text.
   *
   * @default {console.log}
   */
  write?: (text: string) => void;
}

/**
 * Captures what a task waits on, down to the last future of the chain, and
 * which tasks wait on it, up to the tasks nobody waits on.
 *
 * A task suspended in `yield* other` waits on `other`; if that is a task, the
 * chain goes on through what it waits on. Where the chain reaches a
 * `taskGroup()` waiting for its tasks, or `gather()` waiting for its children,
 * it fans out (`awaitsAll`) to each of them and what they wait on. Generator frames cannot be
 * inspected in JavaScript, so the graph links tasks and futures, not lines of
 * code (asyncio 3.14 adds the coroutine frames).
 *
 * asyncio: `asyncio.capture_call_graph()` (3.14).
 *
 * @param future The task or future; by default the current task.
 * @param options The most links to follow.
 * @returns The graph, or `null` when no future is given and no task runs.
 * @throws {TypeError} If `future` is not a Future, or an option is unknown
 * or of the wrong type.
 * @throws {RangeError} If `limit` is not a non-negative integer.
 *
 * @example The chain of a task waiting on a task waiting on a sleep
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { captureCallGraph, createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const leaf = createTask(sleep(10), { name: "leaf" });
 *   const middle = createTask(function* () { yield* leaf; }(), { name: "middle" });
 *   yield* sleep(1);
 *   const graph = captureCallGraph(middle)!;
 *   assert.equal(graph.awaits[0], leaf);
 *   assert.equal(graph.awaits.length, 2); // leaf, then the sleep's future
 *   assert.equal(captureCallGraph(leaf)!.awaitedBy[0].task, middle);
 *   yield* middle;
 * }(), { virtualTime: true });
 * ```
 */
export function captureCallGraph(
  future?: Future<unknown>,
  options?: CallGraphOptions,
): FutureCallGraph | null {
  if (options !== undefined) {
    checkOptionNames(options, CALL_GRAPH_OPTIONS, "call captureCallGraph()");
  }
  const limit = checkLimit(options?.limit);
  let root: Future<unknown> | null;
  if (future === undefined) {
    const loop = runningLoop();
    root = loop === null ? null : currentTaskOf(loop);
    if (root === null) return null;
  } else if (future instanceof Future) {
    root = future;
  } else {
    throw new TypeError(
      `captureCallGraph()'s 'future' must be a Future or a Task: received ${
        describeValue(future)
      }`,
    );
  }
  const seen = new Set<Future<unknown>>([root]);
  const { awaits, awaitsAll } = followDown(root, limit, seen);
  return {
    future: root,
    awaits,
    awaitsAll,
    awaitedBy: waitersOf(root, limit, new Set([root])),
  };
}

/** The chain below `future`, and the fan-out at its end. */
function followDown(
  future: Future<unknown>,
  budget: number,
  seen: Set<Future<unknown>>,
): { awaits: Future<unknown>[]; awaitsAll: AwaitedFuture[] } {
  const awaits: Future<unknown>[] = [];
  let current: Future<unknown> = future;
  while (awaits.length < budget && current instanceof Task) {
    const next: Future<unknown> | null = current._futWaiter;
    if (next === null || seen.has(next)) break;
    awaits.push(next);
    seen.add(next);
    current = next;
  }
  const awaitsAll: AwaitedFuture[] = [];
  const left = budget - awaits.length;
  const children = (current as Future<unknown> & FanOut)._callGraphChildren;
  if (left > 0 && typeof children === "function") {
    for (const child of children.call(current)) {
      if (seen.has(child)) continue;
      seen.add(child);
      awaitsAll.push({ future: child, ...followDown(child, left - 1, seen) });
    }
  }
  return { awaits, awaitsAll };
}

/** The tasks registered to wake when `future` is done, recursively. */
function waitersOf(
  future: Future<unknown>,
  budget: number,
  seen: Set<Future<unknown>>,
): AwaitedBy[] {
  if (budget <= 0) return [];
  const result: AwaitedBy[] = [];
  for (const callback of callbacksOf(future)) {
    if (!(callback instanceof Task) || seen.has(callback)) continue;
    seen.add(callback);
    result.push({
      task: callback,
      awaitedBy: waitersOf(callback, budget - 1, seen),
    });
  }
  return result;
}

/**
 * Formats the graph of {@linkcode captureCallGraph} as text: the future, the
 * chain it waits on (each line `└─ awaits ...`), and the tasks that wait on
 * it.
 *
 * asyncio: `asyncio.format_call_graph()` (3.14).
 *
 * @param future The task or future; by default the current task.
 * @param options The most links to follow.
 * @returns The text; `""` when no future is given and no task runs.
 * @throws {TypeError} If `future` is not a Future, or an option is unknown
 * or of the wrong type.
 * @throws {RangeError} If `limit` is not a non-negative integer.
 *
 * @example Formatting the chain of nested tasks
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, formatCallGraph, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await run(function* () {
 *   const inner = createTask(sleep(5), { name: "inner" });
 *   const outer = createTask(function* () { yield* inner; }(), { name: "outer" });
 *   yield* sleep(1);
 *   assert.equal(
 *     formatCallGraph(outer),
 *     [
 *       "Task 'outer' (pending)",
 *       "└─ awaits Task 'inner' (pending)",
 *       "   └─ awaits Future (pending)",
 *     ].join("\n"),
 *   );
 *   yield* outer;
 * }(), { virtualTime: true });
 * ```
 */
export function formatCallGraph(
  future?: Future<unknown>,
  options?: CallGraphOptions,
): string {
  if (options !== undefined) {
    checkOptionNames(options, CALL_GRAPH_OPTIONS, "call formatCallGraph()");
  }
  const graph = captureCallGraph(future, options);
  if (graph === null) return "";
  const lines = [describeNode(graph)];
  formatDown(graph, "", lines);
  if (graph.awaitedBy.length > 0) {
    lines.push("awaited by:");
    formatAwaitedBy(graph.awaitedBy, "", lines);
  }
  return lines.join("\n");
}

/** A future's line: its description, and the fan-out to come, if any. */
function describeNode(
  node: { future: Future<unknown>; awaits: unknown[]; awaitsAll: unknown[] },
): string {
  const fans = node.awaits.length === 0 && node.awaitsAll.length > 0;
  return describeFuture(node.future) + (fans ? ", waiting for:" : "");
}

/** The lines below a future: its chain, then the fan-out at its end. */
function formatDown(
  node: { awaits: Future<unknown>[]; awaitsAll: AwaitedFuture[] },
  indent: string,
  lines: string[],
): void {
  const { awaits, awaitsAll } = node;
  awaits.forEach((link, i) => {
    const fans = i === awaits.length - 1 && awaitsAll.length > 0;
    lines.push(
      `${indent}└─ awaits ${describeFuture(link)}${
        fans ? ", waiting for:" : ""
      }`,
    );
    indent += "   ";
  });
  awaitsAll.forEach((child, i) => {
    const last = i === awaitsAll.length - 1;
    lines.push(`${indent}${last ? "└─" : "├─"} ${describeNode(child)}`);
    formatDown(child, indent + (last ? "   " : "│  "), lines);
  });
}

function formatAwaitedBy(
  nodes: AwaitedBy[],
  indent: string,
  lines: string[],
): void {
  nodes.forEach((node, i) => {
    const last = i === nodes.length - 1;
    lines.push(`${indent}${last ? "└─" : "├─"} ${describeFuture(node.task)}`);
    formatAwaitedBy(node.awaitedBy, indent + (last ? "   " : "│  "), lines);
  });
}

/**
 * Prints {@linkcode formatCallGraph}'s text (to the console, or to `write`).
 *
 * asyncio: `asyncio.print_call_graph()` (3.14).
 *
 * @param future The task or future; by default the current task.
 * @param options Where to write, and the most links to follow.
 * @throws {TypeError} If `future` is not a Future, or an option is unknown
 * or of the wrong type.
 * @throws {RangeError} If `limit` is not a non-negative integer.
 *
 * @example Printing who waits on a future
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, printCallGraph, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * let text = "";
 * await run(function* () {
 *   const signal = getRunningLoop().createFuture();
 *   createTask(function* () { yield* signal; }(), { name: "waiter" });
 *   yield* sleep(0);
 *   printCallGraph(signal, { write: (t) => text = t });
 *   signal.setResult(undefined);
 * }());
 * assert.equal(text, "Future (pending)\nawaited by:\n└─ Task 'waiter' (pending)");
 * ```
 */
export function printCallGraph(
  future?: Future<unknown>,
  options?: PrintOptions & CallGraphOptions,
): void {
  if (options !== undefined) {
    checkOptionNames(
      options,
      PRINT_CALL_GRAPH_OPTIONS,
      "call printCallGraph()",
    );
  }
  const write = checkWrite(options?.write, "printCallGraph()");
  const limit = options?.limit;
  write(formatCallGraph(future, limit === undefined ? undefined : { limit }));
}

/** Options of {@linkcode dumpTasks}. */
export interface DumpTasksOptions extends PrintOptions {
  /**
   * The loop whose tasks are listed.
   *
   * @default {the running loop, else the one set with `setEventLoop`}
   */
  loop?: EventLoop;
}

/**
 * Prints every task of the loop that is not done, with its name, its state
 * (running, ready to run, or waiting) and the chain of what it waits on; in
 * debug mode, also where it was created. Call it from a timer or a signal
 * handler when a program seems to hang.
 *
 * asyncio: none (asyncio 3.14 has `python -m asyncio ps` / `pstree`).
 *
 * @param options The loop, and where to write.
 * @returns The text that was written.
 * @throws {Error} If no loop is given and none is running or set.
 * @throws {TypeError} If an option is unknown or of the wrong type.
 *
 * @example Listing the tasks of a hung program
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import { createTask, dumpTasks, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const text = await run(function* () {
 *   const never = getRunningLoop().createFuture();
 *   const stuck = createTask(function* () { yield* never; }(), { name: "stuck" });
 *   createTask(function* () { yield* stuck; }(), { name: "waiting-for-stuck" });
 *   yield* sleep(0);
 *   return dumpTasks({ write: () => {} });
 * }(), { virtualTime: true });
 * assert.match(text, /^3 tasks not done:$/m);
 * assert.match(text, /^- Task 'stuck' \(pending\): waiting\n  └─ awaits Future \(pending\)$/m);
 * assert.match(text, /Task 'waiting-for-stuck' \(pending\): waiting\n  └─ awaits Task 'stuck'/);
 * ```
 */
export function dumpTasks(options?: DumpTasksOptions): string {
  if (options !== undefined) {
    checkOptionNames(options, DUMP_TASKS_OPTIONS, "call dumpTasks()");
    checkLoop(options?.loop, "dumpTasks()");
  }
  const write = checkWrite(options?.write, "dumpTasks()");
  const loop = options?.loop ?? getEventLoop();
  const tasks = [...tasksOf(loop)].filter((task) => !task.done());
  const lines = [
    `${tasks.length} ${tasks.length === 1 ? "task" : "tasks"} not done:`,
  ];
  for (const task of tasks) {
    let state: string;
    if (currentTaskOf(loop) === task) state = "running";
    else if (task._futWaiter === null) state = "ready to run";
    else state = "waiting";
    lines.push(`- ${describeFuture(task)}: ${state}`);
    formatDown(captureCallGraph(task)!, "  ", lines);
    const origin = sourceTraceback(task)?.split("\n")[0];
    if (origin) lines.push(`  created ${origin}`);
  }
  const text = lines.join("\n");
  write(text);
  return text;
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return 100;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    const message =
      `The call graph's 'limit' must be a non-negative integer: received ${
        describeValue(limit)
      }`;
    throw typeof limit === "number"
      ? new RangeError(message)
      : new TypeError(message);
  }
  return limit;
}

function checkWrite(
  write: unknown,
  where: string,
): (text: string) => void {
  if (write === undefined) return (text) => console.log(text);
  if (typeof write !== "function") {
    throw new TypeError(
      `${where}'s 'write' must be a function: received ${describeValue(write)}`,
    );
  }
  return write as (text: string) => void;
}

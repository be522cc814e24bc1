// How a future that stands for several others (a TaskGroup's wait, gather's
// outer future) shows them to the call graph: duck-typed internal members,
// so the futures pay nothing unless they opt in.

import type { Future } from "../eventloop/future.ts";

/** The optional members `captureCallGraph()` looks for on a future. */
export interface FanOut {
  /** The futures this one waits for. */
  _callGraphChildren?: () => Iterable<Future<unknown>>;
  /** A name for the future in graphs, such as "TaskGroup". */
  _callGraphLabel?: string;
}

/** Marks `future` as waiting for `children`, shown under `label`. */
export function markFanOut(
  future: Future<unknown>,
  label: string,
  children: () => Iterable<Future<unknown>>,
): void {
  const fan = future as Future<unknown> & FanOut;
  fan._callGraphLabel = label;
  fan._callGraphChildren = children;
}

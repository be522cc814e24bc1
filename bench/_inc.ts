// The function executor_bench.ts runs in a Worker.

/** Adds one. */
export function inc(n: number): number {
  return n + 1;
}

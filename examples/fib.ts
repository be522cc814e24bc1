// A CPU-bound function for examples/cpu_offload.ts and the README: a Worker
// imports this module by URL and calls the export by name, because closures
// cannot cross to a Worker.

/** The n-th Fibonacci number, the slow way (CPU-bound on purpose). */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

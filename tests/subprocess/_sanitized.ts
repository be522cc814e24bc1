// Deno 2.9 runs tests with the ops and resources sanitizers off unless asked:
// these tests about child processes and pipes turn them on, so that a leaked
// child, status op or pipe fails the test.

/** `Deno.test` with the ops, resources and exit sanitizers on. */
export function test(
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  Deno.test({
    name,
    fn,
    sanitizeOps: true,
    sanitizeResources: true,
    sanitizeExit: true,
  });
}

/**
 * A Deno lint plugin that catches the mistakes of generator coroutines,
 * which TypeScript lets through: a coroutine made and never run, awaited
 * with `await`, or yielded with `yield` instead of `yield*`, and a method
 * handed to the loop without its object. Turn it on in `deno.json`:
 *
 * ```json
 * { "lint": { "plugins": ["jsr:@asyncio/asyncio/lint"] } }
 * ```
 *
 * Its rules (`asyncio/<name>`; switch one off on a line with
 * `// deno-lint-ignore asyncio/<name>`):
 *
 * - `no-floating-coroutine`: `sleep(1);` on its own line makes a coroutine
 *   that never runs (also a coroutine returned to `callSoon()`). Fix:
 *   `yield* sleep(1);` inside a generator function.
 * - `no-await-coroutine`: `await sleep(1)` resolves at once, without
 *   sleeping (a generator is not a promise); so does `Promise.all()` of
 *   coroutines.
 * - `no-plain-yield-coroutine`: `yield sleep(1)` hands the coroutine to the
 *   task instead of running it. Fix: `yield* sleep(1)`.
 * - `no-unbound-callback`: `loop.callSoon(task.cancel)` loses `this`. Fix:
 *   `loop.callSoon(() => task.cancel())`.
 *
 * They need no type information: a call makes a coroutine when its callee is
 * a generator function or method written in the file, or one of the module's
 * coroutine functions and methods (derived from its exports), on an object
 * the file shows to be one of its classes. What the file cannot show (a
 * coroutine function imported from another file of yours) is not reported.
 *
 * @example Running the plugin on a file in a test
 * ```ts
 * import plugin from "@asyncio/asyncio/lint";
 * import assert from "node:assert/strict";
 *
 * const source = `
 * import { sleep } from "@asyncio/asyncio";
 * export function* main() {
 *   sleep(1);
 * }`;
 * const [diagnostic] = Deno.lint.runPlugin(plugin, "main.ts", source);
 * assert.equal(diagnostic.id, "asyncio/no-floating-coroutine");
 * assert.equal(
 *   diagnostic.message,
 *   "`sleep(...)` makes a coroutine that is dropped here, so it never runs",
 * );
 * ```
 *
 * @module
 */

import { noAwaitCoroutine } from "./_no_await_coroutine.ts";
import { noFloatingCoroutine } from "./_no_floating_coroutine.ts";
import { noPlainYieldCoroutine } from "./_no_plain_yield_coroutine.ts";
import { noUnboundCallback } from "./_no_unbound_callback.ts";

/** The plugin: `asyncio/no-floating-coroutine` and the other rules. */
const plugin: Deno.lint.Plugin = {
  name: "asyncio",
  rules: {
    "no-floating-coroutine": noFloatingCoroutine,
    "no-await-coroutine": noAwaitCoroutine,
    "no-plain-yield-coroutine": noPlainYieldCoroutine,
    "no-unbound-callback": noUnboundCallback,
  },
};

export default plugin;

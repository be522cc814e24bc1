/**
 * {@linkcode run} and {@linkcode Runner}: the entry points that run a main
 * coroutine on a fresh loop and clean up after it.
 *
 * @module
 */

import { EventLoop, type EventLoopOptions } from "./event_loop.ts";
import { type Coroutine, GENERATOR_NEXT } from "./_coroutine.ts";
import { loopState } from "./_state.ts";
import { describeValue, isGenerator } from "./_util.ts";
import { CancelledError, KeyboardInterrupt } from "./errors.ts";
import { hasSignalHandler } from "./_signals.ts";
import { reapKilledChildren } from "./_subprocess_hook.ts";
import { settleInFlight } from "./_in_flight.ts";
import { getLogger } from "./log.ts";
import { checkLoopOptions, RUN_OPTIONS } from "./_options.ts";

/**
 * How long `Runner.close()` waits for the default executor's jobs, in
 * seconds (asyncio's `constants.THREAD_JOIN_TIMEOUT`).
 */
const THREAD_JOIN_TIMEOUT = 300;

/**
 * How long `Runner.close()` waits for the children it killed to be reaped,
 * in seconds: SIGKILL ends a child at once, unless the kernel holds it in an
 * uninterruptible wait.
 */
const REAP_TIMEOUT = 10;

/** Options of {@linkcode run} and {@linkcode Runner}. */
export interface RunOptions extends EventLoopOptions {
  /**
   * Makes the loop, instead of `new EventLoop(options)`.
   *
   * @default {undefined}
   */
  loopFactory?: () => EventLoop;
}

/**
 * Runs coroutines one after another on one loop, and closes it at the end:
 * the remaining tasks are cancelled and awaited first.
 *
 * `await using` closes it at the end of a scope.
 *
 * asyncio: `asyncio.Runner`.
 *
 * @example Two runs on one loop
 * ```ts
 * import { Runner } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * await using runner = new Runner({ virtualTime: true });
 * assert.equal(await runner.run(function* () { yield* sleep(1); return 1; }()), 1);
 * assert.equal(await runner.run(function* () { yield* sleep(1); return 2; }()), 2);
 * assert.equal(runner.getLoop().time(), 2);
 * ```
 */
export class Runner {
  #options: RunOptions;
  #loop: EventLoop | null = null;
  #closed = false;
  #setCurrent = false;

  /**
   * Makes a runner; the loop is made on first use.
   *
   * @param options The loop's clock and debug mode, or a loop factory
   * (whose loop gets `debug` too, as in asyncio).
   * @throws {TypeError} If an option is unknown or of the wrong type, or a
   * clock (`clock`, `virtualTime`) is given with `loopFactory`, which makes
   * the loop and its clock.
   */
  constructor(options?: RunOptions) {
    if (options !== undefined) checkRunOptions(options, "create Runner");
    this.#options = { ...options };
  }

  /**
   * Runs a coroutine as a task on the runner's loop and returns its result.
   *
   * asyncio: `Runner.run()`.
   *
   * @typeParam T The result type.
   * @param coro A coroutine, or a generator function to call for one.
   * @returns Its result.
   * @throws Its error; {@linkcode CancelledError} if it was cancelled.
   * @throws {Error} At once, not as a rejected promise, if called from a
   * running loop (a promise rejected there could go unobserved).
   * @throws {Error} If called after `close()`.
   * @throws {TypeError} If `coro` is not a coroutine, or its result is a
   * thenable (see `loop.runUntilComplete()`).
   */
  run<T>(coro: Coroutine<T> | (() => Coroutine<T>)): Promise<T> {
    refuseInRunningLoop(coro, "Runner.run()");
    return this.#run(coro);
  }

  async #run<T>(coro: Coroutine<T> | (() => Coroutine<T>)): Promise<T> {
    const main = toCoroutine(coro, "Runner.run()");
    const loop = this.#lazyInit();
    exitOnUncaughtKeyboardInterrupt();
    const task = loop.createTask(main);
    // Ctrl-C cancels the main task, so its finally blocks run (asyncio's
    // Runner._on_sigint); a second Ctrl-C ends the process. A program that
    // handles SIGINT itself with loop.addSignalHandler() keeps it.
    let interrupts = 0;
    const onSigint = () => {
      if (hasSignalHandler(loop, "SIGINT")) return;
      interrupts++;
      if (interrupts === 1 && !task.done() && !loop.isClosed()) {
        loop.callSoonThreadsafe(() => task.cancel());
        return;
      }
      Deno.removeSignalListener("SIGINT", onSigint);
      Deno.kill(Deno.pid, "SIGINT");
    };
    const listening = listenForSigint(onSigint);
    try {
      return await loop.runUntilComplete(task);
    } catch (error) {
      if (
        interrupts > 0 && error instanceof CancelledError &&
        task.uncancel() === 0
      ) {
        throw new KeyboardInterrupt();
      }
      throw error;
    } finally {
      if (listening) Deno.removeSignalListener("SIGINT", onSigint);
    }
  }

  /**
   * The runner's loop (made now if needed).
   *
   * @returns The loop.
   * @throws {Error} If the runner is closed.
   */
  getLoop(): EventLoop {
    return this.#lazyInit();
  }

  /**
   * Cancels the tasks still pending, waits for them, shuts the default
   * executor down (waiting up to 300 seconds for its jobs, as asyncio does),
   * and closes the loop; the child processes that closing killed are reaped
   * (waited for) before it returns, so none is left a zombie, and I/O that
   * cannot be cancelled (a name lookup a cancelled task was waiting for) is
   * waited for too, each for at most 10 seconds.
   * Errors of those tasks go to the loop's exception handler. Idempotent.
   *
   * asyncio: `Runner.close()`.
   */
  async close(): Promise<void> {
    const loop = this.#loop;
    if (this.#closed) return;
    this.#closed = true;
    if (loop === null) return;
    try {
      await cancelAllTasks(loop);
    } finally {
      try {
        // asyncio's runner does the same: no Worker outlives the loop.
        if (loop._hasDefaultExecutor && !loop.isClosed()) {
          await loop.runUntilComplete(
            loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT),
          );
        }
      } finally {
        if (this.#setCurrent && loopState.current === loop) {
          loopState.current = null;
        }
        loop.close();
        // Closing killed the children still running; they are reaped
        // before close() returns, so none is left a zombie.
        // The I/O its cancelled tasks started and Deno cannot cancel (a
        // name lookup) settles too, so no op outlives run().
        const [left] = await Promise.all([
          reapKilledChildren(loop, REAP_TIMEOUT),
          settleInFlight(loop, REAP_TIMEOUT),
        ]);
        if (left > 0) {
          getLogger().warning(
            `${left} child process(es) killed as the loop closed were not reaped within ${REAP_TIMEOUT} seconds`,
            { extra: { loop } },
          );
        }
      }
    }
  }

  /**
   * Closes the runner: `await using runner = new Runner()`.
   *
   * @returns A promise that settles once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #lazyInit(): EventLoop {
    if (this.#closed) throw new Error("Runner is closed");
    if (this.#loop === null) {
      const { loopFactory, ...loopOptions } = this.#options;
      const loop = loopFactory ? loopFactory() : new EventLoop(loopOptions);
      if (!(loop instanceof EventLoop)) {
        throw new TypeError(
          `Runner's 'loopFactory' must return an EventLoop: received ${
            describeValue(loop)
          }`,
        );
      }
      // asyncio's Runner sets debug on the loop its factory made.
      const debug = this.#options.debug;
      if (loopFactory && debug !== undefined) loop.setDebug(debug);
      this.#loop = loop;
      if (loopState.current === null) {
        loopState.current = this.#loop;
        this.#setCurrent = true;
      }
    }
    return this.#loop;
  }
}

/**
 * Runs a main coroutine on a new event loop and returns its result (or throws
 * its error). Afterwards every task still pending is cancelled and awaited,
 * the default executor is shut down, and the loop is closed; child processes
 * still running are killed and reaped before it returns.
 *
 * While it runs, Ctrl-C cancels the main task (its `finally` blocks run) and
 * `run()` then throws {@linkcode KeyboardInterrupt}; a second Ctrl-C ends the
 * process. asyncio installs this only while SIGINT has Python's default
 * handler; here it stands aside whenever the program has its own SIGINT
 * handler on the loop (`loop.addSignalHandler`), checked at each signal.
 * A `KeyboardInterrupt` that nobody catches ends the program by SIGINT
 * (exit status 130), as Python does, rather than with Deno's status 1.
 *
 * asyncio: `asyncio.run()`.
 *
 * The result cannot be a thenable: a coroutine that returns a `Future` or a
 * `Task` makes `run()` reject with a `TypeError` that shows the fix
 * (`return yield* task`), as a Promise cannot be fulfilled with a thenable.
 *
 * @typeParam T The result type.
 * @param main The main coroutine, or a generator function to call for it.
 * @param options `debug`, the clock (`virtualTime: true`), or a loop factory.
 * @returns A promise of the coroutine's result.
 * @throws {Error} At once, not as a rejected promise, if called from a
 * running loop (a promise rejected there could go unobserved).
 * @throws {TypeError} At once if an option is unknown or of the wrong type,
 * or a clock is given with `loopFactory` (see {@linkcode Runner}).
 * @throws {TypeError} If `main` is not a coroutine, or returns a thenable.
 *
 * @example Running a main coroutine
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * function* main() {
 *   yield* sleep(0.01);
 *   return "hello";
 * }
 * assert.equal(await run(main()), "hello");
 * ```
 */
export function run<T>(
  main: Coroutine<T> | (() => Coroutine<T>),
  options?: RunOptions,
): Promise<T> {
  refuseInRunningLoop(main, "run()");
  if (options !== undefined) checkRunOptions(options, "call run()");
  return runMain(main, options);
}

async function runMain<T>(
  main: Coroutine<T> | (() => Coroutine<T>),
  options?: RunOptions,
): Promise<T> {
  const coro = toCoroutine(main, "run()");
  const runner = new Runner(options);
  try {
    return await runner.run(coro);
  } finally {
    await runner.close();
  }
}

/** Checks the options of `run()` and `Runner`. */
function checkRunOptions(options: RunOptions, what: string): void {
  checkLoopOptions(options, what, RUN_OPTIONS);
  if (options === null) return;
  const factory = options.loopFactory;
  if (factory === undefined) return;
  if (typeof factory !== "function") {
    throw new TypeError(
      `Cannot ${what} as 'loopFactory' must be a function: received ${
        describeValue(factory)
      }`,
    );
  }
  for (const name of ["clock", "virtualTime"] as const) {
    if (options[name] !== undefined) {
      throw new TypeError(
        `Cannot ${what} as '${name}' cannot be given with 'loopFactory': the factory makes the loop and its clock (pass the clock to the loop it makes)`,
      );
    }
  }
}

/**
 * Throws at once if a loop is running (a rejected promise could go
 * unobserved there, and Deno ends the process on those), closing a
 * coroutine that will not run.
 */
function refuseInRunningLoop(main: unknown, where: string): void {
  if (loopState.running === null) return;
  // Only a plain generator nobody runs is closed: closing a task's
  // coroutine (whose own next() was replaced) would end that task.
  if (isGenerator(main) && main.next === GENERATOR_NEXT) {
    main.return(undefined);
  }
  throw new Error(`${where} cannot be called from a running event loop`);
}

function toCoroutine<T>(
  value: Coroutine<T> | (() => Coroutine<T>),
  where: string,
): Coroutine<T> {
  const coro = typeof value === "function" ? value() : value;
  if (!isGenerator(coro)) {
    throw new TypeError(
      `${where} expected a coroutine (a generator object, or a generator function): received ${
        describeValue(coro)
      }`,
    );
  }
  return coro;
}

/** asyncio's `runners._cancel_all_tasks`. */
async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const tasks = [...loop._tasks].filter((task) => !task.done());
  if (tasks.length === 0) return;
  for (const task of tasks) task.cancel();
  const allDone = loop.createFuture<void>();
  let remaining = tasks.length;
  const onDone = () => {
    if (--remaining === 0) allDone.setResult();
  };
  for (const task of tasks) task.addDoneCallback(onDone);
  await loop.runUntilComplete(allDone);
  for (const task of tasks) {
    if (task.cancelled()) continue;
    const exception = task.exception();
    if (exception !== undefined) {
      loop.callExceptionHandler({
        message: "unhandled exception during asyncio.run() shutdown",
        exception,
        task,
      });
    }
  }
}

let exitHookInstalled = false;

/**
 * Python ends a program whose `KeyboardInterrupt` nobody caught by killing
 * itself with SIGINT, so that the shell sees it was interrupted (status 130)
 * rather than failed. Deno reports an uncaught error as an unhandled
 * rejection and exits with status 1; this listener, installed once by the
 * first `Runner.run()`, does what Python does for a `KeyboardInterrupt`
 * that reaches the top of the program, and leaves every other error alone.
 */
function exitOnUncaughtKeyboardInterrupt(): void {
  if (exitHookInstalled || typeof globalThis.addEventListener !== "function") {
    return;
  }
  exitHookInstalled = true;
  globalThis.addEventListener("unhandledrejection", (event) => {
    const error = event.reason;
    if (!(error instanceof KeyboardInterrupt)) return;
    event.preventDefault();
    console.error(`error: Uncaught ${error.name}: ${error.message}`);
    try {
      Deno.kill(Deno.pid, "SIGINT");
    } catch {
      // No signals here (a Worker): the exit below gives the same status.
    }
    // A SIGINT listener of the program's own may have taken the signal.
    setTimeout(() => Deno.exit(130), 100);
  });
}

/**
 * Listens for Ctrl-C where the platform lets us (not in a Worker, nor
 * without the signal API); `false` when it could not.
 */
function listenForSigint(listener: () => void): boolean {
  try {
    Deno.addSignalListener("SIGINT", listener);
    return true;
  } catch {
    return false;
  }
}

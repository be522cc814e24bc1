/**
 * {@linkcode EventLoop}: runs callbacks, timers and tasks on top of Deno's own
 * event loop.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { type Clock, RealClock, VirtualClock } from "./clock.ts";
import { Future, type FutureOptions } from "./future.ts";
import { Handle, type Runnable, TimerHandle } from "./handle.ts";
import { TimerHeap } from "./_timer_heap.ts";
import { ioFuture } from "./_io.ts";
import { loopState } from "./_state.ts";
import { TaskList } from "./_task_list.ts";
import { getLogger } from "./log.ts";
import { debugFromEnv, WeakTaskSet } from "./_debug.ts";
import { coroutineWatch, watchCoroutine } from "./_never_awaited.ts";
import {
  type Executor,
  type WorkerFunction,
  WorkerPoolExecutor,
} from "./executor.ts";
import { checkWorkerFunction } from "./_job.ts";
import { reportUnclosedAtClose } from "./_resource_warnings.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { SubprocessProtocol } from "./protocols.ts";
import type { SubprocessTransport } from "./transports.ts";
import type { SubprocessOptions } from "./subprocess_options.ts";
import { subprocessImplementation } from "./_subprocess_hook.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Transport } from "./transports.ts";
import type {
  CreateConnectionOptions,
  CreateServerOptions,
  CreateUnixConnectionOptions,
  CreateUnixServerOptions,
} from "./network_options.ts";
import type { Server } from "./server.ts";
import { createConnection, createUnixConnection } from "./_connection.ts";
import { createServer, createUnixServer } from "./_create_server.ts";
import type { DatagramTransport } from "./transports.ts";
import type {
  DatagramEndpointOptions,
  StartTlsOptions,
  TlsOptions,
} from "./network_options.ts";
import { startTls } from "./_start_tls.ts";
import { createDatagramEndpoint } from "./_datagram.ts";
import type { AddrInfo, GetAddrInfoOptions, SockAddr } from "./dns.ts";
import { getaddrinfo, getnameinfo } from "./_resolve.ts";
import {
  builtOptions,
  checkedCoro,
  checkLoopOptions,
  checkOptionNames,
  GETADDRINFO_OPTIONS,
  TASK_FACTORY_OPTIONS,
} from "./_options.ts";
import { addSignalHandler, removeSignalHandler } from "./_signals.ts";
import type { Protocol } from "./protocols.ts";
import type { ReadTransport, WriteTransport } from "./transports.ts";
import type { ReadPipe, WritePipe } from "./pipes.ts";
import { connectReadPipe, connectWritePipe } from "./_pipes.ts";
import type { BaseTransport } from "./transports.ts";
import type { SendfileFile, SendfileOptions } from "./sendfile_options.ts";
import { sendfile } from "./_sendfile.ts";
import {
  checkCallback,
  checkCoroutine,
  checkDelay,
  checkFunction,
  checkLoopOpen,
  describeNonCoroutine,
  describeValue,
  isGenerator,
  isPromiseLike,
} from "./_util.ts";
// The loop's one upward dependency (DESIGN.md): its default task factory.
// task.ts imports from this folder only as types or from modules that do not
// import this one, so the cycle never evaluates a class before it exists.
import { Task } from "../tasks/task.ts";

/**
 * What the exception handler receives. `message` is always there; the other
 * fields are set where they apply.
 */
export interface ExceptionContext {
  /** What went wrong. */
  message: string;
  /** The error, when there is one. */
  exception?: unknown;
  /** The future involved. */
  future?: Future<unknown>;
  /** The task involved. */
  task?: Task<unknown>;
  /** The handle of the callback that failed. */
  handle?: Handle;
  /** Anything else a caller adds. */
  [key: string]: unknown;
}

/** A handler set with {@linkcode EventLoop.setExceptionHandler}. */
export type ExceptionHandler = (
  loop: EventLoop,
  context: ExceptionContext,
) => void;

/** Options a task factory receives from `createTask`. */
export interface TaskFactoryOptions {
  /** The name of the task. */
  name?: string;
  /**
   * Run the task's first step at once, inside `createTask`, when the loop is
   * running (asyncio 3.14's `eager_start`); `false` schedules it on the next
   * pass even under an eager task factory. Left out, the factory decides (the
   * default factory schedules it).
   */
  eagerStart?: boolean;
}

/** A factory set with {@linkcode EventLoop.setTaskFactory}. */
export type TaskFactory = <T>(
  loop: EventLoop,
  coro: Coroutine<T>,
  options: TaskFactoryOptions,
) => Task<T>;

/** Options of {@linkcode EventLoop}'s constructor and `newEventLoop()`. */
export interface EventLoopOptions {
  /**
   * The clock the loop reads. A {@linkcode VirtualClock} makes time jump to
   * the next timer whenever the loop is idle.
   *
   * @default {a RealClock}
   */
  clock?: Clock;
  /**
   * Shorthand for `clock: new VirtualClock()`.
   *
   * @default {false}
   */
  virtualTime?: boolean;
  /**
   * Starts the loop in debug mode (see {@linkcode EventLoop.setDebug}).
   *
   * @default {true if the environment variable ASYNCIO_DEBUG is set to
   * anything but "" or "0" and `--allow-env` grants reading it, else false}
   */
  debug?: boolean;
}

/** A Handle's arguments before `_callSoonDone()` puts the future there. */
const NO_ARGS: unknown[] = [];

/** How many callbacks may run before Deno's own loop gets a turn. */
const CALLBACKS_PER_DENO_TURN = 256;
/** setTimeout's largest delay, in milliseconds. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * An event loop: it runs callbacks scheduled with `callSoon`, timers from
 * `callLater`/`callAt`, and the steps of tasks, in asyncio's order.
 *
 * It runs on top of Deno's loop: each pass runs the callbacks that were ready
 * when it began (after moving due timers to the ready queue); every few hundred
 * callbacks, and whenever nothing is ready, Deno gets a turn so that I/O
 * promises settle. When idle it sleeps until the next timer or until a
 * callback is scheduled from outside; it never busy-spins, and it leaves no
 * timer behind when it stops.
 *
 * asyncio: `asyncio.AbstractEventLoop` / `BaseEventLoop`.
 *
 * @example Callbacks in FIFO order, timers by deadline
 * ```ts
 * import { newEventLoop } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const loop = newEventLoop({ virtualTime: true });
 * const log: string[] = [];
 * loop.callLater(2, () => { log.push("later"); loop.stop(); });
 * loop.callLater(1, () => log.push("sooner"));
 * loop.callSoon(() => log.push("first"));
 * loop.callSoon(() => log.push("second"));
 * await loop.runForever();
 * assert.deepEqual(log, ["first", "second", "sooner", "later"]);
 * assert.equal(loop.time(), 2);
 * loop.close();
 * ```
 */
export class EventLoop {
  /**
   * @internal Callbacks and task steps ready to run, FIFO: the first
   * `_readyLen` slots of `_ready`. The arrays never shrink (setting an
   * array's length to 0 makes V8 drop its backing store, and the next push
   * allocate a new one: once per pass); used slots are cleared as they run.
   * @ignore
   */
  _ready: Array<Runnable | undefined> = [];
  /** @ignore @internal How many slots of `_ready` are in use. */
  _readyLen = 0;
  /** @ignore @internal The other half of the ready queue's double buffer. */
  _spare: Array<Runnable | undefined> = [];
  /** @ignore @internal The timers, by (when, seq). */
  _timers: TimerHeap = new TimerHeap();
  /** @ignore @internal The task whose step is running. */
  _currentTask: Task<unknown> | null = null;
  /**
   * @internal Tasks of this loop that are not done: a `Set`, or in debug mode
   * a set that holds them weakly so that lost pending tasks are reported.
   * @ignore
   */
  _tasks: TaskList<Task<unknown>> | WeakTaskSet<Task<unknown>> = new TaskList();
  /**
   * @internal Real I/O operations in flight that can schedule callbacks; a
   * virtual clock waits for them instead of jumping ahead.
   * @ignore
   */
  _ioPending = 0;
  /**
   * @internal Run once by `close()`: resources that must not outlive the loop
   * (child processes and their pipes) release themselves.
   * @ignore
   */
  _onClose: Set<() => void> = new Set();
  #clock: Clock;
  #stopping = false;
  #running = false;
  #closed = false;
  #debug = false;
  #slowCallbackDuration = 0.1;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  #defaultExecutor: Executor | null = null;
  #executorShutdownCalled = false;
  /** Resolves the idle wait; set only while the loop sleeps. */
  #wake: (() => void) | null = null;
  #idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Callbacks run since Deno's loop last had a turn. */
  #work = 0;
  /** What `createFuture()` passes to each Future: made once. */
  readonly #futureOptions: FutureOptions = { loop: this };

  /**
   * Makes a loop. `newEventLoop()` is the usual way.
   *
   * @param options The clock and debug mode.
   * @throws {TypeError} If an option is unknown or of the wrong type, or
   * `virtualTime: true` comes with a `clock` (give one or the other).
   */
  constructor(options?: EventLoopOptions) {
    if (options !== undefined) checkLoopOptions(options, "create EventLoop");
    const clock = options?.clock ??
      (options?.virtualTime ? new VirtualClock() : new RealClock());
    if (
      typeof clock !== "object" || clock === null ||
      typeof clock.now !== "function" ||
      typeof clock.advanceTo !== "function"
    ) {
      throw new TypeError(
        `Cannot create EventLoop as 'clock' must be a Clock: received ${
          describeValue(clock)
        }`,
      );
    }
    this.#clock = clock;
    this.setDebug(options?.debug ?? debugFromEnv());
  }

  /**
   * The loop's clock, for tests that want to read or move virtual time.
   *
   * @returns The clock given at construction.
   */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * The loop's current time in seconds (monotonic, or virtual).
   *
   * asyncio: `loop.time()`.
   *
   * @returns The time.
   */
  time(): number {
    return this.#clock.now();
  }

  /**
   * Schedules `callback(...args)` to run on the next pass, after the
   * callbacks already scheduled (FIFO).
   *
   * asyncio: `loop.call_soon()`.
   *
   * @typeParam A The callback's argument types.
   * @param callback The function to call.
   * @param args Its arguments.
   * @returns A handle that can cancel it.
   * @throws {Error} If the loop is closed, or, in debug mode, if it is called
   * from a callback of another loop that is running.
   * @throws {TypeError} If `callback` is not a function, or, in debug mode,
   * is a generator function (whose coroutine would never run).
   */
  callSoon<A extends unknown[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle {
    if (this.#closed) this.#throwClosed("callSoon()");
    if (typeof callback !== "function") {
      checkCallback(callback, "callSoon()'s 'callback'");
    }
    if (this.#debug) {
      // asyncio checks for a coroutine function in debug mode only; outside
      // it, a callback that returns a coroutine is reported when it runs.
      checkCallback(callback, "callSoon()'s 'callback'");
      this.#checkCaller("callSoon()");
    }
    const handle = new Handle(callback, args, this);
    this._ready[this._readyLen++] = handle;
    if (this.#wake !== null) this.#wakeUp();
    return handle;
  }

  /**
   * The same as {@linkcode EventLoop.callSoon}, without debug mode's check
   * of the caller: the way to hand a callback to this loop from a callback of
   * another loop running beside it. Deno has no threads that share a loop
   * (Workers talk through messages).
   *
   * asyncio: `loop.call_soon_threadsafe()`.
   *
   * @typeParam A The callback's argument types.
   * @param callback The function to call.
   * @param args Its arguments.
   * @returns A handle that can cancel it.
   * @throws {Error} If the loop is closed.
   * @throws {TypeError} If `callback` is not a function, or is a generator
   * function (whose coroutine would never run).
   */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle {
    if (this.#closed) this.#throwClosed("callSoonThreadsafe()");
    checkCallback(callback, "callSoonThreadsafe()'s 'callback'");
    const handle = new Handle(callback, args, this);
    this._ready[this._readyLen++] = handle;
    if (this.#wake !== null) this.#wakeUp();
    return handle;
  }

  /**
   * Schedules `callback(...args)` to run `delay` seconds from now. Timers due
   * at the same time run in the order they were scheduled.
   *
   * asyncio: `loop.call_later()`.
   *
   * @typeParam A The callback's argument types.
   * @param delay Seconds from now (`Infinity`: never).
   * @param callback The function to call.
   * @param args Its arguments.
   * @returns A handle that can cancel it.
   * @throws {TypeError} If `delay` is not a number or is NaN.
   * @throws {TypeError} If `callback` is not a function, or, in debug mode,
   * is a generator function.
   */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    checkDelay(delay, "callLater()'s 'delay'");
    return this.#callAt(this.#clock.now() + delay, callback, args);
  }

  /**
   * Schedules `callback(...args)` at loop time `when`.
   *
   * asyncio: `loop.call_at()`.
   *
   * @typeParam A The callback's argument types.
   * @param when The loop time, in seconds.
   * @param callback The function to call.
   * @param args Its arguments.
   * @returns A handle that can cancel it.
   * @throws {TypeError} If `when` is not a number or is NaN.
   * @throws {TypeError} If `callback` is not a function, or, in debug mode,
   * is a generator function.
   */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    checkDelay(when, "callAt()'s 'when'");
    return this.#callAt(when, callback, args);
  }

  #callAt(
    when: number,
    callback: (...args: never[]) => unknown,
    args: unknown[],
  ): TimerHandle {
    if (this.#closed) this.#throwClosed("callLater()/callAt()");
    if (typeof callback !== "function") {
      checkCallback(callback, "The timer's 'callback'");
    }
    if (this.#debug) {
      checkCallback(callback, "The timer's 'callback'");
      this.#checkCaller("callLater()/callAt()");
    }
    const timer = new TimerHandle(
      when,
      this._timers.nextSeq(),
      callback,
      args,
      this,
    );
    this._timers.push(timer);
    if (this.#wake !== null) this.#wakeUp();
    return timer;
  }

  /** @ignore @internal Called by TimerHandle.cancel() while it is in the heap. */
  _timerHandleCancelled(_timer: TimerHandle): void {
    this._timers.noteCancelled();
  }

  /**
   * @internal Schedules a future's done-callback, as `callSoon(callback,
   * future)` does, without the array for its one argument (a future's
   * done-callbacks other than gather's and TaskGroup's, which go through
   * eventloop/_fan_in.ts). The callback was checked when it was added; debug
   * mode and a closed loop take callSoon() itself.
   * @ignore
   */
  _callSoonDone(
    callback: (future: never) => void,
    future: Future<unknown>,
  ): void {
    if (this.#closed || this.#debug) {
      this.callSoon(callback, future as never);
      return;
    }
    const handle = new Handle(callback, NO_ARGS, this);
    handle._args = future;
    this._ready[this._readyLen++] = handle;
    if (this.#wake !== null) this.#wakeUp();
  }

  /** @ignore @internal Puts a task step (or any Runnable) on the ready queue. */
  _pushReady(runnable: Runnable): void {
    this._ready[this._readyLen++] = runnable;
    if (this.#wake !== null) this.#wakeUp();
  }

  /** @ignore @internal An I/O operation that can schedule callbacks has started. */
  _ioStarted(): void {
    this._ioPending++;
  }

  /** @ignore @internal That I/O operation has ended. */
  _ioFinished(): void {
    this._ioPending--;
    // Only a virtual clock's idle wait depends on the count (it may jump
    // once no I/O is in flight); a real-time loop need not wake for it.
    if (this.#wake !== null && this.#clock.virtual) this.#wakeUp();
  }

  /**
   * Makes a pending future bound to this loop.
   *
   * asyncio: `loop.create_future()`.
   *
   * @typeParam T The result type.
   * @returns The future.
   */
  createFuture<T = unknown>(): Future<T> {
    // A Future without options takes the running loop: no options to check.
    if (loopState.running === this) return new Future<T>();
    const options = this.#futureOptions;
    builtOptions.next = options;
    return new Future<T>(options);
  }

  /**
   * Starts a child process from a program and its arguments (no shell is
   * involved, so arguments need no quoting) and connects a protocol to its
   * pipes. Resolves once the protocol's `connectionMade` has run.
   *
   * The implementation comes from the subprocess module, which registers it
   * when imported (the loop may not import the layers above it): import
   * `"@asyncio/asyncio/subprocess"` or the root module first.
   *
   * asyncio: `loop.subprocess_exec()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol.
   * @param program The program: a path, or a name looked up in `PATH`.
   * @param args Its arguments.
   * @param options Where stdin, stdout and stderr go (each a pipe unless
   * told otherwise), `cwd`, `env`.
   * @returns `[transport, protocol]`.
   * @throws {Deno.errors.NotFound} If the program does not exist.
   * @throws {Deno.errors.NotCapable} Without `--allow-run`.
   * @throws {Deno.errors.PermissionDenied} If the program is not executable.
   * @throws {TypeError} If an argument or option is invalid.
   * @throws {Error} If the subprocess module was not imported.
   *
   * @example Reading a child's output through a protocol
   * ```ts
   * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
   * import "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * class Collect extends SubprocessProtocol {
   *   text = "";
   *   done = getRunningLoop().createFuture<void>();
   *   override pipeDataReceived(_fd: number, data: Uint8Array): void {
   *     this.text += new TextDecoder().decode(data);
   *   }
   *   override connectionLost(): void {
   *     this.done.setResult();
   *   }
   * }
   * const text = await run(function* () {
   *   const loop = getRunningLoop();
   *   const [transport, protocol] = yield* loop.subprocessExec(
   *     () => new Collect(),
   *     "echo",
   *     ["hello"],
   *     { stdin: "null" },
   *   );
   *   yield* protocol.done;
   *   assert.equal(transport.getReturncode(), 0);
   *   transport.close();
   *   return protocol.text;
   * }());
   * assert.equal(text, "hello\n");
   * ```
   */
  subprocessExec<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    program: string | URL,
    args?: readonly string[],
    options?: SubprocessOptions,
  ): Coroutine<[SubprocessTransport, P]> {
    return watchCoroutine(
      subprocessImplementation("subprocessExec").exec(
        this,
        protocolFactory,
        program,
        args ?? [],
        options,
      ),
      "EventLoop.subprocessExec",
    );
  }

  /**
   * Starts a child process through the shell (`/bin/sh -c cmd`) and connects
   * a protocol to its pipes, as {@linkcode EventLoop.subprocessExec} does.
   *
   * Beware of shell injection: never build `cmd` from untrusted text. Prefer
   * `subprocessExec`, which passes arguments as a list.
   *
   * asyncio: `loop.subprocess_shell()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol.
   * @param cmd The shell command line.
   * @param options As for `subprocessExec`.
   * @returns `[transport, protocol]`.
   * @throws {Deno.errors.NotCapable} Without `--allow-run`.
   * @throws {TypeError} If `cmd` is not a string, or an option is invalid.
   * @throws {Error} If the subprocess module was not imported.
   *
   * @example The exit code of a shell command
   * ```ts
   * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/asyncio/eventloop";
   * import "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * class Exit extends SubprocessProtocol {
   *   exited = getRunningLoop().createFuture<void>();
   *   override processExited(): void {
   *     this.exited.setResult();
   *   }
   * }
   * const code = await run(function* () {
   *   const [transport, protocol] = yield* getRunningLoop().subprocessShell(
   *     () => new Exit(),
   *     "exit 3",
   *     { stdin: "null", stdout: "null", stderr: "null" },
   *   );
   *   yield* protocol.exited;
   *   transport.close();
   *   return transport.getReturncode();
   * }());
   * assert.equal(code, 3);
   * ```
   */
  subprocessShell<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    cmd: string,
    options?: SubprocessOptions,
  ): Coroutine<[SubprocessTransport, P]> {
    return watchCoroutine(
      subprocessImplementation("subprocessShell").shell(
        this,
        protocolFactory,
        cmd,
        options,
      ),
      "EventLoop.subprocessShell",
    );
  }

  /**
   * Wraps a coroutine in a task that starts on the next pass (or as the task
   * factory decides). With `eagerStart: true` its first step runs at once,
   * inside this call, up to the coroutine's first suspension.
   *
   * asyncio: `loop.create_task()`.
   *
   * @typeParam T The coroutine's result type.
   * @param coro A generator object, the result of calling a generator
   * function.
   * @param options The task's name, and `eagerStart` (given to the task
   * factory when one is set, as asyncio 3.14 does).
   * @returns The task.
   * @throws {TypeError} If `coro` is not a coroutine, an option is unknown,
   * or `eagerStart` is not a boolean.
   * @throws {Error} If the loop is closed.
   *
   * @example An eager task runs its first step inside createTask
   * ```ts
   * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
   * import { sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const log: string[] = [];
   * await run(function* () {
   *   const task = getRunningLoop().createTask(function* () {
   *     log.push("first step");
   *     yield* sleep(0);
   *   }(), { eagerStart: true });
   *   log.push("after createTask");
   *   yield* task;
   * }());
   * assert.deepEqual(log, ["first step", "after createTask"]);
   * ```
   */
  createTask<T>(coro: Coroutine<T>, options?: TaskFactoryOptions): Task<T> {
    // createTask() of the tasks layer hands over options it has checked.
    const checked = options !== undefined && options === builtOptions.next;
    if (checked) builtOptions.next = null;
    const coroChecked = coro === checkedCoro.next;
    checkedCoro.next = null;
    if (!coroChecked) checkCoroutine(coro, "createTask()");
    if (this.#closed) this.#throwClosed("createTask()");
    if (this.#debug) this.#checkCaller("createTask()");
    if (options !== undefined && !checked) {
      checkOptionNames(options, TASK_FACTORY_OPTIONS, "call createTask()");
    }
    const eagerStart = options?.eagerStart;
    if (eagerStart !== undefined && typeof eagerStart !== "boolean") {
      throw new TypeError(
        `createTask()'s 'eagerStart' must be a boolean: received ${
          describeValue(eagerStart)
        }`,
      );
    }
    const factory = this.#taskFactory;
    if (factory === null) {
      // A Task without options takes the running loop: nothing to check.
      if (options === undefined && loopState.running === this) {
        checkedCoro.next = coro;
        return new Task<T>(coro);
      }
      const taskOptions = { loop: this, name: options?.name, eagerStart };
      builtOptions.next = taskOptions;
      checkedCoro.next = coro;
      return new Task<T>(coro, taskOptions);
    }
    return factory(this, coro, { ...options });
  }

  /**
   * Sets the factory `createTask` uses; `null` restores the default.
   *
   * asyncio: `loop.set_task_factory()`.
   *
   * @param factory `(loop, coro, options) => Task`, or `null`.
   */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null) {
      checkFunction(factory, "setTaskFactory()'s 'factory'");
    }
    this.#taskFactory = factory;
  }

  /**
   * The factory set with {@linkcode EventLoop.setTaskFactory}.
   *
   * @returns The factory, or `null` for the default.
   */
  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  /**
   * Runs `fn(...args)` in an executor and gives a future of its result, so
   * CPU-bound or blocking work runs while the loop stays responsive. With
   * `null`, the default executor is used: the one set with
   * {@linkcode EventLoop.setDefaultExecutor}, else a
   * {@linkcode WorkerPoolExecutor} made on first use and shut down by
   * `run()` on exit.
   *
   * `fn` names a function by module URL and export name, because closures
   * cannot cross to a Worker; arguments and result cross by structured clone,
   * and an error thrown by the function becomes the future's error.
   * Cancelling the future (or the task awaiting it) drops the job if it has
   * not started; a job that already runs is left to finish in its Worker and
   * its result is thrown away, as asyncio does with threads. While a job is
   * in flight, a virtual clock does not jump ahead of it.
   *
   * asyncio: `loop.run_in_executor()`.
   *
   * @typeParam T The function's result type.
   * @param executor An executor, or `null` for the default one.
   * @param fn `{ moduleUrl, exportName }` of an exported function.
   * @param args Its arguments (structured-cloneable).
   * @returns A future of the result, to `yield*`.
   * @throws {TypeError} If `fn` is not `{ moduleUrl, exportName }` (a
   * function is refused with an explanation), or `executor` is not an
   * executor.
   * @throws {Error} If the loop is closed, or the default executor was shut
   * down.
   *
   * @example Squaring in a Worker while the loop runs
   * ```ts
   * import { run, getRunningLoop } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * // Usually { moduleUrl: new URL("./work.ts", import.meta.url), ... }.
   * const square = {
   *   moduleUrl: "data:text/javascript,export const square = (n) => n * n;",
   *   exportName: "square",
   * };
   * const result = await run(function* () {
   *   return yield* getRunningLoop().runInExecutor<number>(null, square, 12);
   * }());
   * assert.equal(result, 144);
   * ```
   */
  runInExecutor<T = unknown>(
    executor: Executor | null,
    fn: WorkerFunction,
    ...args: unknown[]
  ): Future<T> {
    if (this.#closed) this.#throwClosed("runInExecutor()");
    checkWorkerFunction(fn, "runInExecutor()");
    let target = executor;
    if (target === null || target === undefined) {
      target = this.#defaultExecutor;
      if (target === null) {
        if (this.#executorShutdownCalled) {
          throw new Error(
            "runInExecutor() cannot use the default executor: shutdownDefaultExecutor() has been called",
          );
        }
        target = this.#defaultExecutor = new WorkerPoolExecutor();
      }
    } else {
      checkExecutor(target, "runInExecutor()'s 'executor'");
    }
    const controller = new AbortController();
    const promise = target.submit<T>(fn, args, { signal: controller.signal });
    const future = ioFuture(this, promise);
    future.addDoneCallback((f) => {
      if (f.cancelled()) controller.abort();
    });
    return future;
  }

  /**
   * Sets the executor `runInExecutor(null, ...)` and `toThread()` use.
   *
   * asyncio: `loop.set_default_executor()`.
   *
   * @param executor An executor (an object with `submit` and `shutdown`).
   * @throws {TypeError} If `executor` is not one.
   */
  setDefaultExecutor(executor: Executor): void {
    checkExecutor(executor, "setDefaultExecutor()'s 'executor'");
    this.#defaultExecutor = executor;
  }

  /**
   * Shuts the default executor down, waiting for the jobs in flight, and
   * refuses later `runInExecutor(null, ...)` calls. `run()` and
   * `Runner.close()` call it on exit (with asyncio's 300-second timeout), so
   * no Worker is left running.
   *
   * With a `timeout`, it waits at most that many seconds: if the jobs are not
   * done by then, it logs a warning through {@linkcode getLogger}, shuts the
   * executor down without waiting (a {@linkcode WorkerPoolExecutor}
   * terminates its Workers, and their jobs fail) and returns, as asyncio
   * 3.12 does (where threads cannot be stopped and are left to finish). The
   * timeout is counted in real seconds, also on a virtual-time loop: the
   * Workers run in real time.
   *
   * asyncio: `loop.shutdown_default_executor(timeout=None)`.
   *
   * @param timeout The most seconds to wait; `null`, `undefined` or
   * `Infinity` wait as long as the jobs take.
   * @returns A coroutine to `yield*` (or to give to `runUntilComplete`).
   * @throws {TypeError} If `timeout` is neither a number nor `null`.
   *
   * @example Shutting down by hand
   * ```ts
   * import { newEventLoop } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const loop = newEventLoop();
   * const double = {
   *   moduleUrl: "data:text/javascript,export const double = (n) => 2 * n;",
   *   exportName: "double",
   * };
   * assert.equal(await loop.runUntilComplete(loop.runInExecutor(null, double, 21)), 42);
   * await loop.runUntilComplete(loop.shutdownDefaultExecutor());
   * assert.throws(() => loop.runInExecutor(null, double, 1), /shutdownDefaultExecutor/);
   * loop.close();
   * ```
   */
  shutdownDefaultExecutor(timeout?: number | null): Coroutine<void> {
    if (timeout !== undefined && timeout !== null) {
      checkDelay(timeout, "shutdownDefaultExecutor()'s 'timeout'");
    }
    return watchCoroutine(
      this.#shutdownDefaultExecutor(timeout ?? Infinity),
      "EventLoop.shutdownDefaultExecutor",
    );
  }

  *#shutdownDefaultExecutor(timeout: number): Coroutine<void> {
    this.#executorShutdownCalled = true;
    const executor = this.#defaultExecutor;
    if (executor === null) return;
    this.#defaultExecutor = null;
    // true: the executor shut down; false: the timeout came first.
    const done = this.createFuture<boolean>();
    // While this wait counts as I/O in flight, a virtual clock stays put.
    let counted = true;
    this._ioStarted();
    const stopCounting = () => {
      if (counted) {
        counted = false;
        this._ioFinished();
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (timeout !== Infinity) {
        timer = setTimeout(() => {
          timer = undefined;
          stopCounting();
          if (!done.done() && !this.#closed) done.setResult(false);
        }, Math.min(Math.max(0, Math.ceil(timeout * 1000)), MAX_TIMEOUT_MS));
      }
      Promise.resolve(executor.shutdown()).then(
        () => {
          stopCounting();
          if (!done.done() && !this.#closed) done.setResult(true);
        },
        (error) => {
          stopCounting();
          if (!done.done() && !this.#closed) {
            done.setException(error ?? new Error("Executor shutdown failed"));
          }
        },
      );
      if (yield* done) return;
      getLogger().warning(
        `The default executor did not finish its jobs within ${timeout} seconds: it is shut down without waiting`,
        { extra: { loop: this, executor, timeout } },
      );
      shutDownNow(executor);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      stopCounting();
    }
  }

  /** @ignore @internal Whether a default executor was made and not shut down. */
  get _hasDefaultExecutor(): boolean {
    return this.#defaultExecutor !== null;
  }

  /**
   * Runs the loop until {@linkcode EventLoop.stop} is called. A `stop()`
   * before the call makes it run one pass.
   *
   * asyncio: `loop.run_forever()`.
   *
   * @returns A promise that settles when the loop stops.
   * @throws {Error} At once (not as a rejected promise, which could go
   * unobserved): if the loop is closed or already running, or it is called
   * from a callback or task of a running loop.
   */
  runForever(): Promise<void> {
    this.#checkRunnable();
    return this.#runForever();
  }

  async #runForever(): Promise<void> {
    this.#running = true;
    try {
      while (true) {
        this.#runOnce();
        if (this.#stopping) break;
        if (this._readyLen > 0) {
          if (this.#work >= CALLBACKS_PER_DENO_TURN) {
            this.#work = 0;
            await denoTurn();
          }
          continue;
        }
        await this.#idle();
        this.#work = 0;
      }
    } finally {
      this.#stopping = false;
      this.#running = false;
      this.#cancelIdleTimer();
      this.#wake = null;
    }
  }

  /**
   * Runs the loop until `future` is done and returns its result. A coroutine
   * is wrapped in a task first.
   *
   * asyncio: `loop.run_until_complete()`.
   *
   * The result cannot be a thenable (a `Future`, a `Task`, a Promise): a
   * Promise cannot be fulfilled with one (it would wait for it instead, once
   * the loop has stopped), so such a result is a `TypeError` that says how
   * to return its value (`return yield* fut`).
   *
   * @typeParam T The result type.
   * @param future A future of this loop, or a coroutine.
   * @returns The result of the future.
   * @throws The future's error, or {@linkcode CancelledError} if it was
   * cancelled.
   * @throws {Error} If the loop stopped before the future was done.
   * @throws {TypeError} If the result is a thenable.
   * @throws {Error} At once (not as a rejected promise, which could go
   * unobserved): if the loop is closed or already running, or it is called
   * from a callback or task of a running loop.
   *
   * @example A coroutine returns a task's result, not the task
   * ```ts
   * import { newEventLoop } from "@asyncio/asyncio/eventloop";
   * import { createTask, sleep } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const loop = newEventLoop({ virtualTime: true });
   * const value = await loop.runUntilComplete(function* () {
   *   const task = createTask(sleep(1, "slept"));
   *   return yield* task; // `return task` would be a TypeError
   * }());
   * assert.equal(value, "slept");
   * loop.close();
   * ```
   */
  runUntilComplete<T>(future: Future<T> | Coroutine<T>): Promise<T> {
    this.#checkRunnable();
    return this.#runUntilComplete(future);
  }

  async #runUntilComplete<T>(future: Future<T> | Coroutine<T>): Promise<T> {
    let fut: Future<T>;
    const isNewTask = !(future instanceof Future);
    if (future instanceof Future) {
      if (future._loop !== this) {
        throw new Error(
          "runUntilComplete(): the future belongs to a different loop than the one it was given to",
        );
      }
      fut = future;
    } else if (isGenerator(future)) {
      fut = this.createTask(future);
    } else {
      throw new TypeError(
        `runUntilComplete() expected a Future or a coroutine: received ${
          describeNonCoroutine(future)
        }`,
      );
    }
    const stopWhenDone = () => this.stop();
    fut.addDoneCallback(stopWhenDone);
    try {
      this.#checkRunnable();
      await this.#runForever();
    } catch (error) {
      // The task's error would otherwise be reported as never retrieved.
      if (isNewTask && fut.done() && !fut.cancelled()) fut.exception();
      throw error;
    } finally {
      fut.removeDoneCallback(stopWhenDone);
    }
    if (!fut.done()) {
      throw new Error("Event loop stopped before Future completed.");
    }
    const result = fut.result();
    if (isPromiseLike(result)) {
      throw thenableResult(result, fut instanceof Task);
    }
    return result;
  }

  /**
   * Stops the loop after the pass that is running (or the next one).
   *
   * asyncio: `loop.stop()`.
   */
  stop(): void {
    this.#stopping = true;
    if (this.#wake !== null) this.#wakeUp();
  }

  /**
   * Whether the loop is running.
   *
   * @returns `true` between the start and the end of `runForever()`.
   */
  isRunning(): boolean {
    return this.#running;
  }

  /**
   * Whether the loop is closed.
   *
   * @returns `true` after {@linkcode EventLoop.close}.
   */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the loop, dropping pending callbacks and timers, and shuts the
   * default executor down without waiting, as asyncio does (a
   * {@linkcode WorkerPoolExecutor} terminates its Workers at once: a Worker
   * left running would keep the program alive; jobs still running are
   * abandoned). Transports, servers and datagram endpoints of this loop that
   * are still open are reported as unclosed through {@linkcode getLogger},
   * then closed: unlike asyncio, which leaves them to the process's exit, an
   * open listener or read would keep a Deno program running forever.
   * Idempotent.
   *
   * asyncio: `loop.close()`.
   *
   * @throws {Error} If the loop is running.
   */
  close(): void {
    if (this.#running) {
      throw new Error("Cannot close a running event loop");
    }
    if (this.#closed) return;
    this.#closed = true;
    for (const release of this._onClose) release();
    this._onClose.clear();
    this._ready.length = 0;
    this._readyLen = 0;
    this._timers.clear();
    if (loopState.current === this) loopState.current = null;
    const executor = this.#defaultExecutor;
    if (executor !== null) {
      this.#defaultExecutor = null;
      shutDownNow(executor);
    }
    reportUnclosedAtClose(this);
  }

  /**
   * Sets the handler called for errors nobody else can receive: a callback
   * that threw, a task error never read. `null` restores the default.
   *
   * asyncio: `loop.set_exception_handler()`.
   *
   * @param handler `(loop, context) => void`, or `null`.
   * @throws {TypeError} If `handler` is neither a function nor `null`, or is
   * a generator function.
   */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null) {
      checkCallback(handler, "setExceptionHandler()'s 'handler'");
    }
    this.#exceptionHandler = handler;
  }

  /**
   * The handler set with {@linkcode EventLoop.setExceptionHandler}.
   *
   * @returns The handler, or `null` for the default.
   */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /**
   * The default handling of an error context: logs it at level "error"
   * through {@linkcode getLogger} (the console unless a handler is added),
   * with the error's stack; the record's `exception` is the error and its
   * `extra` the context.
   *
   * asyncio: `loop.default_exception_handler()`.
   *
   * @param context What went wrong.
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const [key, value] of Object.entries(context)) {
      if (key === "message" || key === "exception") continue;
      lines.push(`${key}: ${safeString(value)}`);
    }
    if ("exception" in context) {
      const error = context.exception;
      lines.push(
        error instanceof Error && error.stack
          ? error.stack
          : `exception: ${safeString(error)}`,
      );
    }
    getLogger().error(lines.join("\n"), {
      exception: context.exception,
      extra: context,
    });
  }

  /**
   * Reports an error context to the exception handler (or the default one).
   * An error thrown by the handler itself is logged, never thrown.
   *
   * asyncio: `loop.call_exception_handler()`.
   *
   * @param context What went wrong; `message` is required.
   * @throws {TypeError} If `context` is not an object.
   */
  callExceptionHandler(context: ExceptionContext): void {
    if (typeof context !== "object" || context === null) {
      throw new TypeError(
        `callExceptionHandler()'s 'context' must be an object such as { message }: received ${
          describeValue(context)
        }`,
      );
    }
    const handler = this.#exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (error) {
        console.error("Exception in default exception handler", error);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (error) {
      try {
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception: error,
          context,
        });
      } catch (inner) {
        console.error("Exception in default exception handler", inner);
      }
    }
  }

  /**
   * Turns debug mode on or off. In debug mode, callbacks and task steps that
   * hold the loop for {@linkcode EventLoop.slowCallbackDuration} seconds or
   * more are logged; futures and tasks remember where they were made, and
   * "exception was never retrieved" shows it; pending tasks are held weakly,
   * so one that nothing can wake any more is reported as "Task was destroyed
   * but it is pending!"; a coroutine of the module (`sleep()`,
   * `lock.acquire()`...) made while the loop runs and collected without ever
   * running is reported as "coroutine 'sleep' was never awaited", with where
   * it was made; and the loop refuses calls from another running loop's
   * callbacks. Also on with `run(main, { debug: true })` or the
   * environment variable `ASYNCIO_DEBUG=1` (read only when `--allow-env`
   * grants it). Everything is reported through {@linkcode getLogger}.
   *
   * asyncio: `loop.set_debug()`.
   *
   * @param enabled Whether debug mode is on.
   * @throws {TypeError} If `enabled` is not a boolean.
   */
  setDebug(enabled: boolean): void {
    if (typeof enabled !== "boolean") {
      throw new TypeError(
        `setDebug()'s 'enabled' must be a boolean: received ${
          describeValue(enabled)
        }`,
      );
    }
    const debug = enabled;
    this.#debug = debug;
    const tasks = this._tasks;
    if (debug && tasks instanceof TaskList) {
      this._tasks = new WeakTaskSet(this, tasks);
      // The tasks' links would otherwise still claim membership of the list.
      tasks.clear();
    } else if (!debug && !(tasks instanceof TaskList)) {
      this._tasks = new TaskList(tasks);
    }
  }

  /**
   * Whether debug mode is on.
   *
   * @returns The debug flag.
   */
  getDebug(): boolean {
    return this.#debug;
  }

  /**
   * In debug mode, a callback or task step that runs longer than this many
   * seconds is reported.
   *
   * @default {0.1}
   */
  get slowCallbackDuration(): number {
    return this.#slowCallbackDuration;
  }

  set slowCallbackDuration(seconds: number) {
    checkDelay(seconds, "slowCallbackDuration");
    this.#slowCallbackDuration = seconds;
  }

  // ---- Network: transports, servers (eventloop/_connection.ts, server.ts) ----

  /**
   * Opens a TCP connection (TLS with `ssl`) to `host:port`, makes a protocol
   * with `protocolFactory` and connects the two. Resolves once the
   * protocol's `connectionMade` has run (and the TLS handshake is done).
   * With `ssl.cert` and `ssl.key` the client presents that certificate to a
   * server that asks for one (then `serverHostname`, if given, must be the
   * host: `Deno.connectTls` checks the server against the host it dials).
   *
   * asyncio: `loop.create_connection()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol; must return an object.
   * @param host A host name or IP address.
   * @param port The port, 1 to 65535.
   * @param options `ssl` (`true` or {@linkcode TlsOptions}),
   * `serverHostname`, `sslHandshakeTimeout`; `family`, `proto`, `flags` for
   * resolving `host`; `happyEyeballsDelay`, `interleave`, `allErrors` for
   * the attempts (see {@linkcode CreateConnectionOptions}).
   * @returns `[transport, protocol]`.
   * @throws {Deno.errors.ConnectionRefused} If nobody listens there (with
   * several addresses: see `allErrors`).
   * @throws {ExceptionGroup} With `allErrors`, if every attempt fails.
   * @throws {GaiError} If `host` cannot be resolved.
   * @throws {TimeoutError} If the TLS handshake takes longer than
   * `sslHandshakeTimeout`.
   * @throws {Deno.errors.NotCapable} Without `--allow-net`.
   * @throws {TypeError} If an argument is not of the right type, an option
   * is unknown or not supported (`localAddr`, `sock`, `sslShutdownTimeout`),
   * or options conflict (`serverHostname` without `ssl`).
   * @throws {RangeError} If `port`, `happyEyeballsDelay` or `interleave` is
   * out of range.
   * @throws {Error} If the loop is closed.
   *
   * @example Connecting a protocol to a server
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept().then(async (conn) => {
   *   await conn.write(new TextEncoder().encode("hello"));
   *   conn.close();
   * });
   * class Collect extends Protocol {
   *   text = "";
   *   done = getRunningLoop().createFuture<void>();
   *   override dataReceived(data: Uint8Array) {
   *     this.text += new TextDecoder().decode(data);
   *   }
   *   override connectionLost() {
   *     this.done.setResult();
   *   }
   * }
   * const text = await run(function* () {
   *   const loop = getRunningLoop();
   *   const [_transport, protocol] = yield* loop.createConnection(
   *     () => new Collect(),
   *     "127.0.0.1",
   *     (listener.addr as Deno.NetAddr).port,
   *   );
   *   yield* protocol.done;
   *   return protocol.text;
   * }());
   * await accepted;
   * listener.close();
   * assert.equal(text, "hello");
   * ```
   */
  createConnection<P extends BaseProtocol>(
    protocolFactory: () => P,
    host: string,
    port: number,
    options?: CreateConnectionOptions,
  ): Coroutine<[Transport, P]> {
    return watchCoroutine(
      createConnection(this, protocolFactory, host, port, options),
      "EventLoop.createConnection",
    );
  }

  /**
   * Listens on `host:port` and serves each connection with a protocol from
   * `protocolFactory`. A `host` of `null` or `""` listens on every IPv4
   * interface; an array listens on each; port 0 picks a free port that
   * `server.sockets[0].addr` reports.
   *
   * asyncio: `loop.create_server()`.
   *
   * @param protocolFactory Makes one protocol per connection.
   * @param host Where to listen.
   * @param port The port, 0 to 65535.
   * @param options `ssl` (with `cert` and `key`; with `caCerts` and
   * `verifyMode` to verify client certificates, on `node:tls`, see
   * {@linkcode TlsOptions}), `sslHandshakeTimeout`, `backlog`,
   * `startServing`, `reusePort`, `reuseAddress`, `keepAlive`, `family`,
   * `flags` (see {@linkcode CreateServerOptions}).
   * @returns The {@linkcode Server}.
   * @throws {Deno.errors.AddrInUse} If the port is taken.
   * @throws {GaiError} If a host cannot be resolved.
   * @throws {Deno.errors.NotCapable} Without `--allow-net`.
   * @throws {TypeError} If an argument is not of the right type, or an
   * option is unknown or not supported.
   * @throws {RangeError} If `port` or `backlog` is out of range.
   * @throws {Error} If the loop is closed.
   *
   * @example A server on a free port
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const port = await run(function* () {
   *   const loop = getRunningLoop();
   *   const server = yield* loop.createServer(() => new Protocol(), "127.0.0.1", 0);
   *   const { port } = server.sockets[0].addr as Deno.NetAddr;
   *   server.close();
   *   yield* server.waitClosed();
   *   return port;
   * }());
   * assert.ok(port > 0);
   * ```
   */
  createServer(
    protocolFactory: () => BaseProtocol,
    host: string | string[] | null,
    port: number,
    options?: CreateServerOptions,
  ): Coroutine<Server> {
    return watchCoroutine(
      createServer(this, protocolFactory, host, port, options),
      "EventLoop.createServer",
    );
  }

  /**
   * Connects to a Unix socket and connects a protocol to it.
   *
   * asyncio: `loop.create_unix_connection()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol; must return an object.
   * @param path The socket's path.
   * @param options asyncio's options, all refused: Deno cannot speak TLS
   * over a Unix socket, so `ssl` (and `serverHostname`,
   * `sslHandshakeTimeout`, `sslShutdownTimeout`) and `sock` throw.
   * @returns `[transport, protocol]`.
   * @throws {Deno.errors.NotFound} If no socket exists at `path`.
   * @throws {Deno.errors.ConnectionRefused} If nobody listens on it.
   * @throws {TypeError} If an argument is not of the right type, or an
   * option is given.
   * @throws {Error} If the loop is closed.
   *
   * @example Talking over a Unix socket
   * ```ts
   * import { getRunningLoop, Protocol, run, type Transport } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const dir = Deno.makeTempDirSync();
   * const path = `${dir}/example.sock`;
   * class Upper extends Protocol {
   *   t!: Transport;
   *   override connectionMade(t: Transport) { this.t = t; }
   *   override dataReceived(d: Uint8Array) {
   *     this.t.write(new TextEncoder().encode(new TextDecoder().decode(d).toUpperCase()));
   *   }
   * }
   * class Client extends Protocol {
   *   reply = getRunningLoop().createFuture<string>();
   *   override dataReceived(d: Uint8Array) { this.reply.setResult(new TextDecoder().decode(d)); }
   * }
   * const reply = await run(function* () {
   *   const loop = getRunningLoop();
   *   const server = yield* loop.createUnixServer(() => new Upper(), path);
   *   const [t, client] = yield* loop.createUnixConnection(() => new Client(), path);
   *   t.write(new TextEncoder().encode("quiet"));
   *   const text = yield* client.reply;
   *   t.close();
   *   server.close();
   *   server.closeClients();
   *   yield* server.waitClosed();
   *   return text;
   * }());
   * Deno.removeSync(dir, { recursive: true });
   * assert.equal(reply, "QUIET");
   * ```
   */
  createUnixConnection<P extends BaseProtocol>(
    protocolFactory: () => P,
    path: string,
    options?: CreateUnixConnectionOptions,
  ): Coroutine<[Transport, P]> {
    return watchCoroutine(
      createUnixConnection(this, protocolFactory, path, options),
      "EventLoop.createUnixConnection",
    );
  }

  /**
   * Listens on a Unix socket at `path` (a stale socket file there is removed
   * first; the file is removed again when the server closes).
   *
   * asyncio: `loop.create_unix_server()`.
   *
   * @param protocolFactory Makes one protocol per connection.
   * @param path The socket's path.
   * @param options `startServing`; `ssl` throws before anything listens
   * (Deno cannot speak TLS over a Unix socket), as do `backlog`,
   * `cleanupSocket: false` and `sock` (see {@linkcode CreateUnixServerOptions}).
   * @returns The {@linkcode Server}.
   * @throws {Deno.errors.AddrInUse} If something else than a socket is at
   * `path`.
   * @throws {TypeError} If an argument is not of the right type, or an
   * option is unknown or not supported.
   * @throws {Error} If the loop is closed.
   *
   * @example The server reports its path
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const dir = Deno.makeTempDirSync();
   * const path = `${dir}/example.sock`;
   * const addr = await run(function* () {
   *   const server = yield* getRunningLoop().createUnixServer(() => new Protocol(), path);
   *   const addr = server.sockets[0].addr;
   *   server.close();
   *   yield* server.waitClosed();
   *   return addr;
   * }());
   * Deno.removeSync(dir, { recursive: true });
   * assert.deepEqual(addr, { transport: "unix", path });
   * ```
   */
  createUnixServer(
    protocolFactory: () => BaseProtocol,
    path: string,
    options?: CreateUnixServerOptions,
  ): Coroutine<Server> {
    return watchCoroutine(
      createUnixServer(this, protocolFactory, path, options),
      "EventLoop.createUnixServer",
    );
  }

  /**
   * Upgrades a live TCP connection to TLS (client side): the transport's
   * buffered data is flushed, the handshake runs, and a new transport that
   * speaks TLS is returned; the old one must not be used any more. The
   * protocol keeps receiving data without a second `connectionMade`.
   *
   * Deno can take over a connection only while no read is in flight, and
   * cannot cancel one: call `transport.pauseReading()` in the
   * `dataReceived()` that brings the peer's go-ahead (then `startTls` works
   * after any other awaits), or call `startTls` in that same loop pass (the
   * transport starts its next read one pass after each `dataReceived`);
   * otherwise it throws a clear error. Streams do this for you
   * (`writer.startTls()`). If the handshake fails, the error is thrown and
   * the protocol's `connectionLost` receives it.
   *
   * asyncio: `loop.start_tls()`.
   *
   * @param transport A TCP transport from `createConnection` or a server.
   * @param protocol The protocol to keep serving.
   * @param tlsOptions `true` or {@linkcode TlsOptions} (`caCerts`,
   * `alpnProtocols`; `verifyMode` only `"required"`; no client certificate).
   * @param options `serverHostname` (default: the peer's address),
   * `sslHandshakeTimeout`; `serverSide: true` and `sslShutdownTimeout` are
   * not supported by Deno and throw.
   * @returns The TLS transport.
   * @throws {TypeError} If an argument is invalid, `serverSide` is set, or
   * the transport already speaks TLS.
   * @throws {Error} If a read is in flight, or the handshake fails (for
   * example `InvalidData` for an untrusted certificate).
   *
   * @example Deno upgrades only the client side
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   const loop = getRunningLoop();
   *   const server = yield* loop.createServer(() => new Protocol(), "127.0.0.1", 0);
   *   const { port } = server.sockets[0].addr as Deno.NetAddr;
   *   const [transport, protocol] = yield* loop.createConnection(() => new Protocol(), "127.0.0.1", port);
   *   let error: unknown;
   *   try {
   *     yield* loop.startTls(transport, protocol, true, { serverSide: true });
   *   } catch (e) {
   *     error = e;
   *   }
   *   assert.ok(error instanceof TypeError);
   *   transport.close();
   *   server.close();
   *   server.closeClients();
   *   yield* server.waitClosed();
   * }());
   * ```
   */
  startTls(
    transport: Transport,
    protocol: BaseProtocol,
    tlsOptions: TlsOptions | true,
    options?: StartTlsOptions,
  ): Coroutine<Transport> {
    return watchCoroutine(
      startTls(this, transport, protocol, tlsOptions, options),
      "EventLoop.startTls",
    );
  }

  /**
   * Opens a UDP endpoint. It uses `Deno.listenDatagram` when Deno runs with
   * `--unstable-net`, and `node:dgram` otherwise, so no flag is needed.
   *
   * asyncio: `loop.create_datagram_endpoint()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the {@linkcode DatagramProtocol}.
   * @param options `localAddr`, `remoteAddr` (at least one),
   * `allowBroadcast`; `family`, `proto`, `flags` for resolving the
   * addresses. `reuseAddress: true` throws, as in asyncio, and so does
   * `reusePort: true` (see {@linkcode DatagramEndpointOptions}).
   * @returns `[transport, protocol]`.
   * @throws {TypeError} If an argument is invalid, an option is unknown or
   * not supported, or both addresses are missing.
   * @throws {GaiError} If an address cannot be resolved.
   * @throws {Error} If the loop is closed.
   * @throws {RangeError} If a port is out of range.
   * @throws {Deno.errors.AddrInUse} If the local address is taken.
   *
   * @example Two endpoints on loopback
   * ```ts
   * import { DatagramProtocol, getRunningLoop, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * class Receiver extends DatagramProtocol {
   *   got = getRunningLoop().createFuture<string>();
   *   override datagramReceived(data: Uint8Array, _addr: Deno.NetAddr) {
   *     this.got.setResult(new TextDecoder().decode(data));
   *   }
   * }
   * const text = await run(function* () {
   *   const loop = getRunningLoop();
   *   const [server, receiver] = yield* loop.createDatagramEndpoint(
   *     () => new Receiver(),
   *     { localAddr: ["127.0.0.1", 0] },
   *   );
   *   const { port } = server.getExtraInfo("sockname") as Deno.NetAddr;
   *   const [client] = yield* loop.createDatagramEndpoint(
   *     () => new DatagramProtocol(),
   *     { remoteAddr: ["127.0.0.1", port] },
   *   );
   *   client.sendto(new TextEncoder().encode("ping"));
   *   const text = yield* receiver.got;
   *   client.close();
   *   server.close();
   *   return text;
   * }());
   * assert.equal(text, "ping");
   * ```
   */
  createDatagramEndpoint<P extends BaseProtocol>(
    protocolFactory: () => P,
    options: DatagramEndpointOptions,
  ): Coroutine<[DatagramTransport, P]> {
    return watchCoroutine(
      createDatagramEndpoint(this, protocolFactory, options),
      "EventLoop.createDatagramEndpoint",
    );
  }

  /**
   * Resolves `host` and `port` into the addresses to connect to or listen
   * on, as the system's `getaddrinfo(3)` gives them: one
   * `[family, type, proto, canonname, sockaddr]` entry per address and
   * socket type, in the system's order.
   *
   * Where the answers come from: a numeric address is parsed, not looked
   * up (IPv4 in any form `inet_aton` takes, IPv6 with a numeric scope such
   * as `fe80::1%2`); a name goes to the system resolver, which reads
   * `/etc/hosts` and asks DNS as `/etc/nsswitch.conf` says; a service name
   * comes from `/etc/services`; the canonical name (`AI_CANONNAME`) from
   * `/etc/hosts`, then DNS CNAME records, else the name itself. Resolving a
   * name needs `--allow-net` for it; service names and canonical names need
   * `--allow-read` for those files, and `AI_ADDRCONFIG` needs `--allow-sys`
   * to list the interfaces.
   *
   * `createConnection`, `createServer` and `createDatagramEndpoint` resolve
   * names through this method, so a subclass of the loop that overrides it
   * changes where they connect, as in asyncio.
   *
   * Differences from Python: a port above 65535 throws a `RangeError`
   * (Python wraps it around); an IPv6 scope must be an interface index, not
   * a name.
   *
   * asyncio: `loop.getaddrinfo()`.
   *
   * @param host A name, a numeric address, or `null` (with `AI_PASSIVE`
   * the wildcard addresses, else the loopback ones).
   * @param port A port number, a numeric string, a service name such as
   * `"https"`, or `null` (port 0).
   * @param options `family` (`AF_INET`, `AF_INET6`, `AF_UNSPEC`), `type`
   * (`SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_RAW`, 0 for all), `proto`, `flags`
   * (`AI_*`).
   * @returns The entries; IPv4 `sockaddr`s are `[host, port]`, IPv6 ones
   * `[host, port, flowinfo, scopeId]`.
   * @throws {GaiError} If the name or service is unknown or the arguments
   * cannot go together, with the resolver's `code` (`EAI_NONAME`, ...).
   * @throws {Deno.errors.NotCapable} Without the permission a lookup needs.
   * @throws {TypeError} If an argument has the wrong type or an option is
   * unknown.
   * @throws {RangeError} If `port` is out of range.
   * @throws {Error} If the loop is closed.
   *
   * @example Resolving a numeric address for TCP
   * ```ts
   * import { AF_INET, getRunningLoop, IPPROTO_TCP, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const infos = await run(function* () {
   *   return yield* getRunningLoop().getaddrinfo("127.0.0.1", 8080, { type: SOCK_STREAM });
   * }());
   * assert.deepEqual(infos, [[AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 8080]]]);
   * ```
   */
  getaddrinfo(
    host: string | null,
    port: number | string | null,
    options?: GetAddrInfoOptions,
  ): Coroutine<AddrInfo[]> {
    checkLoopOpen(this, "getaddrinfo()");
    checkOptionNames(options, GETADDRINFO_OPTIONS, "call getaddrinfo()");
    return watchCoroutine(
      getaddrinfo(this, host, port, options),
      "EventLoop.getaddrinfo",
    );
  }

  /**
   * The host name and service name of a socket address, as the system's
   * `getnameinfo(3)` gives them: the host's name comes from `/etc/hosts` or
   * a reverse DNS lookup (with `--allow-net`), the service's from
   * `/etc/services` (with `--allow-read`). The host must be a numeric
   * address. Without a name, the numeric form is given, unless
   * `NI_NAMEREQD` asks for an error.
   *
   * Differences from Python: an IPv6 scope is written as its index
   * (`fe80::1%2`), not as the interface's name; a port above 65535 throws.
   *
   * asyncio: `loop.getnameinfo()`.
   *
   * @param sockaddr `[host, port]`, `[host, port, flowinfo, scopeId]`, or a
   * `Deno.NetAddr`.
   * @param flags `NI_*` flags, or-ed together (default 0).
   * @returns `[host, service]`.
   * @throws {GaiError} If the host is not a numeric address, the flags are
   * unknown, or `NI_NAMEREQD` is set and the address has no name.
   * @throws {TypeError} If `sockaddr` has the wrong shape.
   * @throws {RangeError} If a field of `sockaddr` is out of range.
   * @throws {Error} If the loop is closed.
   *
   * @example Numeric host and service
   * ```ts
   * import { getRunningLoop, NI_NUMERICHOST, NI_NUMERICSERV, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const names = await run(function* () {
   *   return yield* getRunningLoop().getnameinfo(["::1", 443, 0, 0], NI_NUMERICHOST | NI_NUMERICSERV);
   * }());
   * assert.deepEqual(names, ["::1", "443"]);
   * ```
   */
  getnameinfo(
    sockaddr: SockAddr | Deno.NetAddr,
    flags?: number,
  ): Coroutine<[string, string]> {
    checkLoopOpen(this, "getnameinfo()");
    return watchCoroutine(
      getnameinfo(this, sockaddr, flags === undefined ? 0 : flags),
      "EventLoop.getnameinfo",
    );
  }

  /**
   * Runs `callback(...args)` on this loop whenever the process receives
   * `signal`; replaces an earlier handler of the same signal. Handlers are
   * removed when the loop closes.
   *
   * asyncio: `loop.add_signal_handler()`.
   *
   * @typeParam A The callback's argument types.
   * @param signal A signal name such as `"SIGINT"`.
   * @param callback Called in a pass of this loop.
   * @param args Its arguments.
   * @throws {TypeError} If `signal` is not a signal name Deno knows, or
   * `callback` is not a function or is a generator function.
   * @throws {Error} For `SIGKILL` and `SIGSTOP`, which cannot be caught, or
   * if the loop is closed.
   *
   * @example Handling SIGUSR1
   * ```ts
   * import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const got = await run(function* () {
   *   const loop = getRunningLoop();
   *   const received = loop.createFuture<string>();
   *   loop.addSignalHandler("SIGUSR1", (name) => received.setResult(name), "usr1");
   *   Deno.kill(Deno.pid, "SIGUSR1");
   *   const name = yield* received;
   *   assert.ok(loop.removeSignalHandler("SIGUSR1"));
   *   return name;
   * }());
   * assert.equal(got, "usr1");
   * ```
   */
  addSignalHandler<A extends unknown[]>(
    signal: Deno.Signal,
    callback: (...args: A) => unknown,
    ...args: A
  ): void {
    addSignalHandler(this, signal, callback, args);
  }

  /**
   * Removes the handler of `signal` set with `addSignalHandler`.
   *
   * asyncio: `loop.remove_signal_handler()`.
   *
   * @param signal A signal name such as `"SIGINT"`.
   * @returns `true` if a handler was removed, `false` if there was none.
   * @throws {TypeError} If `signal` is not a signal name.
   *
   * @example Removing twice
   * ```ts
   * import { newEventLoop } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const loop = newEventLoop();
   * loop.addSignalHandler("SIGUSR2", () => {});
   * assert.equal(loop.removeSignalHandler("SIGUSR2"), true);
   * assert.equal(loop.removeSignalHandler("SIGUSR2"), false);
   * loop.close();
   * ```
   */
  removeSignalHandler(signal: Deno.Signal): boolean {
    return removeSignalHandler(this, signal);
  }

  /**
   * Connects a protocol to a pipe that is open for reading: `Deno.stdin`, an
   * opened `Deno.FsFile` (a FIFO, or a file), or a `ReadableStream` of bytes.
   * The protocol gets `connectionMade`, then `dataReceived` for each chunk,
   * then `eofReceived` and `connectionLost(null)` at the end of the stream
   * (or `connectionLost(error)` if reading fails). The transport can pause
   * and resume reading; closing it cancels the stream, which closes the
   * file or the standard input. Resolves once `connectionMade` has run.
   *
   * For lines of text, put a `StreamReader` on it (`openReadPipe()` in
   * the streams module does that).
   *
   * Differences from asyncio: the pipe is a Deno stream, not a file
   * descriptor; a regular file is read too (asyncio refuses anything but a
   * pipe, a socket or a character device).
   *
   * asyncio: `loop.connect_read_pipe()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol.
   * @param pipe What to read: a {@linkcode ReadPipe}.
   * @returns `[transport, protocol]`.
   * @throws {TypeError} If `protocolFactory` is not a function, or `pipe` has
   * no readable stream, or its stream is locked (read by something else).
   *
   * @example Reading a stream through a protocol
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * class Collect extends Protocol {
   *   text = "";
   *   done = getRunningLoop().createFuture<void>();
   *   override dataReceived(data: Uint8Array) {
   *     this.text += new TextDecoder().decode(data);
   *   }
   *   override connectionLost() {
   *     this.done.setResult();
   *   }
   * }
   * const text = await run(function* () {
   *   const encoder = new TextEncoder();
   *   const pipe = ReadableStream.from([encoder.encode("hello "), encoder.encode("pipe")]);
   *   const [_transport, protocol] = yield* getRunningLoop().connectReadPipe(
   *     () => new Collect(),
   *     pipe,
   *   );
   *   yield* protocol.done;
   *   return protocol.text;
   * }());
   * assert.equal(text, "hello pipe");
   * ```
   */
  connectReadPipe<P extends Protocol>(
    protocolFactory: () => P,
    pipe: ReadPipe,
  ): Coroutine<[ReadTransport, P]> {
    return watchCoroutine(
      connectReadPipe(this, protocolFactory, pipe),
      "EventLoop.connectReadPipe",
    );
  }

  /**
   * Connects a protocol to a pipe that is open for writing: `Deno.stdout`,
   * `Deno.stderr`, an opened `Deno.FsFile` (a FIFO, or a file), or a
   * `WritableStream` of bytes. `write()` never blocks; once more than the
   * high-water mark (64 KiB) waits to be written the protocol's
   * `pauseWriting()` is called, and `resumeWriting()` once it drained below
   * the low-water mark. `close()` flushes, then closes the stream (for
   * `Deno.stdout`, the process's standard output, as asyncio closes the
   * file it was given). Resolves once `connectionMade` has run.
   *
   * For a writer with `drain()`, put a `StreamWriter` on it
   * (`openWritePipe()` in the streams module does that).
   *
   * asyncio: `loop.connect_write_pipe()`.
   *
   * @typeParam P The protocol's type.
   * @param protocolFactory Makes the protocol.
   * @param pipe Where to write: a {@linkcode WritePipe}.
   * @returns `[transport, protocol]`.
   * @throws {TypeError} If `protocolFactory` is not a function, or `pipe` has
   * no writable stream, or its stream is locked (written by something else).
   *
   * @example Writing to a stream through a transport
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * const chunks: string[] = [];
   * const sink = new WritableStream<Uint8Array>({
   *   write(chunk) {
   *     chunks.push(new TextDecoder().decode(chunk));
   *   },
   * });
   * class Closed extends Protocol {
   *   done = getRunningLoop().createFuture<void>();
   *   override connectionLost() {
   *     this.done.setResult();
   *   }
   * }
   * await run(function* () {
   *   const [transport, protocol] = yield* getRunningLoop().connectWritePipe(
   *     () => new Closed(),
   *     sink,
   *   );
   *   transport.write(new TextEncoder().encode("hello"));
   *   transport.close(); // flushes first
   *   yield* protocol.done;
   * }());
   * assert.deepEqual(chunks, ["hello"]);
   * ```
   */
  connectWritePipe<P extends BaseProtocol>(
    protocolFactory: () => P,
    pipe: WritePipe,
  ): Coroutine<[WriteTransport, P]> {
    return watchCoroutine(
      connectWritePipe(this, protocolFactory, pipe),
      "EventLoop.connectWritePipe",
    );
  }

  /**
   * Sends a file through a TCP, TLS or Unix-socket transport, `count` bytes
   * (or to its end) from `offset`, and returns how many were sent. The file
   * is read in 64 KiB chunks and each is written once the transport's buffer
   * is below its high-water mark, so a large file is never held in memory
   * and a slow peer holds the sender back. While it runs, the transport
   * does not read and its protocol gets no flow-control calls; afterwards
   * they resume. The file position is left at `offset` plus what was sent,
   * also after an error or a cancellation.
   *
   * Deno has no zero-copy `sendfile(2)`: this is always asyncio's fallback
   * path, and `fallback: false` throws {@linkcode SendfileNotAvailableError}.
   * With streams, pass the writer's transport:
   * `yield* loop.sendfile(writer.transport, file)`.
   *
   * asyncio: `loop.sendfile()`.
   *
   * @param transport The transport to send through.
   * @param file A file opened for reading (`Deno.open(path)`).
   * @param offset Where to start reading, in bytes.
   * @param count How many bytes to send; `null`: to the end of the file.
   * @param options `fallback` (default `true`).
   * @returns How many bytes were sent (fewer than `count` if the file ends
   * first).
   * @throws {SendfileNotAvailableError} With `fallback: false`.
   * @throws {TypeError} If an argument is not of the right type.
   * @throws {RangeError} If `offset` is negative or `count` is not positive.
   * @throws {Error} If the transport is closing, or is not a socket
   * transport (a pipe, a datagram endpoint).
   *
   * @example Sending a file to a peer
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/asyncio/eventloop";
   * import { fromPromise } from "@asyncio/asyncio/tasks";
   * import assert from "node:assert/strict";
   *
   * const path = Deno.makeTempFileSync();
   * Deno.writeTextFileSync(path, "hello from a file\n");
   * let received = "";
   * await run(function* () {
   *   const loop = getRunningLoop();
   *   const done = loop.createFuture<void>();
   *   class Collect extends Protocol {
   *     override dataReceived(data: Uint8Array) { received += new TextDecoder().decode(data); }
   *     override connectionLost() { done.setResult(); }
   *   }
   *   const server = yield* loop.createServer(() => new Collect(), "127.0.0.1", 0);
   *   const { port } = server.sockets[0].addr as Deno.NetAddr;
   *   const [transport] = yield* loop.createConnection(() => new Protocol(), "127.0.0.1", port);
   *   const file = yield* fromPromise(Deno.open(path));
   *   const sent = yield* loop.sendfile(transport, file);
   *   file.close();
   *   assert.equal(sent, 18);
   *   transport.close();
   *   yield* done;
   *   server.close();
   *   yield* server.waitClosed();
   * }());
   * Deno.removeSync(path);
   * assert.equal(received, "hello from a file\n");
   * ```
   */
  sendfile(
    transport: BaseTransport,
    file: SendfileFile,
    offset?: number,
    count?: number | null,
    options?: SendfileOptions,
  ): Coroutine<number> {
    return watchCoroutine(
      sendfile(this, transport, file, offset ?? 0, count ?? null, options),
      "EventLoop.sendfile",
    );
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<EventLoop running=false closed=false debug=false>`.
   */
  toString(): string {
    return `<EventLoop running=${this.#running} closed=${this.#closed} debug=${this.#debug}>`;
  }

  /**
   * One pass: due timers move to the ready queue, then exactly the callbacks
   * that were ready at that moment run; what they schedule waits for the next
   * pass (asyncio's `_run_once`). This is the only place where callbacks and
   * task steps are called. In debug mode (read once per pass) each one that
   * holds the loop for `slowCallbackDuration` seconds or more is logged with
   * its duration, and the module's coroutines made during the pass are
   * watched for "never awaited".
   */
  #runOnce(): void {
    const timers = this._timers;
    if (timers.size > 0) {
      const now = this.#clock.now();
      let timer: TimerHandle | null;
      while ((timer = timers.popDue(now)) !== null) {
        this._ready[this._readyLen++] = timer;
      }
    }
    const todo = this._ready;
    const ntodo = this._readyLen;
    if (ntodo === 0) return;
    this._ready = this._spare;
    this._readyLen = 0;
    const previous = loopState.running;
    loopState.running = this;
    const debug = this.#debug;
    const watching = coroutineWatch.active;
    if (debug) coroutineWatch.active = true;
    try {
      for (let i = 0; i < ntodo; i++) {
        const runnable = todo[i]!;
        todo[i] = undefined;
        if (runnable._cancelled) continue;
        if (debug) this.#runTimed(runnable);
        else runnable._run();
      }
    } finally {
      loopState.running = previous;
      coroutineWatch.active = watching;
      this._spare = todo;
      this.#work += ntodo;
    }
  }

  /** Debug mode: runs `runnable` and logs it if it held the loop too long. */
  #runTimed(runnable: Runnable): void {
    const start = performance.now();
    runnable._run();
    const elapsed = performance.now() - start;
    // Read after each callback, which may have changed it.
    if (elapsed >= this.#slowCallbackDuration * 1000) {
      getLogger().warning(
        `Executing ${safeString(runnable)} took ${
          (elapsed / 1000).toFixed(3)
        } seconds`,
        { extra: { loop: this, handle: runnable, duration: elapsed / 1000 } },
      );
    }
  }

  /**
   * Nothing is ready: sleep until the next timer or a wake-up. A virtual clock
   * jumps to the next timer instead, unless real I/O is in flight.
   */
  async #idle(): Promise<void> {
    const when = this._timers.nextWhen();
    if (when !== null) {
      if (this.#clock.virtual) {
        // Let I/O that already completed come in before time moves.
        await denoTurn();
        if (this._readyLen > 0 || this.#stopping) return;
        if (this._ioPending === 0) {
          this.#clock.advanceTo(when);
          return;
        }
        return this.#sleep(null);
      }
      const delay = when - this.#clock.now();
      if (delay <= 0) return;
      return this.#sleep(delay);
    }
    return this.#sleep(null);
  }

  #sleep(delay: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (delay !== null && delay !== Infinity) {
        const ms = Math.min(Math.ceil(delay * 1000), MAX_TIMEOUT_MS);
        this.#idleTimer = setTimeout(() => {
          this.#idleTimer = undefined;
          this.#wakeUp();
        }, ms);
      }
    });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    if (wake === null) return;
    this.#wake = null;
    this.#cancelIdleTimer();
    wake();
  }

  #cancelIdleTimer(): void {
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  #checkRunnable(): void {
    if (this.#closed) this.#throwClosed("runForever()/runUntilComplete()");
    if (this.#running) throw new Error("This event loop is already running");
    if (loopState.running !== null) {
      throw new Error(
        "Cannot run the event loop while another loop is running",
      );
    }
  }

  #throwClosed(what = "a loop method"): never {
    throw new Error(`Event loop is closed: ${what} was called after close()`);
  }

  /**
   * Debug mode's check that the loop is called from its own callbacks or
   * from plain code, not from a callback of another loop that is running
   * (asyncio's `_check_thread`: two loops share nothing but the thread here,
   * and a future of one loop set from the other is almost always a mistake).
   */
  #checkCaller(what: string): void {
    const running = loopState.running;
    if (running !== null && running !== this) {
      throw new Error(
        `${what} was called on ${this} from a callback of another running loop, ${running}: use callSoonThreadsafe() to hand work to another loop`,
      );
    }
  }
}

/**
 * The error for a result that a Promise cannot carry: a Promise fulfilled
 * with a thenable adopts it (waits for it), so `run()` would hang on a
 * pending Future once the loop has stopped, or quietly give a done one's
 * result.
 */
function thenableResult(result: unknown, fromCoroutine: boolean): TypeError {
  const what = result instanceof Future
    ? `${safeString(result)}, a thenable`
    : `a thenable (${describeValue(result)})`;
  const source = fromCoroutine
    ? "The coroutine returned"
    : "The future's result is";
  return new TypeError(
    `${source} ${what}, which JavaScript cannot return through a Promise (the Promise would wait for it after the loop has stopped): return its value instead, with 'return yield* fut' for a Future or Task ('return yield* fromPromise(p)' for a Promise), or wrap it ('return { fut }')`,
  );
}

function checkExecutor(executor: unknown, what: string): void {
  const candidate = executor as Partial<Executor> | null;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.submit !== "function" ||
    typeof candidate.shutdown !== "function"
  ) {
    throw new TypeError(
      `${what} must be an Executor (with submit() and shutdown()), or null: received ${
        describeValue(executor)
      }`,
    );
  }
}

/**
 * asyncio's `executor.shutdown(wait=False)`: its promise is observed, and a
 * failure logged (the loop may be closed, so there is no handler to call).
 */
function shutDownNow(executor: Executor): void {
  const log = (error: unknown) =>
    getLogger().error("Shutting down the default executor failed", {
      exception: error,
      extra: { executor },
    });
  try {
    Promise.resolve(executor.shutdown({ wait: false })).catch(log);
  } catch (error) {
    log(error);
  }
}

/** Gives Deno's own loop one turn (about a microsecond). */
function denoTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "<unprintable>";
  }
}

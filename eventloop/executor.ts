/**
 * Executors: where `loop.runInExecutor()` sends blocking or CPU-bound work so
 * that the loop stays responsive. {@linkcode WorkerPoolExecutor} runs it in a
 * pool of Deno Workers.
 *
 * @module
 */

import {
  checkWorkerFunction,
  deserializeError,
  type JobRequest,
  type JobResponse,
} from "./_job.ts";
import { CancelledError } from "./errors.ts";
import { describeValue } from "./_util.ts";
import {
  checkBooleanOption,
  checkOptionNames,
  SHUTDOWN_OPTIONS,
  SUBMIT_OPTIONS,
  WORKER_POOL_EXECUTOR_OPTIONS,
} from "./_options.ts";

/**
 * A function that runs in a Worker, named by the URL of the module that
 * exports it and the export's name. Closures cannot cross to a Worker, so the
 * Worker imports the module and calls the export; arguments and the result
 * cross by structured clone (numbers, strings, plain objects, arrays, typed
 * arrays, `Map`, `Set`, `SharedArrayBuffer`..., but not functions or class
 * instances with methods).
 *
 * Use `new URL("./work.ts", import.meta.url)` for a module next to yours.
 */
export interface WorkerFunction {
  /** The module, as an absolute URL (`file:`, `https:`, `data:`). */
  moduleUrl: string | URL;
  /** The name under which the module exports the function. */
  exportName: string;
}

/** Options of {@linkcode Executor.submit}. */
export interface SubmitOptions {
  /**
   * Aborting it drops the job if it has not started yet. A job that already
   * runs is left to finish, and its result is thrown away.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/** Options of {@linkcode Executor.shutdown}. */
export interface ShutdownOptions {
  /**
   * `true`: let queued and running jobs finish, then stop the Workers.
   * `false`: stop the Workers now; jobs not finished fail with an `Error`.
   *
   * @default {true}
   */
  wait?: boolean;
  /**
   * Drop the jobs that have not started (they fail with
   * {@linkcode CancelledError}) before waiting for the running ones.
   *
   * @default {false}
   */
  cancelFutures?: boolean;
}

/**
 * What `loop.runInExecutor()` needs from an executor: run a job and promise
 * its result, and shut down. Implement it to run work elsewhere (a remote
 * service, a subprocess pool).
 *
 * asyncio: `concurrent.futures.Executor`.
 */
export interface Executor {
  /**
   * Starts `fn(...args)` and promises its result.
   *
   * @typeParam T The result type.
   * @param fn The function to run.
   * @param args Its arguments.
   * @param options A signal that drops the job if it has not started.
   * @returns A promise of the result; it rejects with the function's error.
   */
  submit<T = unknown>(
    fn: WorkerFunction,
    args: unknown[],
    options?: SubmitOptions,
  ): Promise<T>;
  /**
   * Stops taking jobs and frees what the executor holds.
   *
   * @param options Whether to wait for the jobs in flight.
   * @returns A promise that settles once everything is stopped.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/** Options of the {@linkcode WorkerPoolExecutor} constructor. */
export interface WorkerPoolExecutorOptions {
  /**
   * The most Workers that run at once; more jobs wait in a queue.
   *
   * @default {navigator.hardwareConcurrency}
   */
  maxWorkers?: number;
}

interface Job {
  id: number;
  moduleUrl: string;
  exportName: string;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

interface PoolWorker {
  worker: Worker;
  job: Job | null;
}

let jobCounter = 0;

/**
 * Runs functions in a pool of Deno Workers, at most `maxWorkers` at once, so
 * CPU-bound work runs in parallel with the event loop. Workers start on
 * demand, are reused for later jobs, and are terminated by
 * {@linkcode WorkerPoolExecutor.shutdown}; `await using` shuts the pool down
 * at the end of a scope. Workers get the permissions of the main program;
 * Deno needs `--allow-read` to start a Worker from a local module and to
 * import your module in it (`--allow-net` for remote ones), and says so in
 * the error otherwise.
 *
 * A function is named by its module URL and export name (see
 * {@linkcode WorkerFunction}); an error thrown in the Worker comes back as the
 * rejection, as the nearest built-in error class it extends (a custom
 * `class MyError extends RangeError` comes back as a `RangeError`), with its
 * name, message, the Worker's stack, and its own cloneable fields.
 *
 * asyncio: `concurrent.futures.ProcessPoolExecutor` (Workers share no memory
 * with the main program, as processes do not).
 *
 * @example Running a function in a Worker
 * ```ts
 * import { WorkerPoolExecutor } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // Usually `new URL("./work.ts", import.meta.url)`; a data: URL keeps the
 * // example self-contained.
 * const moduleUrl = "data:text/javascript,export const square = (n) => n * n;";
 * await using pool = new WorkerPoolExecutor({ maxWorkers: 2 });
 * const results = await Promise.all(
 *   [1, 2, 3].map((n) => pool.submit({ moduleUrl, exportName: "square" }, [n])),
 * );
 * assert.deepEqual(results, [1, 4, 9]);
 * ```
 */
export class WorkerPoolExecutor implements Executor, AsyncDisposable {
  #maxWorkers: number;
  #workers = new Set<PoolWorker>();
  #idle: PoolWorker[] = [];
  #queue: Job[] = [];
  #shutdown = false;
  /** Resolvers of the shutdowns waiting for the jobs in flight. */
  #drainWaiters: (() => void)[] = [];

  /**
   * Makes a pool; no Worker starts until the first job.
   *
   * @param options The most Workers to run at once.
   * @throws {RangeError} If `maxWorkers` is not a positive integer.
   * @throws {TypeError} If an option is unknown, or `maxWorkers` is not a
   * number.
   */
  constructor(options?: WorkerPoolExecutorOptions) {
    if (options !== undefined) {
      checkOptionNames(
        options,
        WORKER_POOL_EXECUTOR_OPTIONS,
        "create WorkerPoolExecutor",
      );
    }
    const maxWorkers = options?.maxWorkers ??
      Math.max(1, navigator.hardwareConcurrency || 1);
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) {
      const message =
        `Cannot create WorkerPoolExecutor as 'maxWorkers' must be a positive integer: received ${
          describeValue(maxWorkers)
        }`;
      throw typeof maxWorkers === "number"
        ? new RangeError(message)
        : new TypeError(message);
    }
    this.#maxWorkers = maxWorkers;
  }

  /**
   * The most Workers that run at once.
   *
   * @returns The limit given at construction.
   */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /**
   * How many Workers are started (busy or idle).
   *
   * @returns The count; 0 before the first job and after shutdown.
   */
  get workerCount(): number {
    return this.#workers.size;
  }

  /**
   * Runs `fn(...args)` in a Worker (a new one if none is idle and the pool
   * has room, else the next one to be free) and promises its result.
   *
   * asyncio: `Executor.submit()`.
   *
   * @typeParam T The result type.
   * @param fn The module URL and export name of the function.
   * @param args Its arguments; they must be structured-cloneable.
   * @param options A signal that drops the job if it has not started.
   * @returns A promise of the result, rejected with the function's error, a
   * `TypeError` if the arguments or result cannot be cloned, or a
   * {@linkcode CancelledError} if the job was dropped.
   * @throws {TypeError} If `fn` is not a {@linkcode WorkerFunction}, an
   * option is unknown, or `signal` is not an AbortSignal.
   * @throws {Error} After {@linkcode WorkerPoolExecutor.shutdown}.
   */
  submit<T = unknown>(
    fn: WorkerFunction,
    args: unknown[],
    options?: SubmitOptions,
  ): Promise<T> {
    const { moduleUrl, exportName } = checkWorkerFunction(fn, "submit()");
    if (!Array.isArray(args)) {
      throw new TypeError(
        `submit()'s 'args' must be an array: received ${describeValue(args)}`,
      );
    }
    if (options !== undefined) {
      checkOptionNames(options, SUBMIT_OPTIONS, "call submit()");
      const signal = options?.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new TypeError(
          `Cannot call submit() as 'signal' must be an AbortSignal: received ${
            describeValue(signal)
          }`,
        );
      }
    }
    if (this.#shutdown) {
      throw new Error("Cannot schedule new jobs after shutdown");
    }
    const signal = options?.signal;
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        id: ++jobCounter,
        moduleUrl,
        exportName,
        args,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        onAbort: null,
      };
      if (signal !== undefined) {
        if (signal.aborted) {
          reject(new CancelledError("The job was cancelled before it started"));
          return;
        }
        job.onAbort = () => this.#dropQueued(job);
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /**
   * Stops taking jobs; by default waits for the queued and running ones, then
   * terminates every Worker. Idempotent.
   *
   * asyncio: `Executor.shutdown()`.
   *
   * @param options `wait: false` stops the Workers at once; `cancelFutures`
   * drops the jobs that have not started.
   * @returns A promise that settles once no Worker is left.
   * @throws {TypeError} If an option is unknown or not a boolean (as a
   * rejection, before anything is shut down).
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    if (options !== undefined) {
      checkOptionNames(options, SHUTDOWN_OPTIONS, "call shutdown()");
      checkBooleanOption(options?.wait, "wait", "call shutdown()");
      checkBooleanOption(
        options?.cancelFutures,
        "cancelFutures",
        "call shutdown()",
      );
    }
    this.#shutdown = true;
    const wait = options?.wait ?? true;
    if (options?.cancelFutures || !wait) {
      for (const job of this.#queue.splice(0)) {
        settle(job);
        job.reject(new CancelledError("The executor was shut down"));
      }
    }
    if (!wait) {
      for (const pool of this.#workers) {
        const job = pool.job;
        pool.job = null;
        if (job !== null) {
          settle(job);
          job.reject(
            new Error(
              "The executor was shut down before the job finished",
            ),
          );
        }
      }
      this.#terminateAll();
      // An earlier shutdown() that waits for the jobs has nothing left to
      // wait for.
      this.#checkDrained();
      return;
    }
    if (this.#busy()) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
    this.#terminateAll();
  }

  /**
   * Shuts the pool down and waits: `await using pool = new
   * WorkerPoolExecutor()`.
   *
   * @returns A promise that settles once no Worker is left.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #busy(): boolean {
    if (this.#queue.length > 0) return true;
    for (const pool of this.#workers) if (pool.job !== null) return true;
    return false;
  }

  #dropQueued(job: Job): void {
    const index = this.#queue.indexOf(job);
    if (index === -1) return; // Running: its result is abandoned.
    this.#queue.splice(index, 1);
    settle(job);
    job.reject(new CancelledError("The job was cancelled before it started"));
    this.#checkDrained();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let pool = this.#idle.pop();
      if (pool === undefined) {
        if (this.#workers.size >= this.#maxWorkers) return;
        pool = this.#startWorker();
      }
      const job = this.#queue.shift()!;
      this.#start(pool, job);
    }
  }

  #start(pool: PoolWorker, job: Job): void {
    const request: JobRequest = {
      id: job.id,
      moduleUrl: job.moduleUrl,
      exportName: job.exportName,
      args: job.args,
    };
    try {
      pool.worker.postMessage(request);
    } catch (error) {
      settle(job);
      job.reject(
        new TypeError(
          `Cannot send the arguments of ${job.exportName}() to a Worker as they must be structured-cloneable: ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      );
      this.#idle.push(pool);
      return;
    }
    pool.job = job;
  }

  #startWorker(): PoolWorker {
    const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
      type: "module",
      name: "asyncio-executor",
    });
    const pool: PoolWorker = { worker, job: null };
    worker.onmessage = (event: MessageEvent<JobResponse>) => {
      const job = pool.job;
      if (job === null || job.id !== event.data.id) return;
      pool.job = null;
      settle(job);
      const response = event.data;
      if (response.ok) job.resolve(response.value);
      else job.reject(deserializeError(response.error));
      this.#release(pool);
    };
    worker.onmessageerror = () => {
      const job = pool.job;
      if (job === null) return;
      pool.job = null;
      settle(job);
      job.reject(
        new TypeError(
          `The result of ${job.exportName}() could not be received from the Worker`,
        ),
      );
      this.#release(pool);
    };
    worker.onerror = (event: ErrorEvent) => {
      // An error outside any job (the Worker itself failed): it must not
      // reach the main program as an uncaught error.
      event.preventDefault();
      const job = pool.job;
      pool.job = null;
      this.#workers.delete(pool);
      const index = this.#idle.indexOf(pool);
      if (index !== -1) this.#idle.splice(index, 1);
      worker.terminate();
      if (job !== null) {
        settle(job);
        job.reject(new Error(`The Worker failed: ${event.message}`));
      }
      this.#dispatch();
      this.#checkDrained();
    };
    this.#workers.add(pool);
    return pool;
  }

  #release(pool: PoolWorker): void {
    if (!this.#workers.has(pool)) return;
    this.#idle.push(pool);
    this.#dispatch();
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#drainWaiters.length === 0 || this.#busy()) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #terminateAll(): void {
    for (const pool of this.#workers) pool.worker.terminate();
    this.#workers.clear();
    this.#idle.length = 0;
  }
}

/** Stops listening to the job's signal. */
function settle(job: Job): void {
  if (job.onAbort !== null) {
    job.signal?.removeEventListener("abort", job.onAbort);
    job.onAbort = null;
  }
}

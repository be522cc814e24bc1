// Private helpers of debug mode: the ASYNCIO_DEBUG switch, creation stacks,
// "exception was never retrieved" and "Task was destroyed but it is pending".
// Both reports come from FinalizationRegistry callbacks: JavaScript has no
// destructors, so an object is known to be lost only once it is collected.

import type { EventLoop } from "./event_loop.ts";

const PACKAGE_ROOT = new URL("../", import.meta.url).href;
const OWN_FRAMES = [
  "eventloop",
  "tasks",
  "sync",
  "queues",
  "streams",
  "subprocess",
].map((folder) => `${PACKAGE_ROOT}${folder}/`);

/**
 * Whether the environment turns debug mode on: `ASYNCIO_DEBUG` set to
 * anything but "" or "0". Read only when the env permission for it is
 * already granted; never prompts, and is silently `false` otherwise.
 */
export function debugFromEnv(): boolean {
  try {
    const status = Deno.permissions.querySync({
      name: "env",
      variable: "ASYNCIO_DEBUG",
    });
    if (status.state !== "granted") return false;
    const value = Deno.env.get("ASYNCIO_DEBUG");
    return value !== undefined && value !== "" && value !== "0";
  } catch {
    return false;
  }
}

/** A captured stack, formatted only when read (see {@linkcode formatSource}). */
export interface SourceStack {
  stack?: string;
}

const STACK_LIMIT = 30;

/**
 * Captures where the caller is (asyncio's `_source_traceback`), without the
 * frames from `skip`'s call upwards. Capturing is cheap; Deno's formatting
 * (with source maps) is not, so it waits for {@linkcode formatSource}.
 *
 * The capture keeps the receivers of its frames alive until it is formatted:
 * with `skip` the constructor being run (`new.target`), the object under
 * construction is not among them, so it can still be collected.
 */
// deno-lint-ignore ban-types -- any constructor or function can be skipped
export function captureSource(skip: Function): SourceStack {
  const holder: SourceStack = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_LIMIT;
  Error.captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return holder;
}

/** The stack lines of a capture, without the frames of this package. */
export function formatSource(source: SourceStack): string {
  const lines = (source.stack ?? "").split("\n").slice(1).filter((line) =>
    !OWN_FRAMES.some((prefix) => line.includes(prefix))
  );
  return lines.map((line) => line.trim()).join("\n");
}

/**
 * Where the caller is, formatted now (for objects whose frames must not be
 * retained: a capture keeps its frames' receivers alive).
 */
export function captureSourceTraceback(): string {
  return formatSource(captureSource(captureSourceTraceback));
}

interface UnretrievedRecord {
  loop: EventLoop;
  /**
   * Held weakly: V8 keeps the receivers of an error's stack frames (the Task
   * among them) alive as long as the error, so holding it strongly here would
   * keep the future from ever being collected.
   */
  exception: WeakRef<object> | null;
  /** The error when it is not an object; else a copy made at watch time. */
  copy: unknown;
  description: string;
  kind: string;
  source: SourceStack | null;
}

const unretrieved = new FinalizationRegistry<UnretrievedRecord>((record) => {
  const context: Record<string, unknown> & { message: string } = {
    message: `${record.kind} exception was never retrieved`,
    exception: record.exception?.deref() ?? record.copy,
    description: record.description,
  };
  if (record.source !== null) {
    context.sourceTraceback = formatSource(record.source);
  }
  record.loop.callExceptionHandler(context);
});

/** The part of a Future the "never retrieved" watch needs. */
interface Watched {
  _loop: EventLoop;
  _exception: unknown;
  _source: SourceStack | null;
  toString(): string;
}

/**
 * Reports `future`'s error through its loop's exception handler if the
 * future is collected before anyone reads the error.
 */
export function watchUnretrieved(future: Watched, kind: string): void {
  const exception = future._exception;
  let ref: WeakRef<object> | null = null;
  let copy: unknown = exception;
  if (typeof exception === "object" && exception !== null) {
    ref = new WeakRef(exception);
    copy = copyError(exception);
  }
  unretrieved.register(future, {
    loop: future._loop,
    exception: ref,
    copy,
    description: safeDescription(future),
    kind,
    source: future._source,
  }, future);
}

/** The error of `future` was read: nothing to report. */
export function unwatchUnretrieved(future: Watched): void {
  unretrieved.unregister(future);
}

/** An Error with the same class name, message and stack, holding nothing. */
function copyError(error: object): Error {
  const original = error as Partial<Error>;
  const copy = new Error(safeDescription(original.message ?? error));
  try {
    copy.name = String(original.name ?? "Error");
    if (typeof original.stack === "string") copy.stack = original.stack;
  } catch {
    // A hostile getter: the message is enough.
  }
  return copy;
}

interface PendingRecord {
  ref: WeakRef<object>;
  loop: EventLoop;
  description: string;
  source: SourceStack | null;
}

/** The part of a Task the weak registry needs. */
interface Tracked {
  _source: SourceStack | null;
  done(): boolean;
  toString(): string;
}

/**
 * The loop's set of pending tasks in debug mode: it holds them weakly, so a
 * pending task that nothing can ever wake (nobody holds it or the future it
 * waits on) is collected, and reported as destroyed while pending, as
 * asyncio does from `Task.__del__`. Outside debug mode the loop keeps a plain
 * `Set`, which holds its tasks until they finish.
 */
export class WeakTaskSet<T extends Tracked> implements Iterable<T> {
  #refs = new Set<WeakRef<T>>();
  #byTask = new WeakMap<T, WeakRef<T>>();
  #loop: EventLoop;
  #registry = new FinalizationRegistry<PendingRecord>((record) => {
    this.#refs.delete(record.ref as WeakRef<T>);
    const context: Record<string, unknown> & { message: string } = {
      message: "Task was destroyed but it is pending!",
      description: record.description,
    };
    if (record.source !== null) {
      context.sourceTraceback = formatSource(record.source);
    }
    record.loop.callExceptionHandler(context);
  });

  constructor(loop: EventLoop, tasks: Iterable<T>) {
    this.#loop = loop;
    for (const task of tasks) this.add(task);
  }

  add(task: T): this {
    if (this.#byTask.has(task)) return this;
    const ref = new WeakRef(task);
    this.#refs.add(ref);
    this.#byTask.set(task, ref);
    this.#registry.register(task, {
      ref,
      loop: this.#loop,
      description: safeDescription(task),
      source: task._source,
    }, ref);
    return this;
  }

  delete(task: T): boolean {
    const ref = this.#byTask.get(task);
    if (ref === undefined) return false;
    this.#byTask.delete(task);
    this.#refs.delete(ref);
    this.#registry.unregister(ref);
    return true;
  }

  get size(): number {
    return this.#refs.size;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const ref of [...this.#refs]) {
      const task = ref.deref();
      if (task !== undefined) yield task;
    }
  }
}

function safeDescription(value: { toString(): string }): string {
  try {
    return String(value);
  } catch {
    return "<unprintable>";
  }
}

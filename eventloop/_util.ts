// Private helpers of the eventloop folder; never re-exported. The layers
// above reach the ones they need through eventloop/_lowlevel.ts.

/** Names a callback for log messages: `name()`. */
export function describeCallback(callback: unknown): string {
  if (typeof callback !== "function") return String(callback);
  return `${callback.name || "<anonymous>"}()`;
}

/**
 * The part of a callback's error report that explains a method passed
 * without its object (`loop.callLater(5, task.cancel)`): JavaScript calls it
 * with no `this`, and it fails on its first use of `this`. Empty unless the
 * error is the TypeError of a missing `this` thrown by the callback itself.
 */
export function lostThisHint(callback: unknown, error: unknown): string {
  if (!(error instanceof TypeError) || typeof callback !== "function") {
    return "";
  }
  if (
    !/^Cannot (read|set) properties of undefined|private member|^Receiver must be/
      .test(error.message)
  ) return "";
  const name = callback.name;
  // Arrow functions have no `this` of their own to lose; bound ones keep it.
  if (
    !name || name.startsWith("bound ") ||
    isArrow(callback as (...args: never[]) => unknown)
  ) {
    return "";
  }
  // The failing frame must be the callback's own, not a function it called.
  const top = error.stack?.split("\n").find((line) => /^\s+at /.test(line));
  const own = new RegExp(`^\\s+at (\\S+\\.)?${escapeRegExp(name)} `);
  if (top === undefined || !own.test(top)) return "";
  return `: the method ${name}() lost its object ('this' is undefined). JavaScript calls a method passed as a callback, such as loop.callLater(5, task.cancel), without its object; pass an arrow function instead: () => obj.${name}()`;
}

function isArrow(fn: (...args: never[]) => unknown): boolean {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return false;
  }
  return /^(async\s*)?(\([^)]*\)|[\w$]+)\s*=>/.test(source);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Describes a value received as a bad argument, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") {
    const kind = isGeneratorFunction(value) ? "generator function" : "function";
    return `${kind} ${value.name || "<anonymous>"}`;
  }
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  if (isGenerator(value)) return "a coroutine";
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  const name = ctor?.name;
  if (!name || name === "Object") return "an object";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

/** Throws a TypeError naming the argument unless `value` is a function. */
export function checkFunction(value: unknown, what: string): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `${what} must be a function: received ${describeValue(value)}`,
    );
  }
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;

/**
 * Whether `value` is a generator function (`function*`). `instanceof` costs
 * a fraction of `Object.getPrototypeOf()` on a function in V8.
 */
export function isGeneratorFunction(value: unknown): boolean {
  return value instanceof GeneratorFunction;
}

/**
 * Throws a TypeError naming the argument unless `value` is a plain function:
 * a generator function called as a callback only makes a coroutine, which
 * is dropped and never runs (asyncio: "coroutines cannot be used with
 * call_soon()"), and a coroutine is no callback.
 */
export function checkCallback(value: unknown, what: string): void {
  if (typeof value === "function" && !isGeneratorFunction(value)) return;
  if (isGeneratorFunction(value)) {
    const name = (value as () => unknown).name || "<anonymous>";
    throw new TypeError(
      `${what} must be a plain function, not a generator function: calling ${name} would only make a coroutine, which never runs (run it as a task: () => createTask(${name}()))`,
    );
  }
  if (isGenerator(value)) {
    throw new TypeError(
      `${what} must be a function: received a coroutine (run a coroutine as a task: createTask(coro))`,
    );
  }
  checkFunction(value, what);
}

/**
 * Throws a TypeError naming `where` unless `value` is a coroutine (a
 * generator object), with a hint for a generator function given uncalled.
 */
export function checkCoroutine(value: unknown, where: string): void {
  if (isGenerator(value)) return;
  throw new TypeError(
    `${where} expected a coroutine (a generator object): received ${
      describeNonCoroutine(value)
    }`,
  );
}

/**
 * `describeValue(value)`, with a hint where a generator function was given
 * for its coroutine: "generator function work (call it to make a coroutine:
 * work())".
 */
export function describeNonCoroutine(value: unknown): string {
  const described = describeValue(value);
  if (!isGeneratorFunction(value)) return described;
  const name = (value as () => unknown).name || "<anonymous>";
  return `${described} (call it to make a coroutine: ${name}(...))`;
}

/** Throws unless `value` is a number that is not NaN (Infinity is allowed). */
export function checkDelay(value: unknown, what: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `${what} must be a number of seconds: received ${describeValue(value)}`,
    );
  }
  return value;
}

/** Whether `value` looks like a generator object (a coroutine here). */
export function isGenerator(value: unknown): value is Generator {
  return typeof value === "object" && value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function" &&
    typeof (value as Generator)[Symbol.iterator] === "function";
}

/** Whether `value` has a callable `then`. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * The error for a second use of a coroutine.
 *
 * @param what The call that made it (`sleep()`), or `null` for a plain
 * generator.
 * @param running Whether its first use still runs.
 * @param owner The task that runs it, when known.
 */
export function reuseError(
  what: string | null,
  running: boolean,
  owner: string | null = null,
): Error {
  const it = what === null ? "this coroutine" : `this ${what}`;
  const fresh = what === null
    ? "call the generator function again for a new coroutine"
    : `call ${what} again for a new one`;
  if (!running) {
    return new Error(
      `cannot reuse already awaited coroutine: ${it} has already run; ${fresh}`,
    );
  }
  return new Error(
    owner === null
      ? `coroutine is being awaited already: ${it} is awaited elsewhere; ${fresh}`
      : `coroutine is being awaited already: ${it} is run by ${owner}; wait for that task with 'yield* task', or ${fresh}`,
  );
}

/**
 * Throws the loop's "Event loop is closed" error for `method` (such as
 * `"createServer()"`) when `loop` is closed: the network and subprocess
 * methods call it before they open or spawn anything.
 */
export function checkLoopOpen(
  loop: { isClosed(): boolean },
  method: string,
): void {
  if (loop.isClosed()) {
    throw new Error(
      `Event loop is closed: ${method} was called after close()`,
    );
  }
}

/**
 * The chunks of a `writeLines()` call, every one checked before any is
 * written: asyncio joins them first, so one bad chunk writes nothing.
 */
export function checkChunks(chunks: unknown, what: string): Uint8Array[] {
  if (
    typeof chunks !== "object" || chunks === null ||
    typeof (chunks as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot ${what} as 'chunks' must be an iterable of Uint8Array: received ${
        describeValue(chunks)
      }`,
    );
  }
  const list = [...(chunks as Iterable<unknown>)];
  for (let i = 0; i < list.length; i++) {
    if (!(list[i] instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot ${what} as 'chunks[${i}]' must be a Uint8Array: received ${
          describeValue(list[i])
        }`,
      );
    }
  }
  return list as Uint8Array[];
}

/** Checks a count argument: a non-negative (or positive) integer. */
export function checkCount(
  value: unknown,
  what: string,
  min: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const kind = min > 0 ? "a positive integer" : "a non-negative integer";
    const shown = describeValue(value);
    throw (typeof value === "number" && !Number.isNaN(value)
      ? new RangeError(`${what} must be ${kind}: received ${shown}`)
      : new TypeError(`${what} must be ${kind}: received ${shown}`));
  }
  return value;
}

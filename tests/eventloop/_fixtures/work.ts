// Functions the executor tests run in Workers.

const workerId = crypto.randomUUID();

/** Which Worker (module instance) ran the call. */
export function whoAmI(): string {
  return workerId;
}

export function add(a: number, b: number): number {
  return a + b;
}

export async function addLater(a: number, b: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return a + b;
}

export class WorkError extends RangeError {
  code = 42;
  constructor(message: string) {
    super(message);
    this.name = "WorkError";
  }
}

export function fail(message: string): never {
  throw new WorkError(message);
}

export function notCloneable(): () => void {
  return () => {};
}

export const notAFunction = 7;

const LIMIT_MS = 10_000;

/**
 * Busy: spins until `flags[index]` is 1 (or 10 s pass), counting spins; then
 * sets `flags[done]` to 1. With `started`, sets `flags[started]` to 1 first,
 * so the caller can tell the spinning has begun.
 */
export function spinUntil(
  buffer: SharedArrayBuffer,
  index: number,
  done: number,
  started?: number,
): { spins: number; timedOut: boolean } {
  const flags = new Int32Array(buffer);
  if (started !== undefined) Atomics.store(flags, started, 1);
  const end = performance.now() + LIMIT_MS;
  let spins = 0;
  while (Atomics.load(flags, index) !== 1) {
    spins++;
    if (performance.now() > end) {
      Atomics.store(flags, done, 1);
      return { spins, timedOut: true };
    }
  }
  Atomics.store(flags, done, 1);
  return { spins, timedOut: false };
}

/**
 * Two of these meet only if they run at the same time: each raises its own
 * flag and spins until it sees the other's (or 10 s pass).
 */
export function handshake(
  buffer: SharedArrayBuffer,
  mine: number,
  theirs: number,
): boolean {
  const flags = new Int32Array(buffer);
  Atomics.store(flags, mine, 1);
  const end = performance.now() + LIMIT_MS;
  while (Atomics.load(flags, theirs) !== 1) {
    if (performance.now() > end) return false;
  }
  return true;
}

/** Counts its calls in `flags[index]`. */
export function mark(buffer: SharedArrayBuffer, index: number): number {
  return Atomics.add(new Int32Array(buffer), index, 1) + 1;
}

/** Returns, then crashes its Worker with an error nobody catches. */
export function crashLater(): string {
  setTimeout(() => {
    throw new Error("uncaught in the Worker");
  }, 0);
  return "returned";
}

/** Never settles until its Worker is gone: an uncaught error ends it. */
export function crashNow(): Promise<never> {
  return new Promise(() => {
    setTimeout(() => {
      throw new Error("crashed mid-job");
    }, 0);
  });
}

/** Blocks its Worker for `ms` milliseconds, then returns `ms`. */
export function blockFor(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}

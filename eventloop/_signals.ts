// loop.addSignalHandler / removeSignalHandler over Deno.addSignalListener.
// Deno calls the listener from its own loop; the callback runs in a pass of
// this loop (asyncio's _handle_signal), so getRunningLoop() works inside it.

import type { EventLoop } from "./event_loop.ts";
import { checkCallback, describeValue } from "./_util.ts";

interface Registration {
  listener: () => void;
}

const handlers = new WeakMap<EventLoop, Map<Deno.Signal, Registration>>();

/**
 * Deno's signal listeners do not keep the process alive, but a loop waiting
 * for a signal must not end (asyncio blocks in select()). One idle interval
 * holds the process open while any loop has a handler.
 */
let keepAlive: ReturnType<typeof setInterval> | undefined;
let registered = 0;

function retain(): void {
  if (registered++ === 0) keepAlive = setInterval(() => {}, 2 ** 30);
}

function release(): void {
  if (--registered === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

function checkSignal(signal: unknown, what: string): Deno.Signal {
  if (typeof signal !== "string" || !/^SIG[A-Z0-9]+$/.test(signal)) {
    throw new TypeError(
      `Cannot ${what} as 'signal' must be a signal name such as "SIGINT": received ${
        describeValue(signal)
      }`,
    );
  }
  if (signal === "SIGKILL" || signal === "SIGSTOP") {
    throw new Error(
      `Cannot ${what} as ${signal} cannot be caught`,
    );
  }
  return signal as Deno.Signal;
}

/** Implements `loop.addSignalHandler()`. */
export function addSignalHandler<A extends unknown[]>(
  loop: EventLoop,
  signal: Deno.Signal,
  callback: (...args: A) => unknown,
  args: A,
): void {
  const what = "add a signal handler";
  const sig = checkSignal(signal, what);
  checkCallback(callback, "addSignalHandler()'s 'callback'");
  if (loop.isClosed()) throw new Error("Event loop is closed");
  const listener = () => {
    if (!loop.isClosed()) loop.callSoonThreadsafe(callback, ...args);
  };
  try {
    Deno.addSignalListener(sig, listener);
  } catch (error) {
    // Deno's own TypeError ("Invalid signal: SIGFOO") names no argument.
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(
      `Cannot ${what} as 'signal' must be a signal this platform knows: received ${
        describeValue(signal)
      }`,
      { cause: error },
    );
  }
  let map = handlers.get(loop);
  if (map === undefined) {
    map = new Map();
    handlers.set(loop, map);
    loop._onClose.add(() => removeAll(loop));
  }
  const previous = map.get(sig);
  if (previous !== undefined) Deno.removeSignalListener(sig, previous.listener);
  else retain();
  map.set(sig, { listener });
}

/** Implements `loop.removeSignalHandler()`. */
export function removeSignalHandler(
  loop: EventLoop,
  signal: Deno.Signal,
): boolean {
  const sig = checkSignal(signal, "remove a signal handler");
  const map = handlers.get(loop);
  const registration = map?.get(sig);
  if (registration === undefined) return false;
  map!.delete(sig);
  Deno.removeSignalListener(sig, registration.listener);
  release();
  return true;
}

function removeAll(loop: EventLoop): void {
  const map = handlers.get(loop);
  if (map === undefined) return;
  for (const [sig, { listener }] of map) {
    Deno.removeSignalListener(sig, listener);
    release();
  }
  map.clear();
  handlers.delete(loop);
}

/** Whether the program installed its own handler for `signal` on `loop`. */
export function hasSignalHandler(
  loop: EventLoop,
  signal: Deno.Signal,
): boolean {
  return handlers.get(loop)?.has(signal) ?? false;
}

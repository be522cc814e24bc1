// Connecting to one of several addresses, as asyncio's create_connection
// does: one after the other (the default), or racing them with staggered
// starts (RFC 8305 "Happy Eyeballs", asyncio's staggered_race) when a delay
// is given; and the interleaving of address families that goes with it.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import type { TimerHandle } from "./handle.ts";
import type { Coroutine } from "./_coroutine.ts";
import { closeQuietly, startIo } from "./_net.ts";
import type { Endpoint } from "./_resolve.ts";

/**
 * Reorders addresses so that families alternate, starting with the first
 * address's family; `firstFamilyCount` addresses of that family come first
 * (asyncio's `_interleave_addrinfos`).
 */
export function interleave<T extends { family: number }>(
  items: readonly T[],
  firstFamilyCount: number,
): T[] {
  const byFamily = new Map<number, T[]>();
  for (const item of items) {
    const list = byFamily.get(item.family);
    if (list === undefined) byFamily.set(item.family, [item]);
    else list.push(item);
  }
  const lists = [...byFamily.values()];
  const out: T[] = [];
  if (firstFamilyCount > 1) {
    out.push(...lists[0].splice(0, firstFamilyCount - 1));
  }
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]);
  }
  return out;
}

/**
 * An AbortController for `Deno.connect`. Deno (2.9) checks the signal once
 * more after the connect op has returned: aborted in between, it throws
 * `AbortError` and the connection it has just made is lost, open, to the
 * caller. The signal here does not throw from `throwIfAborted()`, so an
 * abort that comes too late lets the connection through (and the caller
 * closes it, as it closes any connection that arrives after its attempt
 * was cancelled); an abort in time still cancels the connect op.
 */
export function abortableConnect(): AbortController {
  const controller = new AbortController();
  Object.defineProperty(controller.signal, "throwIfAborted", {
    value: () => {},
  });
  return controller;
}

/** Every attempt failed: their errors, in the order the attempts started. */
export class AllAttemptsFailed extends Error {
  constructor(readonly errors: unknown[]) {
    super("Every connection attempt failed");
  }
}

/**
 * Connects to the first endpoint that answers. With `delay` `null`, one
 * attempt runs at a time and the next starts when it fails. With a delay in
 * seconds, the next attempt also starts when the latest one has run that
 * long without an answer, while the earlier ones go on; the first to connect
 * wins and the others are aborted (a connection that arrives late is
 * closed). Throws {@linkcode AllAttemptsFailed} when none connects;
 * cancelled, it aborts every attempt.
 *
 * Invariant: at most one timer is pending, and only while the latest
 * attempt runs and endpoints remain; an attempt's failure starts the next
 * only if it is the latest (as in staggered_race, where each attempt waits
 * on the failure of the one before it).
 */
export function* connectFirst<C extends { close(): void }>(
  loop: EventLoop,
  endpoints: readonly Endpoint[],
  delay: number | null,
  connect: (endpoint: Endpoint, signal: AbortSignal) => Promise<C>,
): Coroutine<C> {
  if (endpoints.length === 1) {
    // One address: no race to run, and no loop pass spent on one.
    const controller = abortableConnect();
    const future = startIo(
      loop,
      () => connect(endpoints[0], controller.signal),
      closeQuietly,
    );
    try {
      return yield* future;
    } catch (error) {
      if (!future.done() || future.cancelled()) {
        controller.abort(); // Cancelled while connecting.
      } else if (future.exception() == null) {
        closeQuietly(future.result()); // Cancelled once connected.
      } else {
        throw new AllAttemptsFailed([error]);
      }
      throw error;
    }
  }
  const winner = loop.createFuture<C>();
  const errors: unknown[] = [];
  const attempts: { future: Future<C>; controller: AbortController }[] = [];
  let timer: TimerHandle | null = null;

  const stopOthers = () => {
    timer?.cancel();
    timer = null;
    for (const { future, controller } of attempts) {
      if (!future.done()) {
        future.cancel();
        controller.abort();
      }
    }
  };

  const failIfAllFailed = (): void => {
    if (
      !winner.done() && attempts.length === endpoints.length &&
      attempts.every(({ future }) => future.done())
    ) {
      winner.setException(
        new AllAttemptsFailed(errors.filter((e) => e !== undefined)),
      );
    }
  };

  const startNext = (): void => {
    timer?.cancel();
    timer = null;
    if (winner.done()) return;
    const index = attempts.length;
    if (index === endpoints.length) return failIfAllFailed();
    const controller = abortableConnect();
    const future = startIo(
      loop,
      () => connect(endpoints[index], controller.signal),
      closeQuietly,
    );
    attempts.push({ future, controller });
    errors.push(undefined);
    future.addDoneCallback(() => {
      if (future.cancelled()) return;
      const error = future.exception();
      if (error != null) {
        errors[index] = error;
        if (index === attempts.length - 1) startNext();
        else failIfAllFailed();
        return;
      }
      if (winner.done()) {
        closeQuietly(future.result());
        return;
      }
      winner.setResult(future.result());
      stopOthers();
    });
    if (delay !== null && attempts.length < endpoints.length) {
      timer = loop.callLater(delay, startNext);
    }
  };

  startNext();
  try {
    return yield* winner;
  } catch (error) {
    // Cancelled after the winner was set: its connection is ours to close.
    if (winner.done() && !winner.cancelled() && winner.exception() == null) {
      closeQuietly(winner.result());
    }
    throw error;
  } finally {
    stopOthers();
  }
}

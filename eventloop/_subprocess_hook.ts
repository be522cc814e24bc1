// Where the subprocess folder plugs its implementation of
// `loop.subprocessExec()` / `loop.subprocessShell()` in. The loop may not
// import the layers above it (DESIGN.md), and the subprocess transport is
// built on Deno.Command in the subprocess folder, so that folder registers
// itself here when it is imported and the loop's methods call through.
// The same folder reports here the children that a loop's close() killed,
// so that run() can wait until they are reaped.

import type { EventLoop } from "./event_loop.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { SubprocessProtocol } from "./protocols.ts";
import type { SubprocessTransport } from "./transports.ts";
import type { SubprocessOptions } from "./subprocess_options.ts";

/** What the subprocess folder provides. */
export interface SubprocessImplementation {
  exec<P extends SubprocessProtocol>(
    loop: EventLoop,
    protocolFactory: () => P,
    program: string | URL,
    args: readonly string[],
    options: SubprocessOptions | undefined,
  ): Coroutine<[SubprocessTransport, P]>;
  shell<P extends SubprocessProtocol>(
    loop: EventLoop,
    protocolFactory: () => P,
    cmd: string,
    options: SubprocessOptions | undefined,
  ): Coroutine<[SubprocessTransport, P]>;
}

/** Set once by subprocess/_subprocess_transport.ts when it is evaluated. */
export const subprocessHook: { impl: SubprocessImplementation | null } = {
  impl: null,
};

/** The registered implementation, or a clear error saying what to import. */
export function subprocessImplementation(
  method: string,
): SubprocessImplementation {
  const impl = subprocessHook.impl;
  if (impl === null) {
    throw new Error(
      `loop.${method}() is implemented by the subprocess module: import "@asyncio/asyncio/subprocess" (or the root module "@asyncio/asyncio") first`,
    );
  }
  return impl;
}

/**
 * The exit statuses of children that a loop's `close()` killed (or found
 * still running), per loop: `run()` waits for them, so that no zombie
 * outlives it.
 */
const killedAtClose = new WeakMap<EventLoop, Promise<unknown>[]>();

/**
 * Called by the subprocess transport as its loop closes, with the status of
 * the child it has just killed. Deno reaps the child when that promise
 * settles.
 */
export function noteKilledAtClose(
  loop: EventLoop,
  status: Promise<unknown>,
): void {
  let statuses = killedAtClose.get(loop);
  if (statuses === undefined) killedAtClose.set(loop, statuses = []);
  statuses.push(status);
}

/**
 * Waits until every child that `loop`'s close killed has been reaped, for at
 * most `timeout` seconds (a child killed with SIGKILL ends at once, unless
 * the kernel holds it in an uninterruptible wait).
 *
 * @returns How many children were still not reaped at the timeout.
 */
export async function reapKilledChildren(
  loop: EventLoop,
  timeout: number,
): Promise<number> {
  const statuses = killedAtClose.get(loop);
  if (statuses === undefined) return 0;
  killedAtClose.delete(loop);
  let pending = statuses.length;
  const reaped = Promise.all(
    statuses.map((status) => status.then(() => pending--, () => pending--)),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      reaped,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return pending;
}

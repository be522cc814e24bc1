// Where the subprocess folder plugs its implementation of
// `loop.subprocessExec()` / `loop.subprocessShell()` in. The loop may not
// import the layers above it (DESIGN.md), and the subprocess transport is
// built on Deno.Command in the subprocess folder, so that folder registers
// itself here when it is imported and the loop's methods call through.

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

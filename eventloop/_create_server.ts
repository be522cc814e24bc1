// loop.createServer / createUnixServer: open the listeners, then hand them to
// a Server.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Coroutine } from "./_coroutine.ts";
import type {
  CreateServerOptions,
  CreateUnixServerOptions,
} from "./network_options.ts";
import {
  checkHandshakeTimeout,
  checkPort,
  checkProtocolFactory,
  checkSsl,
  checkString,
  closeQuietly,
  hasUnstableNet,
} from "./_net.ts";
import { Server } from "./server.ts";
import { describeValue } from "./_util.ts";

function checkBacklog(value: unknown, what: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot ${what} as 'backlog' must be a non-negative integer: received ${
        describeValue(value)
      }`,
    );
  }
}

function checkStartServing(value: unknown, what: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `Cannot ${what} as 'startServing' must be a boolean: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** Implements `loop.createServer()`. */
export function* createServer(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  host: string | string[] | null | undefined,
  port: number,
  options?: CreateServerOptions,
): Coroutine<Server> {
  const what = "create server";
  checkProtocolFactory(protocolFactory, what);
  checkPort(port, what, true);
  let hosts: string[];
  if (host === null || host === undefined || host === "") {
    // All interfaces. Deno cannot make a v6-only socket, so one IPv4
    // wildcard listener stands for asyncio's pair of wildcard sockets.
    hosts = ["0.0.0.0"];
  } else if (typeof host === "string") {
    hosts = [host];
  } else if (Array.isArray(host) && host.length > 0) {
    hosts = host.map((h) => checkString(h, "host", what));
  } else {
    throw new TypeError(
      `Cannot create server as 'host' must be a string, an array of strings or null: received ${
        describeValue(host)
      }`,
    );
  }
  const tls = checkSsl(options?.ssl, what);
  if (tls !== null && (tls.cert === undefined || tls.key === undefined)) {
    throw new TypeError(
      "Cannot create server as 'ssl' must have both 'cert' and 'key' for a server",
    );
  }
  const handshakeTimeout = checkHandshakeTimeout(
    options?.sslHandshakeTimeout,
    tls !== null,
    what,
  );
  checkBacklog(options?.backlog, what);
  const startServing = checkStartServing(options?.startServing, what);
  const reusePort = options?.reusePort ?? false;
  if (typeof reusePort !== "boolean") {
    throw new TypeError(
      `Cannot create server as 'reusePort' must be a boolean: received ${
        describeValue(reusePort)
      }`,
    );
  }
  if (reusePort) {
    if (tls !== null) {
      throw new TypeError(
        "Cannot create server as 'reusePort' with 'ssl' is not supported by Deno.listenTls",
      );
    }
    if (!hasUnstableNet()) {
      throw new Error(
        "Cannot create server with 'reusePort': Deno allows SO_REUSEPORT only with the --unstable-net flag",
      );
    }
  }
  const listeners: Deno.Listener[] = [];
  try {
    for (const hostname of hosts) {
      if (tls !== null) {
        listeners.push(Deno.listenTls({
          hostname,
          port,
          cert: tls.cert!,
          key: tls.key!,
          alpnProtocols: tls.alpnProtocols,
        }));
      } else if (reusePort) {
        listeners.push(
          Deno.listen({ hostname, port, reusePort } as Deno.TcpListenOptions),
        );
      } else {
        listeners.push(Deno.listen({ hostname, port }));
      }
    }
  } catch (error) {
    for (const listener of listeners) closeQuietly(listener);
    throw error;
  }
  const server = new Server(loop, {
    listeners,
    protocolFactory,
    tls: tls !== null,
    handshakeTimeout,
  });
  if (startServing) {
    server._startServing();
    yield; // asyncio's start_serving() gives the loop one turn.
  }
  return server;
}

/** Implements `loop.createUnixServer()`. */
export function* createUnixServer(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  path: string,
  options?: CreateUnixServerOptions,
): Coroutine<Server> {
  const what = "create Unix server";
  checkProtocolFactory(protocolFactory, what);
  checkString(path, "path", what);
  checkBacklog(options?.backlog, what);
  const startServing = checkStartServing(options?.startServing, what);
  // asyncio removes a stale socket file left by a previous server.
  try {
    if (Deno.lstatSync(path).isSocket) Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const listener = Deno.listen({ transport: "unix", path });
  const server = new Server(loop, {
    listeners: [listener],
    protocolFactory,
    tls: false,
    handshakeTimeout: 0,
  });
  if (startServing) {
    server._startServing();
    yield;
  }
  return server;
}

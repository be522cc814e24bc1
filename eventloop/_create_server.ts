// loop.createServer / createUnixServer: open the listeners, then hand them to
// a Server.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Coroutine } from "./_coroutine.ts";
import type {
  CreateServerOptions,
  CreateUnixServerOptions,
  TlsOptions,
} from "./network_options.ts";
import {
  checkHandshakeTimeout,
  checkPort,
  checkProtocolFactory,
  checkSsl,
  checkString,
  closeQuietly,
  hasUnstableNet,
  SHUTDOWN_TIMEOUT_WHY,
  SOCK_WHY,
} from "./_net.ts";
import { serverVerifyMode } from "./_tls_client_cert.ts";
import { listenNodeTls } from "./_node_tls_server.ts";
import { Server, type ServerListener } from "./server.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";
import { checkUnixTls } from "./_connection.ts";
import {
  checkOptionNames,
  CREATE_SERVER_OPTIONS,
  CREATE_UNIX_SERVER_OPTIONS,
  refuse,
} from "./_options.ts";
import {
  checkResolveOptions,
  type Endpoint,
  resolveEndpoints,
} from "./_resolve.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_PASSIVE,
  SOCK_STREAM,
} from "./dns.ts";

/** asyncio's default backlog. */
const BACKLOG = 100;

function checkBacklog(value: unknown, what: string): number {
  if (value === undefined) return BACKLOG;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot ${what} as 'backlog' must be a non-negative integer: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

function checkBoolean(
  value: unknown,
  name: string,
  fallback: boolean,
  what: string,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a boolean: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** Whether Deno sets SO_REUSEADDR on its TCP listeners (not on Windows). */
const REUSE_ADDRESS = Deno.build.os !== "windows";

/** Implements `loop.createServer()`. */
export function* createServer(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  host: string | string[] | null | undefined,
  port: number,
  options?: CreateServerOptions,
): Coroutine<Server> {
  const what = "create server";
  checkLoopOpen(loop, "createServer()");
  checkOptionNames(options, CREATE_SERVER_OPTIONS, what);
  checkProtocolFactory(protocolFactory, what);
  checkPort(port, what, true);
  let hosts: string[] | null;
  if (host === null || host === undefined || host === "") {
    hosts = null;
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
  // Verifying clients needs node:tls; Deno.listenTls is the fast path.
  const verifyMode = tls === null ? "none" : serverVerifyMode(tls, what);
  const handshakeTimeout = checkHandshakeTimeout(
    options?.sslHandshakeTimeout,
    tls !== null,
    what,
  );
  refuse(
    options?.sslShutdownTimeout,
    [],
    "sslShutdownTimeout",
    what,
    SHUTDOWN_TIMEOUT_WHY,
  );
  refuse(options?.sock, [], "sock", what, SOCK_WHY);
  const backlog = checkBacklog(options?.backlog, what);
  const startServing = checkBoolean(
    options?.startServing,
    "startServing",
    true,
    what,
  );
  const reusePort = checkBoolean(options?.reusePort, "reusePort", false, what);
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
  checkBoolean(options?.reuseAddress, "reuseAddress", REUSE_ADDRESS, what);
  refuse(
    options?.reuseAddress,
    [REUSE_ADDRESS],
    "reuseAddress",
    what,
    REUSE_ADDRESS
      ? "Deno always sets SO_REUSEADDR on a TCP listener on this system"
      : "Deno never sets SO_REUSEADDR on a TCP listener on Windows",
  );
  const keepAlive = checkBoolean(options?.keepAlive, "keepAlive", false, what);
  if (keepAlive && tls !== null && verifyMode === "none") {
    throw new TypeError(
      "Cannot create server as 'keepAlive' with 'ssl' is not supported: Deno's TLS connections have no setKeepAlive() (a server with 'ssl.verifyMode' runs on node:tls, which has)",
    );
  }
  const resolveOptions = checkResolveOptions({
    family: options?.family,
    type: SOCK_STREAM,
    flags: options?.flags ?? AI_PASSIVE,
  }, what);

  // Where to listen: every address each host resolves to (asyncio's
  // create_server), or the name itself where Deno grants only the name.
  const targets: (Endpoint | string)[] = [];
  if (hosts === null) {
    // All interfaces. Deno cannot make a v6-only socket, so one wildcard
    // listener stands for asyncio's pair: IPv4's, or with AF_INET6 IPv6's
    // (which Linux lets IPv4 clients reach too, through mapped addresses).
    const v6 = resolveOptions.family === AF_INET6;
    targets.push({
      family: v6 ? AF_INET6 : AF_INET,
      hostname: v6 ? "::" : "0.0.0.0",
      port,
    });
  } else {
    for (const name of hosts) {
      const endpoints = yield* resolveEndpoints(
        loop,
        name,
        port,
        resolveOptions,
      );
      if (endpoints !== null) {
        targets.push(...endpoints);
        continue;
      }
      if (
        resolveOptions.family !== AF_UNSPEC ||
        resolveOptions.flags !== AI_PASSIVE
      ) {
        throw new Deno.errors.NotCapable(
          `Cannot create server with 'family' or 'flags' as Deno grants net access to "${name}" by name only: listening on each of its addresses needs --allow-net for the addresses too`,
        );
      }
      targets.push(name);
    }
  }
  let listeners: ServerListener[] = [];
  if (verifyMode !== "none") {
    const hostnames = targets.map((target) => {
      if (typeof target !== "string") return target.hostname;
      throw new Deno.errors.NotCapable(
        `Cannot create server with 'ssl.verifyMode' as Deno grants net access to "${target}" by name only: node:tls, which verifies client certificates, listens on its addresses, which need --allow-net too`,
      );
    });
    listeners = yield* listenNodeTls(loop, hostnames, port, {
      cert: tls!.cert!,
      key: tls!.key!,
      caCerts: tls!.caCerts!,
      alpnProtocols: tls!.alpnProtocols,
      verifyMode,
      backlog,
    });
  } else {
    listeners = openListeners(targets, port, backlog, tls, reusePort);
  }
  const server = new Server(loop, {
    listeners,
    protocolFactory,
    tls: tls !== null,
    handshakeTimeout,
    keepAlive,
  });
  if (startServing) {
    server._startServing();
    yield; // asyncio's start_serving() gives the loop one turn.
  }
  return server;
}

/** Opens a Deno listener on each target; closes them all if one fails. */
function openListeners(
  targets: (Endpoint | string)[],
  port: number,
  backlog: number,
  tls: TlsOptions | null,
  reusePort: boolean,
): Deno.Listener[] {
  const listeners: Deno.Listener[] = [];
  try {
    for (const target of targets) {
      const hostname = typeof target === "string" ? target : target.hostname;
      if (tls !== null) {
        listeners.push(Deno.listenTls({
          hostname,
          port,
          tcpBacklog: backlog,
          cert: tls.cert!,
          key: tls.key!,
          alpnProtocols: tls.alpnProtocols,
        }));
      } else if (reusePort) {
        listeners.push(
          Deno.listen(
            {
              hostname,
              port,
              tcpBacklog: backlog,
              reusePort,
            } as Deno.TcpListenOptions,
          ),
        );
      } else {
        listeners.push(Deno.listen({ hostname, port, tcpBacklog: backlog }));
      }
    }
  } catch (error) {
    for (const listener of listeners) closeQuietly(listener);
    throw error;
  }
  return listeners;
}

/** Implements `loop.createUnixServer()`. */
export function* createUnixServer(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  path: string,
  options?: CreateUnixServerOptions,
): Coroutine<Server> {
  const what = "create Unix server";
  checkLoopOpen(loop, "createUnixServer()");
  checkOptionNames(options, CREATE_UNIX_SERVER_OPTIONS, what);
  checkProtocolFactory(protocolFactory, what);
  checkString(path, "path", what);
  checkUnixTls(options, what);
  refuse(options?.sock, [], "sock", what, SOCK_WHY);
  refuse(
    options?.backlog,
    [],
    "backlog",
    what,
    "Deno.listen takes no backlog for a Unix socket (it picks its own)",
  );
  refuse(
    options?.cleanupSocket,
    [true],
    "cleanupSocket",
    what,
    "Deno always removes the socket file when the listener closes",
  );
  const startServing = checkBoolean(
    options?.startServing,
    "startServing",
    true,
    what,
  );
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
    keepAlive: false,
  });
  if (startServing) {
    server._startServing();
    yield;
  }
  return server;
}

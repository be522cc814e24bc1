// Private helpers of the network layer (transports, servers, connections):
// argument checks, and awaiting a Deno promise without losing what it gives.

import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { BaseProtocol } from "./protocols.ts";
import { describeValue } from "./_util.ts";
import { trackInFlight } from "./_in_flight.ts";
import { ioFuture } from "./_io.ts";
import { checkOptionNames, TLS_OPTIONS } from "./_options.ts";
import type { TlsOptions } from "./network_options.ts";

/**
 * The future of the promise `start()` makes (eventloop/_io.ts's bridge); a
 * synchronous throw of `start` fails the future. The operation is counted
 * in flight for run(), which waits for what a cancelled task left running
 * (eventloop/_in_flight.ts). `onLate` receives a value
 * that arrives after the future was cancelled (so a connection made too late
 * is closed, not leaked).
 */
export function startIo<T>(
  loop: EventLoop,
  start: () => Promise<T>,
  onLate?: (value: T) => void,
): Future<T> {
  let promise: Promise<T>;
  try {
    promise = start();
  } catch (error) {
    const future = loop.createFuture<T>();
    future.setException(error);
    return future;
  }
  trackInFlight(loop, promise);
  return ioFuture(loop, promise, onLate);
}

/**
 * `yield* startIo(...)` that never loses a resource: when the waiting task
 * is cancelled after the promise already delivered (the future is done but
 * the coroutine gets CancelledError), `release` gets the value.
 */
export function* ioAwait<T>(
  loop: EventLoop,
  start: () => Promise<T>,
  release?: (value: T) => void,
): Coroutine<T> {
  const future = startIo(loop, start, release);
  try {
    return yield* future;
  } catch (error) {
    if (
      release !== undefined && future.done() && !future.cancelled() &&
      future.exception() == null
    ) {
      release(future.result());
    }
    throw error;
  }
}

/** Throws a TypeError naming `what` unless `value` is a function. */
export function checkProtocolFactory(value: unknown, what: string): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `Cannot ${what} as 'protocolFactory' must be a function: received ${
        describeValue(value)
      }`,
    );
  }
}

/** Calls the factory and checks that it returned a protocol object. */
export function makeProtocol<P extends BaseProtocol>(
  factory: () => P,
  what: string,
): P {
  const protocol = factory();
  if (typeof protocol !== "object" || protocol === null) {
    throw new TypeError(
      `Cannot ${what} as 'protocolFactory' must return a protocol object: received ${
        describeValue(protocol)
      }`,
    );
  }
  return protocol;
}

/** Checks a port number; `allowZero` for listeners (0 picks a free port). */
export function checkPort(
  value: unknown,
  what: string,
  allowZero: boolean,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${what} as 'port' must be an integer: received ${
        describeValue(value)
      }`,
    );
  }
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(value) || value < min || value > 65535) {
    throw new RangeError(
      `Cannot ${what} as 'port' must be an integer from ${min} to 65535: received ${value}`,
    );
  }
  return value;
}

/** Checks a non-empty string argument. */
export function checkString(
  value: unknown,
  name: string,
  what: string,
): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a non-empty string: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

const VERIFY_MODES: readonly unknown[] = ["none", "optional", "required"];

/**
 * Checks the `ssl` option (or another option of TLS settings, `name`):
 * `undefined`, a boolean, or TLS options with known names.
 */
export function checkSsl(
  value: unknown,
  what: string,
  name = "ssl",
): TlsOptions | null {
  if (value === undefined || value === false || value === null) return null;
  if (value === true) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be a boolean or TLS options: received ${
        describeValue(value)
      }`,
    );
  }
  checkOptionNames(value, TLS_OPTIONS, what, `${name}.`);
  const tls = value as TlsOptions;
  for (const key of ["caCerts", "alpnProtocols"] as const) {
    const list = tls[key];
    if (
      list !== undefined &&
      (!Array.isArray(list) || list.some((s) => typeof s !== "string"))
    ) {
      throw new TypeError(
        `Cannot ${what} as '${name}.${key}' must be an array of strings: received ${
          describeValue(list)
        }`,
      );
    }
  }
  for (const key of ["cert", "key"] as const) {
    if (tls[key] !== undefined && typeof tls[key] !== "string") {
      throw new TypeError(
        `Cannot ${what} as '${name}.${key}' must be a PEM string: received ${
          describeValue(tls[key])
        }`,
      );
    }
  }
  const mode = tls.verifyMode;
  if (mode !== undefined && !VERIFY_MODES.includes(mode)) {
    throw new TypeError(
      `Cannot ${what} as '${name}.verifyMode' must be "none", "optional" or "required": received ${
        describeValue(mode)
      }`,
    );
  }
  return tls;
}

/** Whether Deno runs with `--unstable-net` (its unstable net APIs exist). */
export function hasUnstableNet(): boolean {
  return typeof (Deno as { listenDatagram?: unknown }).listenDatagram ===
    "function";
}

/** Closes a Deno resource, ignoring "already closed". */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed: nothing to release.
  }
}

/** The default of `sslHandshakeTimeout`, in seconds (asyncio's). */
export const SSL_HANDSHAKE_TIMEOUT = 60;

/** Checks `sslHandshakeTimeout`: a positive number of seconds. */
export function checkHandshakeTimeout(
  value: unknown,
  hasTls: boolean,
  what: string,
): number {
  if (value === undefined) return SSL_HANDSHAKE_TIMEOUT;
  if (!hasTls) {
    throw new TypeError(
      `Cannot ${what} as 'sslHandshakeTimeout' is only meaningful with 'ssl'`,
    );
  }
  if (typeof value !== "number" || !(value > 0)) {
    throw new RangeError(
      `Cannot ${what} as 'sslHandshakeTimeout' must be a positive number of seconds: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** Why `sslShutdownTimeout` is refused. */
export const SHUTDOWN_TIMEOUT_WHY =
  "Deno closes a TLS connection without waiting for the peer's close_notify, so there is no shutdown to time out";

/** Why `sock` is refused. */
export const SOCK_WHY =
  "Deno gives no access to sockets or file descriptors; pass the host and port (or path) instead";

/**
 * An address as messages and descriptions show it: `host:port`,
 * `[v6]:port` (brackets around an IPv6 host, as in a URL) or a socket path.
 * The one address formatter of the module.
 */
export function formatAddr(addr: unknown): string {
  if (addr === null || typeof addr !== "object") return String(addr);
  const { path, hostname, port } = addr as {
    path?: unknown;
    hostname?: unknown;
    port?: unknown;
  };
  if (typeof path === "string") return path || "<unnamed socket>";
  if (typeof hostname === "string") {
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    return `${host}:${port}`;
  }
  return String(addr);
}

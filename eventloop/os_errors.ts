/**
 * {@linkcode isOSError} and {@linkcode isConnectionError}: Python's `except
 * OSError:` and `except ConnectionError:` for the errors Deno throws.
 *
 * @module
 */

import { TimeoutError } from "./errors.ts";

/**
 * Deno's error classes that stand for Python's `OSError` and its subclasses
 * (`FileNotFoundError`, `PermissionError`, `ConnectionError`,
 * `BlockingIOError`, `ssl.SSLError`, ...). Not `NotCapable` (a missing
 * `--allow-*` flag is a mistake in how the program is run, not a condition
 * of the system to handle) and not `Http`.
 */
const OS_ERROR_CLASSES: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.AddrInUse,
  Deno.errors.AddrNotAvailable,
  Deno.errors.BrokenPipe,
  Deno.errors.AlreadyExists,
  Deno.errors.InvalidData,
  Deno.errors.TimedOut,
  Deno.errors.Interrupted,
  Deno.errors.WriteZero,
  Deno.errors.WouldBlock,
  Deno.errors.UnexpectedEof,
  Deno.errors.BadResource,
  Deno.errors.Busy,
  Deno.errors.NotSupported,
  Deno.errors.FilesystemLoop,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.NetworkUnreachable,
];

/** Python's `ConnectionError` subclasses. */
const CONNECTION_ERROR_CLASSES: readonly (new (...args: never[]) => Error)[] = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.BrokenPipe,
];

/** The same, as Node's system errors name them. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
]);

/**
 * Whether `error` is what Python would raise as an `OSError`: one of Deno's
 * I/O error classes (`Deno.errors.NotFound`, `ConnectionRefused`,
 * `ConnectionReset`, `BrokenPipe`, `AddrInUse`, `TimedOut`, `InvalidData`
 * for a failed TLS handshake, ...), a failed host name lookup, a Node-style
 * system error (with `errno` and `syscall`, as `node:dgram` throws), or this
 * module's {@linkcode TimeoutError} (asyncio's `TimeoutError` is Python's
 * built-in one, an `OSError` since 3.11). Deno's errors have no common base
 * class, so this guard stands in for `except OSError:`.
 *
 * `Deno.errors.NotCapable` (a missing `--allow-*` flag) is not one: it is
 * a mistake in how the program is run, best left to end it.
 *
 * asyncio: `except OSError:`.
 *
 * @param error Anything caught.
 * @returns `true` if it is an OS-level error.
 *
 * @example Handling every network failure at once
 * ```ts
 * import { getRunningLoop, isOSError, Protocol, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (free.addr as Deno.NetAddr).port;
 * free.close(); // nobody listens there any more
 * const outcome = await run(function* () {
 *   try {
 *     yield* getRunningLoop().createConnection(() => new Protocol(), "127.0.0.1", port);
 *     return "connected";
 *   } catch (error) {
 *     if (isOSError(error)) return `failed: ${error.name}`; // except OSError as e:
 *     throw error;
 *   }
 * }());
 * assert.equal(outcome, "failed: ConnectionRefused");
 * assert.equal(isOSError(new Deno.errors.NotFound("gone")), true);
 * assert.equal(isOSError(new RangeError("a bug")), false);
 * ```
 */
export function isOSError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof TimeoutError) return true;
  for (const cls of OS_ERROR_CLASSES) {
    if (error instanceof cls) return true;
  }
  // Deno.connect() and Deno.resolveDns() report a failed lookup as a plain
  // Error (Python's socket.gaierror, an OSError).
  if (error.message.startsWith("failed to lookup address information")) {
    return true;
  }
  // node:dgram and the other node: modules throw Node's system errors.
  const system = error as Error & { errno?: unknown; syscall?: unknown };
  return typeof system.errno === "number" &&
    typeof system.syscall === "string";
}

/**
 * Whether `error` is what Python would raise as a `ConnectionError`: the
 * peer refused, reset or aborted the connection, or the pipe broke
 * (`Deno.errors.ConnectionRefused`, `ConnectionReset`, `ConnectionAborted`,
 * `BrokenPipe`, or Node's system errors with those codes). Every such error is also {@linkcode isOSError}.
 *
 * asyncio: `except ConnectionError:`.
 *
 * @param error Anything caught.
 * @returns `true` for a connection error.
 *
 * @example Telling a lost peer from other failures
 * ```ts
 * import { isConnectionError, isOSError } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const reset = new Deno.errors.ConnectionReset("Connection reset by peer");
 * assert.equal(isConnectionError(reset), true);
 * assert.equal(isOSError(reset), true);
 * assert.equal(isConnectionError(new Deno.errors.NotFound("no such file")), false);
 * ```
 */
export function isConnectionError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  for (const cls of CONNECTION_ERROR_CLASSES) {
    if (error instanceof cls) return true;
  }
  const system = error as Error & { code?: unknown; syscall?: unknown };
  return typeof system.syscall === "string" &&
    CONNECTION_ERROR_CODES.has(system.code as string);
}

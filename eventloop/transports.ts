/**
 * The transport interfaces: what protocols are given to write, close and
 * control flow. The implementations over Deno's connections live beside this
 * file.
 *
 * @module
 */

import type { BaseProtocol } from "./protocols.ts";
import type { DatagramAddress } from "./network_options.ts";

/**
 * What every transport can do.
 *
 * asyncio: `asyncio.BaseTransport`.
 */
export interface BaseTransport {
  /**
   * Extra information: `"peername"` and `"sockname"` (a `Deno.Addr`), and
   * others that depend on the transport.
   *
   * @param name What to get.
   * @param defaultValue Returned when the transport has no such information.
   * @returns The value.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  /**
   * Whether the transport is closing or closed.
   *
   * @returns `true` after `close()`.
   */
  isClosing(): boolean;
  /** Closes the transport: buffered data is flushed first. */
  close(): void;
  /**
   * Sets the protocol that receives events.
   *
   * @param protocol The new protocol.
   */
  setProtocol(protocol: BaseProtocol): void;
  /**
   * The protocol that receives events.
   *
   * @returns The protocol.
   */
  getProtocol(): BaseProtocol;
}

/**
 * The reading side of a transport.
 *
 * asyncio: `asyncio.ReadTransport`.
 */
export interface ReadTransport extends BaseTransport {
  /**
   * Whether the transport is delivering data.
   *
   * @returns `false` while paused.
   */
  isReading(): boolean;
  /** Stops calling the protocol's data method until `resumeReading()`. */
  pauseReading(): void;
  /** Delivers data again. */
  resumeReading(): void;
}

/**
 * The writing side of a transport.
 *
 * asyncio: `asyncio.WriteTransport`.
 */
export interface WriteTransport extends BaseTransport {
  /**
   * Sets the high- and low-water marks of the write buffer.
   *
   * @param high Bytes above which the protocol's `pauseWriting` is called.
   * @param low Bytes at or below which `resumeWriting` is called.
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /**
   * How many bytes wait in the write buffer.
   *
   * @returns The size.
   */
  getWriteBufferSize(): number;
  /**
   * The water marks in force.
   *
   * @returns `[low, high]`.
   */
  getWriteBufferLimits(): [number, number];
  /**
   * Writes bytes (buffered; never blocks). The transport keeps a reference
   * to `data` until it is written: do not modify the array afterwards.
   *
   * @param data The bytes.
   */
  write(data: Uint8Array): void;
  /**
   * Writes several chunks.
   *
   * @param chunks The chunks.
   */
  writeLines(chunks: Iterable<Uint8Array>): void;
  /** Closes the writing side after the buffer is flushed (half-close). */
  writeEof(): void;
  /**
   * Whether `writeEof()` is supported.
   *
   * @returns `true` where it is.
   */
  canWriteEof(): boolean;
  /** Closes at once, dropping buffered data. */
  abort(): void;
}

/**
 * A bidirectional stream transport (TCP, TLS, Unix socket, pipe).
 *
 * asyncio: `asyncio.Transport`.
 */
export interface Transport extends ReadTransport, WriteTransport {
  /**
   * Turns Nagle's algorithm off (`noDelay` true: `TCP_NODELAY`, small writes
   * go out at once) or back on (false: small writes may wait to be
   * coalesced). Every TCP transport starts with `TCP_NODELAY` set, client and
   * server side, as in asyncio.
   *
   * Only TCP transports have it: a Unix socket transport, and a TLS
   * transport on Deno's own TLS (`Deno.connectTls`, `Deno.listenTls`,
   * `Deno.startTls`, which have no `setNoDelay()`), throw. A TLS transport
   * upgraded by `startTls()` keeps `TCP_NODELAY` from its TCP connection, and
   * so does a TLS client (`createConnection(..., { ssl })` sets it before the
   * handshake) unless it presents a client certificate (`Deno.connectTls`);
   * a TLS server without `ssl.verifyMode` (`Deno.listenTls`) runs with
   * Nagle's algorithm on, as Deno leaves it; a TLS server with
   * `ssl.verifyMode` runs on `node:tls` and has it.
   *
   * asyncio: `transport.get_extra_info("socket").setsockopt(IPPROTO_TCP,
   * TCP_NODELAY, 0 or 1)`.
   *
   * @param noDelay `true` to send small writes at once, `false` to let
   * Nagle's algorithm coalesce them.
   * @throws {TypeError} If `noDelay` is not a boolean.
   * @throws {Error} If the transport is not TCP, is a TLS transport on
   * Deno's own TLS, or is closed.
   */
  setNoDelay(noDelay: boolean): void;
}

/**
 * A datagram transport (UDP).
 *
 * asyncio: `asyncio.DatagramTransport`.
 */
export interface DatagramTransport extends BaseTransport {
  /**
   * Sends one datagram.
   *
   * @param data The bytes.
   * @param addr Where to; may be omitted when the endpoint has a remote
   * address.
   */
  sendto(data: Uint8Array, addr?: DatagramAddress): void;
  /**
   * Bytes handed to the OS but not yet sent.
   *
   * @returns The size.
   */
  getWriteBufferSize(): number;
  /** Closes at once. */
  abort(): void;
}

/**
 * The transport of a child process.
 *
 * asyncio: `asyncio.SubprocessTransport`.
 */
export interface SubprocessTransport extends BaseTransport {
  /**
   * The child's process id.
   *
   * @returns The pid.
   */
  getPid(): number;
  /**
   * The exit code; negative signal number if killed by a signal.
   *
   * @returns The code, or `null` while running.
   */
  getReturncode(): number | null;
  /**
   * The transport of one of the child's pipes.
   *
   * @param fd 0, 1 or 2.
   * @returns The pipe's transport, or `null` if it is not a pipe.
   */
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null;
  /**
   * Sends a signal to the child.
   *
   * @param signal The signal.
   */
  sendSignal(signal: Deno.Signal): void;
  /** Sends SIGTERM. */
  terminate(): void;
  /** Sends SIGKILL. */
  kill(): void;
}

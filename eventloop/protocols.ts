/**
 * The protocol classes: what a transport calls as data and events arrive.
 * Extend them and override what you need; every method is a no-op here.
 *
 * @module
 */

import type {
  BaseTransport,
  DatagramTransport,
  SubprocessTransport,
  Transport,
} from "./transports.ts";

/**
 * The base of every protocol.
 *
 * State machine, enforced by the transports of this module:
 * `connectionMade` once, then the subclass's data methods, then
 * `connectionLost` exactly once (with the error that ended the connection, or
 * `null`). `pauseWriting`/`resumeWriting` may come in between when the
 * transport's write buffer crosses its water marks. Every callback runs in a
 * pass of the loop, so `getRunningLoop()` works inside it; an error thrown by
 * a data callback is reported to the loop's exception handler and ends the
 * connection with `connectionLost(error)`.
 *
 * asyncio: `asyncio.BaseProtocol`.
 *
 * @example A protocol that records its events
 * ```ts
 * import { BaseProtocol } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Recorder extends BaseProtocol {
 *   events: string[] = [];
 *   override connectionLost(error: Error | null): void {
 *     this.events.push(`lost ${error?.message ?? "cleanly"}`);
 *   }
 * }
 * const p = new Recorder();
 * p.connectionLost(null);
 * assert.deepEqual(p.events, ["lost cleanly"]);
 * ```
 */
export class BaseProtocol {
  /**
   * Called once when the connection is made.
   *
   * @param _transport The transport of the connection.
   */
  connectionMade(_transport: BaseTransport): void {}

  /**
   * Called once when the connection is lost or closed.
   *
   * @param _error The error that ended it, or `null` for a clean close or
   * EOF.
   */
  connectionLost(_error: Error | null): void {}

  /** The transport's write buffer went over the high-water mark. */
  pauseWriting(): void {}

  /** The transport's write buffer drained to the low-water mark. */
  resumeWriting(): void {}
}

/**
 * A stream protocol: `connectionMade -> dataReceived* -> eofReceived? ->
 * connectionLost`. The bytes given to `dataReceived` belong to the protocol,
 * which may keep them (a large chunk may be a view of a larger buffer: copy
 * it with `slice()` to keep a small part for long).
 *
 * asyncio: `asyncio.Protocol`.
 *
 * @example An echo protocol
 * ```ts
 * import { Protocol, type Transport } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Echo extends Protocol {
 *   transport: Transport | null = null;
 *   override connectionMade(transport: Transport): void {
 *     this.transport = transport;
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport?.write(data);
 *   }
 * }
 * assert.equal(new Echo().eofReceived(), undefined);
 * ```
 */
export class Protocol extends BaseProtocol {
  /**
   * Called once when the connection is made.
   *
   * @param _transport The transport of the connection.
   */
  override connectionMade(_transport: Transport): void {}

  /**
   * Called with each chunk of bytes received.
   *
   * @param _data The bytes; the protocol may keep them.
   */
  dataReceived(_data: Uint8Array): void {}

  /**
   * Called when the peer has closed its writing side. Return `true` to keep
   * the connection half-open (so you can still write), anything else to let
   * the transport close itself.
   *
   * @returns `true` to keep the transport open.
   */
  eofReceived(): boolean | void {}
}

/**
 * A stream protocol that receives data into buffers it provides, without an
 * extra copy: `connectionMade -> (getBuffer -> bufferUpdated)* ->
 * eofReceived? -> connectionLost`.
 *
 * asyncio: `asyncio.BufferedProtocol`.
 *
 * @example A protocol with a fixed buffer
 * ```ts
 * import { BufferedProtocol } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Counter extends BufferedProtocol {
 *   buffer = new Uint8Array(1024);
 *   total = 0;
 *   override getBuffer(_sizeHint: number): Uint8Array {
 *     return this.buffer;
 *   }
 *   override bufferUpdated(nbytes: number): void {
 *     this.total += nbytes;
 *   }
 * }
 * const p = new Counter();
 * p.bufferUpdated(p.getBuffer(-1).length);
 * assert.equal(p.total, 1024);
 * ```
 */
export class BufferedProtocol extends BaseProtocol {
  /**
   * Called once when the connection is made.
   *
   * @param _transport The transport of the connection.
   */
  override connectionMade(_transport: Transport): void {}

  /**
   * Called to get a buffer to read into.
   *
   * @param _sizeHint The suggested minimum size, or -1 for any size.
   * @returns A non-empty buffer.
   */
  getBuffer(_sizeHint: number): Uint8Array {
    return new Uint8Array(65536);
  }

  /**
   * Called when `nbytes` bytes were written into the last buffer.
   *
   * @param _nbytes How many bytes arrived.
   */
  bufferUpdated(_nbytes: number): void {}

  /**
   * Called when the peer has closed its writing side.
   *
   * @returns `true` to keep the transport open.
   */
  eofReceived(): boolean | void {}
}

/**
 * A datagram protocol: `connectionMade -> (datagramReceived |
 * errorReceived)* -> connectionLost`.
 *
 * asyncio: `asyncio.DatagramProtocol`.
 *
 * @example Collecting datagrams
 * ```ts
 * import { DatagramProtocol } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Collect extends DatagramProtocol {
 *   got: Uint8Array[] = [];
 *   override datagramReceived(data: Uint8Array, _addr: Deno.NetAddr): void {
 *     this.got.push(data);
 *   }
 * }
 * const p = new Collect();
 * p.datagramReceived(new Uint8Array([1]), { transport: "udp", hostname: "127.0.0.1", port: 9 });
 * assert.equal(p.got.length, 1);
 * ```
 */
export class DatagramProtocol extends BaseProtocol {
  /**
   * Called once when the endpoint is ready.
   *
   * @param _transport The datagram transport.
   */
  override connectionMade(_transport: DatagramTransport): void {}

  /**
   * Called with each datagram received.
   *
   * @param _data The datagram's bytes.
   * @param _addr Who sent it.
   */
  datagramReceived(_data: Uint8Array, _addr: Deno.NetAddr): void {}

  /**
   * Called when a send or receive fails (the endpoint stays open).
   *
   * @param _error What failed.
   */
  errorReceived(_error: Error): void {}
}

/**
 * The protocol of a child process: `connectionMade -> (pipeDataReceived |
 * pipeConnectionLost | processExited)* -> connectionLost`. `processExited`
 * comes once, in any order with the pipe events (output may still arrive
 * after the child has exited); `connectionLost(null)` comes last, once the
 * child has exited and every pipe is closed, and only then does the
 * process's `wait()` return. `loop.subprocessExec()` and
 * `loop.subprocessShell()` connect one to a child.
 *
 * asyncio: `asyncio.SubprocessProtocol`.
 *
 * @example Collecting a child's stdout
 * ```ts
 * import { SubprocessProtocol } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Collect extends SubprocessProtocol {
 *   out: Uint8Array[] = [];
 *   override pipeDataReceived(fd: number, data: Uint8Array): void {
 *     if (fd === 1) this.out.push(data);
 *   }
 * }
 * const p = new Collect();
 * p.pipeDataReceived(1, new Uint8Array([65]));
 * assert.equal(p.out.length, 1);
 * ```
 */
export class SubprocessProtocol extends BaseProtocol {
  /**
   * Called once when the child has started.
   *
   * @param _transport The subprocess transport.
   */
  override connectionMade(_transport: SubprocessTransport): void {}

  /**
   * Called with bytes the child wrote to stdout (fd 1) or stderr (fd 2).
   *
   * @param _fd 1 or 2.
   * @param _data The bytes.
   */
  pipeDataReceived(_fd: number, _data: Uint8Array): void {}

  /**
   * Called when one of the child's pipes closes.
   *
   * @param _fd 0, 1 or 2.
   * @param _error The error, or `null` for a clean close.
   */
  pipeConnectionLost(_fd: number, _error: Error | null): void {}

  /** Called when the child has exited. */
  processExited(): void {}
}

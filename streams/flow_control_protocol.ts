/**
 * {@linkcode FlowControlProtocol}: the protocol side of
 * `StreamWriter.drain()`.
 *
 * Its tasks wait in the module's one waiting primitive, a ParkingLot that
 * owns the hand-off of a wake-up a cancelled waiter leaves unused: see "One
 * way to wait" in the README (under "API by folder").
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import { Protocol } from "../eventloop/protocols.ts";
import type { Transport } from "../eventloop/transports.ts";
import type { StreamWriter } from "./stream_writer.ts";
import {
  checkLoopOption,
  checkOptionNames,
  type Coroutine,
  ParkingLot,
} from "../eventloop/_lowlevel.ts";
import { FLOW_CONTROL_PROTOCOL_OPTIONS } from "./_options.ts";

/**
 * Options of the {@linkcode FlowControlProtocol} constructor.
 *
 * asyncio: the `loop` argument of `FlowControlMixin()`.
 */
export interface FlowControlProtocolOptions {
  /**
   * The loop the drain waits belong to.
   *
   * @default {the running loop when a drain has to wait}
   */
  loop?: EventLoop;
}

/** What a wake-up no drain used becomes: nothing (every drain is woken). */
function nothing(): void {}

/**
 * A stream protocol that tracks the transport's write flow control, so a
 * {@linkcode StreamWriter} over it can wait in `drain()`: between
 * `pauseWriting()` and `resumeWriting()` drains wait, and once the
 * connection is lost they throw. Subclasses that override `pauseWriting`,
 * `resumeWriting` or `connectionLost` must call the base method, and
 * implement {@linkcode FlowControlProtocol.getCloseWaiter} (the future
 * `waitClosed()` waits for). {@linkcode StreamReaderProtocol} is one; the
 * subprocess protocol is another.
 *
 * asyncio: `asyncio.streams.FlowControlMixin`.
 *
 * @example Drains wait while writing is paused
 * ```ts
 * import { FlowControlProtocol, StreamWriter } from "@asyncio/asyncio/streams";
 * import { run, type WriteTransport } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * // A transport that takes whatever is written.
 * const transport = {
 *   write(_data: Uint8Array) {},
 *   isClosing: () => false,
 * } as WriteTransport;
 * const log: string[] = [];
 * await run(function* () {
 *   const protocol = new FlowControlProtocol();
 *   const writer = new StreamWriter(transport, protocol);
 *   protocol.pauseWriting();
 *   const drain = createTask(function* () {
 *     yield* writer.drain();
 *     log.push("drained");
 *   }());
 *   yield* sleep(1);
 *   log.push("resuming");
 *   protocol.resumeWriting();
 *   yield* drain;
 * }(), { virtualTime: true });
 * assert.deepEqual(log, ["resuming", "drained"]);
 * ```
 */
export class FlowControlProtocol extends Protocol {
  /** @ignore @internal The loop given, or `null` for the current one. */
  _streamLoop: EventLoop | null;
  /** @ignore @internal Whether the transport asked us to stop writing. */
  _paused = false;
  /**
   * @ignore @internal The drains that wait, woken all at once; made by the
   * first drain that waits (most connections never wait on one).
   */
  _drainers: ParkingLot<void> | null = null;
  /** @ignore @internal */
  _connectionLost = false;

  /**
   * Makes the protocol.
   *
   * @param options The loop.
   * @throws {TypeError} If an option is unknown, or `loop` is not an
   * EventLoop.
   */
  constructor(options?: FlowControlProtocolOptions) {
    super();
    if (options !== undefined) {
      const what = `create ${new.target.name}`;
      checkOptionNames(options, FLOW_CONTROL_PROTOCOL_OPTIONS, what);
      checkLoopOption(options?.loop, what);
    }
    this._streamLoop = options?.loop ?? null;
  }

  /** The transport's write buffer went over its high-water mark. */
  override pauseWriting(): void {
    this._paused = true;
  }

  /** The transport's write buffer drained: waiting drains return. */
  override resumeWriting(): void {
    this._paused = false;
    this._drainers?.unparkAll();
  }

  /**
   * The connection is gone: waiting drains return (on a clean close) or
   * throw the error, and later drains throw.
   *
   * @param error The error, or `null` for a clean close.
   */
  override connectionLost(error: Error | null): void {
    this._connectionLost = true;
    if (!this._paused) return;
    if (error === null) this._drainers?.unparkAll();
    else this._drainers?.unparkAllWithError(error);
  }

  /**
   * @internal What `StreamWriter.drain()` waits for: nothing unless writing
   * is paused.
   * @ignore
   */
  *_drainHelper(): Coroutine<void> {
    if (this._connectionLost) {
      throw new Deno.errors.ConnectionReset("Connection lost");
    }
    if (this._paused) {
      yield* (this._drainers ??= new ParkingLot(this, { handOff: nothing }))
        .park();
    }
  }

  /** @ignore @internal Whether this is the server side (for `startTls`). */
  get _isServerSide(): boolean {
    return false;
  }

  /** @ignore @internal `StreamWriter.startTls` swapped in a TLS transport. */
  _replaceTransport(_transport: Transport): void {}

  /**
   * The future `writer.waitClosed()` waits for: done once the connection
   * under `writer` is closed. Subclasses provide it; this one throws.
   *
   * asyncio: `_get_close_waiter()`, private there; a subclass contract here.
   *
   * @param _writer The writer whose `waitClosed()` asks.
   * @returns The future.
   * @throws {Error} Unless a subclass implements it.
   */
  getCloseWaiter(_writer: StreamWriter): Future<void> {
    throw new Error(
      `${this.constructor.name} does not implement getCloseWaiter()`,
    );
  }
}

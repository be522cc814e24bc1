/**
 * {@linkcode FlowControlProtocol}: the protocol side of
 * `StreamWriter.drain()`.
 *
 * @module
 */

import type { EventLoop } from "../eventloop/event_loop.ts";
import { Future } from "../eventloop/future.ts";
import { Protocol } from "../eventloop/protocols.ts";
import type { Transport } from "../eventloop/transports.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import type { StreamWriter } from "./stream_writer.ts";
import { checkLoopOption, checkOptionNames } from "../eventloop/_options.ts";
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

/**
 * A stream protocol that tracks the transport's write flow control, so a
 * {@linkcode StreamWriter} over it can wait in `drain()`: between
 * `pauseWriting()` and `resumeWriting()` drains wait, and once the
 * connection is lost they throw. Subclasses that override `pauseWriting`,
 * `resumeWriting` or `connectionLost` must call the base method, and
 * implement `_getCloseWaiter` (the future `waitClosed()` waits for).
 * {@linkcode StreamReaderProtocol} is one; the subprocess protocol is
 * another.
 *
 * asyncio: `asyncio.streams.FlowControlMixin`.
 *
 * @example Drains wait while writing is paused
 * ```ts
 * import { FlowControlProtocol } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createTask, sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * await run(function* () {
 *   const protocol = new FlowControlProtocol();
 *   protocol.pauseWriting();
 *   const drain = createTask(function* () {
 *     yield* protocol._drainHelper();
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
  /** @ignore @internal */
  _loop: EventLoop | null;
  /** @ignore @internal Whether the transport asked us to stop writing. */
  _paused = false;
  /** @ignore @internal The futures of the drains that wait. */
  _drainWaiters: Future<void>[] = [];
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
    this._loop = options?.loop ?? null;
  }

  /** The transport's write buffer went over its high-water mark. */
  override pauseWriting(): void {
    this._paused = true;
  }

  /** The transport's write buffer drained: waiting drains return. */
  override resumeWriting(): void {
    this._paused = false;
    for (const waiter of this._drainWaiters) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
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
    for (const waiter of this._drainWaiters) {
      if (waiter.done()) continue;
      if (error === null) waiter.setResult(undefined);
      else waiter.setException(error);
    }
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
    if (!this._paused) return;
    const waiter = new Future<void>({ loop: this._loop ?? undefined });
    this._drainWaiters.push(waiter);
    try {
      yield* waiter;
    } finally {
      const i = this._drainWaiters.indexOf(waiter);
      if (i !== -1) this._drainWaiters.splice(i, 1);
    }
  }

  /** @ignore @internal Whether this is the server side (for `startTls`). */
  get _isServerSide(): boolean {
    return false;
  }

  /** @ignore @internal `StreamWriter.startTls` swapped in a TLS transport. */
  _replaceTransport(_transport: Transport): void {}

  /**
   * @internal The future `StreamWriter.waitClosed()` waits for; subclasses
   * provide it.
   * @ignore
   */
  _getCloseWaiter(_writer: StreamWriter): Future<void> {
    throw new Error(
      `${this.constructor.name} does not implement _getCloseWaiter()`,
    );
  }
}

/**
 * {@linkcode Server}: what `loop.createServer()` and
 * `loop.createUnixServer()` return.
 *
 * @module
 */

import { watchCoroutine } from "./_never_awaited.ts";
import type { EventLoop } from "./event_loop.ts";
import type { Future } from "./future.ts";
import type { TimerHandle } from "./handle.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Coroutine } from "./_coroutine.ts";
import { closeQuietly, formatAddr, makeProtocol } from "./_net.ts";
import { type StreamConn, StreamTransport } from "./_stream_transport.ts";
import { NodeTlsConn } from "./_node_tls_server.ts";
import { trackUnclosed, untrack } from "./_resource_warnings.ts";
import { Step } from "./_step.ts";

/** Seconds accepting pauses after running out of resources (asyncio's
 * `ACCEPT_RETRY_DELAY`). */
const ACCEPT_RETRY_DELAY = 1;

/**
 * Accept errors about the one connection being accepted, not the listener:
 * it went away before it was accepted (Deno's accept fails with
 * `NotConnected` when the peer reset first), or, on Linux, a network error
 * of the new socket that accept(2) passes on, which its manual says to
 * treat like EAGAIN.
 */
const CONNECTION_ERRORS = new Set([
  "ENOTCONN",
  "ECONNABORTED",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPROTO",
  "ENOPROTOOPT",
  "EHOSTDOWN",
  "ENONET",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ENETUNREACH",
  "EOPNOTSUPP",
  "EPERM",
  "EAGAIN",
  "EWOULDBLOCK",
  "EINTR",
]);
/** Out of file descriptors or memory: accepting again at once fails again. */
const RESOURCE_ERRORS = new Set(["EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"]);

/** What an accept error means for the accept loop. */
function acceptErrorKind(
  error: unknown,
): "connection" | "resources" | "closed" | "other" {
  if (error instanceof Deno.errors.BadResource) return "closed";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (RESOURCE_ERRORS.has(code)) return "resources";
    if (CONNECTION_ERRORS.has(code)) return "connection";
  }
  if (
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.TimedOut ||
    error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.WouldBlock
  ) return "connection";
  return "other";
}

/**
 * Replaces an error's lazily formatted stack trace by its first line, so
 * that printing the error formats nothing.
 */
function withPlainStack(error: unknown): void {
  if (!(error instanceof Error)) return;
  try {
    Object.defineProperty(error, "stack", {
      value:
        `${error.name}: ${error.message} (no stack trace: formatting one needs a free file descriptor)`,
      configurable: true,
      writable: true,
    });
  } catch {
    // A frozen error: nothing to do.
  }
}

/** One listening socket of a {@linkcode Server}. */
export interface ServerSocket {
  /** Where it is bound (Python's `getsockname()`). */
  readonly addr: Deno.Addr;
}

/**
 * @ignore @internal What a server accepts connections from: a
 * `Deno.Listener`, or the node:tls listener of a server that verifies
 * client certificates.
 */
export interface ServerListener {
  /** @ignore @internal */
  readonly addr: Deno.Addr;
  /** @ignore @internal */
  accept(): Promise<StreamConn>;
  /** @ignore @internal */
  close(): void;
}

/** @ignore @internal How a server listens; made by `createServer` and friends. */
export interface ServerSetup {
  /** @ignore @internal */
  listeners: ServerListener[];
  /** @ignore @internal */
  protocolFactory: () => BaseProtocol;
  /** @ignore @internal Whether accepted conns are TLS (handshake before use). */
  tls: boolean;
  /** @ignore @internal Seconds a TLS handshake may take. */
  handshakeTimeout: number;
  /** @internal Turn SO_KEEPALIVE on for accepted TCP conns. */
  keepAlive?: boolean;
}

/**
 * A listening server: it accepts connections and gives each one a protocol
 * from its factory and a stream transport.
 *
 * `close()` stops listening and leaves the open connections alone (asyncio
 * 3.12); `closeClients()` / `abortClients()` end them; `waitClosed()` waits
 * until the listeners are closed and every connection is gone.
 *
 * asyncio: `asyncio.Server`.
 *
 * @example An echo server on a free port
 * ```ts
 * import { Protocol, run, getRunningLoop, type Transport } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Echo extends Protocol {
 *   transport!: Transport;
 *   override connectionMade(t: Transport) { this.transport = t; }
 *   override dataReceived(data: Uint8Array) { this.transport.write(data); }
 * }
 * class Client extends Protocol {
 *   done = getRunningLoop().createFuture<string>();
 *   override dataReceived(data: Uint8Array) {
 *     this.done.setResult(new TextDecoder().decode(data));
 *   }
 * }
 * const reply = await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [transport, client] = yield* loop.createConnection(() => new Client(), "127.0.0.1", port);
 *   transport.write(new TextEncoder().encode("ping"));
 *   const text = yield* client.done;
 *   transport.close();
 *   server.close();
 *   yield* server.waitClosed();
 *   return text;
 * }());
 * assert.equal(reply, "ping");
 * ```
 */
export class Server {
  #loop: EventLoop;
  #listeners: ServerListener[] | null;
  #sockets: ServerSocket[];
  #factory: () => BaseProtocol;
  #tls: boolean;
  #handshakeTimeout: number;
  #keepAlive: boolean;
  #serving = false;
  #acceptsInFlight = 0;
  /** Accepts paused after running out of resources, to resume later. */
  #acceptRetries = new Set<TimerHandle>();
  #transports = new Set<StreamTransport>();
  /** TLS conns whose handshake is still running. */
  #handshaking = new Set<StreamConn>();
  /** Conns accepted (and through their handshake) whose protocol is not made yet. */
  #unserved = new Set<StreamConn>();
  #waiters: Future<void>[] = [];
  #servingForever: Future<void> | null = null;

  /**
   * Made by `loop.createServer()`; not meant to be called directly.
   *
   * @param loop The loop it runs on.
   * @param setup The listeners and the protocol factory.
   */
  constructor(loop: EventLoop, setup: ServerSetup) {
    this.#loop = loop;
    this.#listeners = setup.listeners;
    this.#sockets = setup.listeners.map((l) => Object.freeze({ addr: l.addr }));
    this.#factory = setup.protocolFactory;
    this.#tls = setup.tls;
    this.#handshakeTimeout = setup.handshakeTimeout;
    this.#keepAlive = setup.keepAlive ?? false;
    trackUnclosed(
      this,
      `server on ${
        this.#sockets.map((socket) => formatAddr(socket.addr)).join(", ")
      }`,
      loop,
      releaser(setup.listeners),
    );
  }

  /**
   * The listening sockets, each with the address it is bound to; empty once
   * the server is closed.
   *
   * asyncio: `Server.sockets`.
   *
   * @returns A copy of the list.
   */
  get sockets(): ServerSocket[] {
    return this.#listeners === null ? [] : [...this.#sockets];
  }

  /**
   * The loop the server runs on.
   *
   * @returns The loop.
   */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /**
   * Whether the server accepts connections.
   *
   * asyncio: `Server.is_serving()`.
   *
   * @returns `true` between `startServing()` and `close()`.
   */
  isServing(): boolean {
    return this.#serving && this.#listeners !== null;
  }

  /**
   * Starts accepting connections (a no-op if it already does), then gives
   * the loop one turn.
   *
   * asyncio: `Server.start_serving()`.
   *
   * @returns A coroutine.
   * @throws {Error} If the server is closed.
   */
  startServing(): Coroutine<void> {
    return watchCoroutine(this.#startServing(), "Server.startServing");
  }

  *#startServing(): Coroutine<void> {
    this._startServing();
    yield;
  }

  /** @ignore @internal Starts the accept loops (plain call, for createServer). */
  _startServing(): void {
    if (this.#listeners === null) {
      throw new Error("Cannot start serving: the server is closed");
    }
    if (this.#serving) return;
    this.#serving = true;
    for (const listener of this.#listeners) this.#accept(listener);
  }

  /**
   * Serves until the task running it is cancelled; then closes the server
   * and waits until it is closed.
   *
   * asyncio: `Server.serve_forever()`.
   *
   * @returns A coroutine that ends only by cancellation.
   * @throws {Error} If the server is closed or already serving forever.
   */
  serveForever(): Coroutine<void> {
    return watchCoroutine(this.#serveForever(), "Server.serveForever");
  }

  *#serveForever(): Coroutine<void> {
    if (this.#servingForever !== null) {
      throw new Error("serveForever() is already running on this server");
    }
    if (this.#listeners === null) {
      throw new Error("Cannot serve forever: the server is closed");
    }
    this._startServing();
    const forever = this.#loop.createFuture<void>();
    this.#servingForever = forever;
    try {
      yield* forever;
    } finally {
      this.#servingForever = null;
      this.close();
      yield* this.waitClosed();
    }
  }

  /**
   * Stops listening: the listeners close and `sockets` becomes empty.
   * Connections already accepted stay open. Idempotent.
   *
   * asyncio: `Server.close()`.
   */
  close(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    untrack(this);
    this.#serving = false;
    for (const listener of listeners) closeQuietly(listener);
    for (const retry of this.#acceptRetries) retry.cancel();
    this.#acceptRetries.clear();
    if (this.#servingForever !== null && !this.#servingForever.done()) {
      this.#servingForever.cancel();
    }
    this.#maybeWake();
  }

  /**
   * Closes every connection the server accepted, after flushing what they
   * have buffered.
   *
   * asyncio: `Server.close_clients()` (3.13).
   */
  closeClients(): void {
    for (const transport of [...this.#transports]) transport.close();
    for (const conn of this.#handshaking) closeQuietly(conn);
    this.#dropUnserved();
  }

  /**
   * Aborts every connection the server accepted, dropping buffered data.
   *
   * asyncio: `Server.abort_clients()` (3.13).
   */
  abortClients(): void {
    for (const transport of [...this.#transports]) transport.abort();
    for (const conn of this.#handshaking) closeQuietly(conn);
    this.#dropUnserved();
  }

  /**
   * Waits until the server is closed and every connection it accepted has
   * been lost (asyncio 3.12.1+). Returns at once if both are already true.
   *
   * asyncio: `Server.wait_closed()`.
   *
   * @returns A coroutine.
   */
  waitClosed(): Coroutine<void> {
    return watchCoroutine(this.#waitClosed(), "Server.waitClosed");
  }

  *#waitClosed(): Coroutine<void> {
    if (this.#isFullyClosed()) return;
    const waiter = this.#loop.createFuture<void>();
    this.#waiters.push(waiter);
    yield* waiter;
  }

  /**
   * Closes the server (`close()`) at the end of a `using` scope, which a
   * coroutine can write: `using server = yield* startServer(...)`. It does
   * not wait for the connections to end; `yield* serving(server, body)`
   * closes and waits, as `async with server:` does.
   *
   * @example Closing when a coroutine's scope ends
   * ```ts
   * import { getRunningLoop, Protocol, run, type Server } from "@asyncio/asyncio/eventloop";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   let outside: Server;
   *   {
   *     using server = yield* getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", 0);
   *     outside = server;
   *     assert.equal(server.isServing(), true);
   *   }
   *   assert.equal(outside.isServing(), false);
   *   yield* outside.waitClosed();
   * }());
   * ```
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes the server and resolves once it is fully closed; for `await
   * using` in async code while the loop runs (in a coroutine, use
   * `yield* serving(server, body)`).
   *
   * @returns A promise that settles when the server is closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    if (this.#isFullyClosed()) return;
    const waiter = this.#loop.createFuture<void>();
    this.#waiters.push(waiter);
    await waiter;
  }

  /** @ignore @internal A transport it accepted has called connectionLost. */
  _detach(transport: StreamTransport): void {
    this.#transports.delete(transport);
    this.#maybeWake();
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Server sockets=[127.0.0.1:8888]>`.
   */
  toString(): string {
    const addrs = this.sockets.map((s) => formatAddr(s.addr));
    return `<Server sockets=[${addrs.join(", ")}]>`;
  }

  #isFullyClosed(): boolean {
    return this.#listeners === null && this.#acceptsInFlight === 0 &&
      this.#transports.size === 0 && this.#handshaking.size === 0 &&
      this.#unserved.size === 0;
  }

  #maybeWake(): void {
    if (!this.#isFullyClosed()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (!waiter.done()) waiter.setResult();
    }
  }

  #accept(listener: ServerListener): void {
    this.#acceptsInFlight++;
    listener.accept().then(
      (conn) => {
        this.#acceptsInFlight--;
        if (!this.#serving || this.#loop.isClosed()) {
          closeQuietly(conn);
          this.#wakeLater();
          return;
        }
        this.#accept(listener);
        if (this.#tls) this.#handshake(conn);
        else this.#serveLater(conn, null);
      },
      (error) => {
        this.#acceptsInFlight--;
        if (!this.#serving || this.#loop.isClosed()) {
          this.#wakeLater();
          return;
        }
        this.#acceptFailed(listener, error);
      },
    );
  }

  /**
   * An accept failed while serving. As asyncio's `_accept_connection`: a
   * connection that went away before it was accepted costs nothing (accept
   * again at once); running out of file descriptors or memory pauses
   * accepting for a second, logged without a stack trace. An error of no
   * known kind is reported and pauses too: asyncio would accept again at
   * once, but there the listener is polled first, while here a listener on
   * which every accept fails at once would spin the loop.
   */
  #acceptFailed(listener: ServerListener, error: unknown): void {
    const kind = acceptErrorKind(error);
    if (kind === "connection") {
      this.#accept(listener);
      return;
    }
    if (kind === "resources") {
      // Formatting a stack trace needs a free file descriptor in Deno 2.9
      // (it panics without one), and every handler that prints the error
      // would format it: give the error a stack that is already a string.
      withPlainStack(error);
    }
    this.#loop._pushReady(
      new Step(() => {
        if (kind === "closed") {
          // The listener was closed under the server (not by close()).
          this.#loop.callExceptionHandler({
            message: "socket.accept() failed: the listener is closed",
            exception: error,
            server: this,
          });
          this.#maybeWake();
          return;
        }
        this.#loop.callExceptionHandler({
          message: kind === "resources"
            ? `socket.accept() out of system resource; retrying in ${ACCEPT_RETRY_DELAY} second`
            : `socket.accept() failed; retrying in ${ACCEPT_RETRY_DELAY} second`,
          exception: error,
          server: this,
        });
        if (!this.#serving) {
          this.#maybeWake();
          return;
        }
        const retry = this.#loop.callLater(ACCEPT_RETRY_DELAY, () => {
          this.#acceptRetries.delete(retry);
          if (this.#serving) this.#accept(listener);
        });
        this.#acceptRetries.add(retry);
      }),
    );
  }

  /** Wakes waitClosed() from inside the loop, where futures may be set. */
  #wakeLater(): void {
    if (this.#loop.isClosed()) return;
    this.#loop._pushReady(new Step(() => this.#maybeWake()));
  }

  #handshake(conn: StreamConn): void {
    this.#handshaking.add(conn);
    // A client that never completes its handshake is dropped (asyncio's
    // ssl_handshake_timeout), so it cannot hold a connection forever.
    let timedOut = false;
    const timer = this.#loop.isClosed()
      ? null
      : this.#loop.callLater(this.#handshakeTimeout, () => {
        timedOut = true;
        closeQuietly(conn);
      });
    handshakeExtra(conn).then(
      (extra) => {
        timer?.cancel();
        this.#handshaking.delete(conn);
        if (this.#loop.isClosed()) {
          closeQuietly(conn);
          return;
        }
        this.#serveLater(conn, extra);
      },
      (error) => {
        timer?.cancel();
        this.#handshaking.delete(conn);
        closeQuietly(conn);
        if (this.#loop.isClosed()) return;
        if (timedOut) {
          error = new Deno.errors.ConnectionAborted(
            `SSL handshake is taking longer than ${this.#handshakeTimeout} seconds: aborting the connection`,
            { cause: error },
          );
        }
        this.#loop._pushReady(
          new Step(() => {
            // asyncio reports a failed handshake of an accepted connection
            // (a timeout, a client certificate that does not verify) in
            // debug mode only, and no protocol is made for it.
            if (this.#loop.getDebug()) {
              this.#loop.callExceptionHandler({
                message: "Error on transport creation for incoming connection",
                exception: error,
                server: this,
              });
            }
            this.#maybeWake();
          }),
        );
      },
    );
  }

  /**
   * Serves `conn` in the next pass; until then it counts as open, so that
   * waitClosed() cannot return (and the loop end) with it unserved.
   */
  #serveLater(conn: StreamConn, extra: Record<string, unknown> | null): void {
    this.#unserved.add(conn);
    this.#loop._pushReady(new Step(() => this.#serve(conn, extra)));
  }

  #dropUnserved(): void {
    for (const conn of this.#unserved) closeQuietly(conn);
    this.#unserved.clear();
    this.#maybeWake();
  }

  /** Runs in a loop pass: gives the connection its protocol. */
  #serve(conn: StreamConn, extra: Record<string, unknown> | null): void {
    // Dropped by closeClients()/abortClients() meanwhile.
    if (!this.#unserved.delete(conn)) return;
    if (this.#keepAlive) {
      try {
        (conn as Deno.TcpConn | NodeTlsConn).setKeepAlive(true);
      } catch (error) {
        closeQuietly(conn);
        this.#loop.callExceptionHandler({
          message: "Cannot set SO_KEEPALIVE on an accepted connection",
          exception: error,
          server: this,
        });
        this.#maybeWake();
        return;
      }
    }
    let protocol: BaseProtocol;
    try {
      protocol = makeProtocol(this.#factory, "accept a connection");
    } catch (error) {
      closeQuietly(conn);
      this.#loop.callExceptionHandler({
        message: "The server's protocol factory failed",
        exception: error,
        server: this,
      });
      this.#maybeWake();
      return;
    }
    const transport = new StreamTransport(this.#loop, conn, protocol, {
      server: this,
      extra,
      canWriteEof: !this.#tls,
      exposeConn: !(conn instanceof NodeTlsConn),
    });
    this.#transports.add(transport);
  }
}

/**
 * Runs the TLS handshake of an accepted conn; resolves with the transport's
 * extra info. A Deno.listenTls server never asks for a client certificate,
 * so its `peercert` is `null`, as Python's `getpeercert()` is then.
 */
function handshakeExtra(conn: StreamConn): Promise<Record<string, unknown>> {
  if (conn instanceof NodeTlsConn) return conn.handshake();
  return (conn as Deno.TlsConn).handshake().then((info) => ({
    tls: true,
    alpnProtocol: info.alpnProtocol,
    peercert: null,
  }));
}

/**
 * What closes the listeners if the loop closes with the server still open;
 * outside the constructor so that it holds the listeners, not the server.
 */
function releaser(listeners: readonly ServerListener[]): () => void {
  return () => {
    for (const listener of listeners) closeQuietly(listener);
  };
}

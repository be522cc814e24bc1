// A TLS server that verifies client certificates, on Deno's node:tls.
//
// Deno.listenTls can neither request nor verify a client's certificate;
// Deno's node:tls can (`requestCert`, `rejectUnauthorized`, `ca`), and it
// reports what asyncio's transports do: the peer's certificate, the cipher,
// the protocol version. So `createServer(..., { ssl: { verifyMode } })`
// listens with `tls.createServer`, and this file adapts it to the shapes the
// Server and the stream transport use: a listener whose `accept()` gives
// connections, and connections with `handshake()`, `read(p)`, `write(p)`,
// `closeWrite()`, `close()` as a Deno.TlsConn has them.
//
// Invariants:
// - Every node socket and server has an 'error' listener from the moment it
//   is seen (an EventEmitter 'error' without one would end the process).
// - Every promise handed out settles: close() settles a pending read, write
//   or handshake; nothing is made before someone waits on it.
// - node:tls is loaded only when such a server is made (a dynamic import),
//   so programs that never verify clients never load it.

import type * as NodeNet from "node:net";
import type * as NodeTls from "node:tls";
import type { EventLoop } from "./event_loop.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { StreamConn } from "./_stream_transport.ts";
import type { Cipher, PeerCertificate, SSLObject } from "./ssl_object.ts";
import { formatAddr, ioAwait } from "./_net.ts";
import { decodeCertificate } from "./_peercert.ts";

type TlsModule = typeof NodeTls;

/** How the server treats client certificates (Python's `verify_mode`). */
export type ServerVerifyMode = "optional" | "required";

/** What a node:tls server is made with. */
export interface NodeTlsSettings {
  cert: string;
  key: string;
  caCerts: string[];
  alpnProtocols?: string[];
  verifyMode: ServerVerifyMode;
  backlog: number;
}

/** Node's error codes as the Deno error classes the rest of the module knows. */
const ERROR_CLASSES: Record<
  string,
  new (message: string, options?: ErrorOptions) => Error
> = {
  ECONNRESET: Deno.errors.ConnectionReset,
  EPIPE: Deno.errors.BrokenPipe,
  ECONNABORTED: Deno.errors.ConnectionAborted,
  ENOTCONN: Deno.errors.NotConnected,
  ETIMEDOUT: Deno.errors.TimedOut,
  EADDRINUSE: Deno.errors.AddrInUse,
  EADDRNOTAVAIL: Deno.errors.AddrNotAvailable,
  EACCES: Deno.errors.PermissionDenied,
  EPERM: Deno.errors.PermissionDenied,
};

/**
 * A node error as Deno's class for it (with the node error as its cause):
 * system errors by their code, TLS errors (`ERR_SSL_*`, `ERR_TLS_*`) as
 * `InvalidData`, which is what Deno's own TLS throws. Deno's errors are
 * kept as they are.
 */
function asDenoError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error;
  const Class = ERROR_CLASSES[code] ??
    (/^ERR_(SSL|TLS)_/.test(code) ? Deno.errors.InvalidData : undefined);
  return Class === undefined
    ? error
    : new Class(error.message, { cause: error });
}

/** Why a client's handshake failed, as the error the server reports. */
function handshakeError(error: unknown, authorizationError: unknown): Error {
  if (typeof authorizationError === "string" && authorizationError !== "") {
    return new Deno.errors.InvalidData(
      `TLS handshake failed on verifying the client's certificate: ${authorizationError}`,
      { cause: error },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") {
    return new Deno.errors.InvalidData(
      `TLS handshake failed: the client sent no certificate, and ssl.verifyMode is "required" (${
        (error as Error).message
      })`,
      { cause: error },
    );
  }
  return asDenoError(error);
}

/** Secret bits of a cipher suite, from its name (Python's third item). */
function cipherBits(name: string): number | null {
  if (/AES_?256|CHACHA20/.test(name)) return 256;
  if (/AES_?128/.test(name)) return 128;
  return null;
}

/**
 * Checks net permission as Deno.listen does (prompting where Deno would):
 * node:net checks it later, inside a callback, where a refusal would be an
 * uncaught error that ends the process.
 */
function checkListenPermission(hostname: string, port: number): void {
  const descriptor = {
    name: "net",
    // `host:port`, `[v6]:port`: as Deno's net permission names it.
    host: formatAddr({ hostname, port }),
  } as const;
  let state = Deno.permissions.querySync(descriptor).state;
  if (state === "prompt") {
    state = Deno.permissions.requestSync(descriptor).state;
  }
  if (state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Requires net access to "${descriptor.host}", run again with the --allow-net flag`,
    );
  }
}

/** The TLS state of a connection, read once at the end of its handshake. */
class NodeSslObject implements SSLObject {
  readonly serverSide = true;
  readonly serverHostname = null;
  readonly #version: string;
  readonly #cipher: Cipher;
  readonly #der: Uint8Array | null;
  readonly #cert: PeerCertificate | null;
  readonly #alpn: string | null;

  constructor(
    version: string,
    cipher: Cipher,
    der: Uint8Array | null,
    cert: PeerCertificate | null,
    alpn: string | null,
  ) {
    this.#version = version;
    this.#cipher = cipher;
    this.#der = der;
    this.#cert = cert;
    this.#alpn = alpn;
  }

  version(): string {
    return this.#version;
  }

  cipher(): Cipher {
    return this.#cipher;
  }

  getpeercert(binaryForm?: false): PeerCertificate | null;
  getpeercert(binaryForm: true): Uint8Array | null;
  getpeercert(binaryForm = false): PeerCertificate | Uint8Array | null {
    if (binaryForm) return this.#der === null ? null : this.#der.slice();
    return this.#cert;
  }

  selectedAlpnProtocol(): string | null {
    return this.#alpn;
  }

  compression(): null {
    return null;
  }

  toString(): string {
    return `<SSLObject server ${this.#version} ${this.#cipher[0]}>`;
  }
}

/** Plaintext bytes queued before the TCP socket stops being read. */
const READ_HIGH_WATER = 65536;

/** The TCP handle under node's TLS socket. */
interface RawHandle {
  readStop(): number;
  readStart(): number;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * One accepted connection: a raw TCP socket while its TLS handshake runs,
 * then the TLS socket over it. Reads and writes as a Deno.Conn does.
 */
export class NodeTlsConn implements StreamConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  readonly #raw: NodeNet.Socket;
  readonly #verifyMode: ServerVerifyMode;
  #tls: NodeTls.TLSSocket | null = null;
  #state: "handshaking" | "open" | "failed" | "closed" = "handshaking";
  #extra: Record<string, unknown> | null = null;
  #handshakeError: Error | null = null;
  /** Why node:tls gave up, while it closes the socket. */
  #failure: Error | null = null;
  #rawClosed = false;
  #handshakeWaiter: Pending<Record<string, unknown>> | null = null;
  // Reading: the TLS socket flows into `#queue`; `read(p)` takes from it.
  #queue: Uint8Array[] = [];
  #queued = 0;
  #rawPaused = false;
  #ended = false;
  #error: Error | null = null;
  #pendingRead: Pending<number | null> & { p: Uint8Array } | null = null;
  #pendingWrite: Pending<number> | null = null;

  constructor(raw: NodeNet.Socket, verifyMode: ServerVerifyMode) {
    this.#raw = raw;
    this.#verifyMode = verifyMode;
    this.remoteAddr = {
      transport: "tcp",
      hostname: raw.remoteAddress ?? "",
      port: raw.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: raw.localAddress ?? "",
      port: raw.localPort ?? 0,
    };
    raw.on("error", () => {
      // Reported through the TLS socket or the handshake's failure.
    });
    raw.once("close", () => {
      this.#rawClosed = true;
      if (this.#state !== "handshaking") return;
      if (this.#failure !== null) {
        this.#fail(this.#failure);
        return;
      }
      // node:tls reports a handshake it gave up on ('tlsClientError', with
      // the reason) about when the socket closes; this is the fallback, a
      // turn later so that the reason wins.
      setTimeout(() => {
        this.#fail(
          new Deno.errors.ConnectionReset(
            "The client closed the connection during the TLS handshake",
          ),
        );
      }, 0);
    });
  }

  /**
   * Resolves with the transport's extra info once the handshake is done and
   * the client's certificate is verified; rejects if either fails.
   */
  handshake(): Promise<Record<string, unknown>> {
    if (this.#state === "open") return Promise.resolve(this.#extra!);
    if (this.#state === "failed") return Promise.reject(this.#handshakeError);
    if (this.#state === "closed") {
      return Promise.reject(
        new Deno.errors.BadResource("The connection is closed"),
      );
    }
    return new Promise((resolve, reject) => {
      this.#handshakeWaiter = { resolve, reject };
    });
  }

  /** @internal node:tls finished the handshake (and its own checks). */
  _secure(tls: NodeTls.TLSSocket): void {
    tls.on("error", (error: Error) => this.#onError(error));
    if (this.#state !== "handshaking") {
      tls.destroy();
      return;
    }
    this.#tls = tls;
    const der = tls.getPeerCertificate(true)?.raw;
    const hasCert = der !== undefined && der.byteLength > 0;
    // "required" is enforced by node:tls itself (it drops the connection
    // before this point); "optional" accepts a client without a
    // certificate but, as OpenSSL does, not one with a bad certificate.
    if (!tls.authorized && (hasCert || this.#verifyMode === "required")) {
      this._failed(null, tls.authorizationError ?? "UNKNOWN");
      tls.destroy();
      return;
    }
    let extra: Record<string, unknown>;
    try {
      extra = this.#tlsExtra(tls, hasCert ? new Uint8Array(der) : null);
    } catch (error) {
      this.#failure ??= asDenoError(error);
      tls.destroy();
      return;
    }
    this.#extra = extra;
    this.#state = "open";
    tls.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    tls.on("end", () => {
      this.#ended = true;
      this.#deliver();
    });
    tls.on("close", () => {
      this.#ended = true;
      this.#deliver();
    });
    const waiter = this.#handshakeWaiter;
    this.#handshakeWaiter = null;
    waiter?.resolve(extra);
  }

  /**
   * @internal node:tls gave up on the handshake, and closes the socket: the
   * handshake fails once it is closed. Closing it here at once would race
   * the alert node:tls sends (the client would see a bare EOF).
   */
  _failed(error: unknown, authorizationError: unknown): void {
    if (this.#state !== "handshaking") return;
    this.#failure ??= handshakeError(error, authorizationError);
    if (this.#rawClosed) this.#fail(this.#failure);
  }

  /** The handshake failed and the socket is closed (or is being closed). */
  #fail(error: Error): void {
    if (this.#state !== "handshaking") return;
    this.#state = "failed";
    this.#handshakeError = error;
    this.#raw.destroy();
    this.#tls?.destroy();
    const waiter = this.#handshakeWaiter;
    this.#handshakeWaiter = null;
    waiter?.reject(error);
  }

  #tlsExtra(
    tls: NodeTls.TLSSocket,
    der: Uint8Array | null,
  ): Record<string, unknown> {
    const peercert = der === null ? null : decodeCertificate(der);
    const { name, version } = tls.getCipher();
    const cipher: Cipher = Object.freeze(
      [name, version, cipherBits(name)] as const,
    );
    const alpn = typeof tls.alpnProtocol === "string" ? tls.alpnProtocol : null;
    const protocol = tls.getProtocol() ?? version;
    return {
      tls: true,
      alpnProtocol: alpn,
      peercert,
      cipher,
      compression: null,
      sslObject: new NodeSslObject(protocol, cipher, der, peercert, alpn),
    };
  }

  /** Turns Nagle's algorithm off (`TCP_NODELAY`) or on. */
  setNoDelay(noDelay: boolean): void {
    this.#raw.setNoDelay(noDelay);
  }

  /** Turns TCP keep-alive on or off (`SO_KEEPALIVE`). */
  setKeepAlive(enable: boolean): void {
    this.#raw.setKeepAlive(enable);
  }

  // ---- Reading ----

  read(p: Uint8Array): Promise<number | null> {
    if (this.#pendingRead !== null) {
      return Promise.reject(
        new Deno.errors.Busy("A read is already in flight on the connection"),
      );
    }
    const n = this.#take(p);
    if (n !== undefined) return Promise.resolve(n);
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#state !== "open") {
      return Promise.reject(
        new Deno.errors.BadResource("The connection is closed"),
      );
    }
    return new Promise((resolve, reject) => {
      this.#pendingRead = { p, resolve, reject };
    });
  }

  /** Bytes copied into `p`, `null` at EOF, `undefined` if none yet. */
  #take(p: Uint8Array): number | null | undefined {
    const chunk = this.#queue[0];
    if (chunk === undefined) return this.#ended ? null : undefined;
    const n = Math.min(chunk.byteLength, p.byteLength);
    p.set(chunk.subarray(0, n));
    if (n < chunk.byteLength) this.#queue[0] = chunk.subarray(n);
    else this.#queue.shift();
    this.#queued -= n;
    if (this.#rawPaused && this.#queued < READ_HIGH_WATER) {
      this.#pauseRaw(false);
    }
    return n;
  }

  #onData(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#queue.push(chunk);
    this.#queued += chunk.byteLength;
    if (!this.#rawPaused && this.#queued >= READ_HIGH_WATER) {
      this.#pauseRaw(true);
    }
    this.#deliver();
  }

  /**
   * Stops or restarts reading from the TCP socket under the TLS socket:
   * that is the backpressure. The TLS socket itself keeps flowing, because
   * Deno 2.9's node:tls loses a close_notify that arrives after the TLS
   * socket stopped reading at its high-water mark (its `pause()`, or a
   * full readable buffer): the peer's EOF would never come.
   */
  #pauseRaw(pause: boolean): void {
    this.#rawPaused = pause;
    const handle = (this.#raw as { _handle?: RawHandle | null })._handle;
    if (typeof handle?.readStop === "function") {
      if (pause) handle.readStop();
      else handle.readStart();
    } else if (pause) {
      this.#tls?.pause(); // Fallback: node's own backpressure.
    } else {
      this.#tls?.resume();
    }
  }

  #deliver(): void {
    const pending = this.#pendingRead;
    if (pending === null) return;
    const n = this.#take(pending.p);
    if (n === undefined) return;
    this.#pendingRead = null;
    pending.resolve(n);
  }

  #onError(error: Error): void {
    if (this.#state === "handshaking") return; // the handshake reports it
    this.#error ??= asDenoError(error);
    const read = this.#pendingRead;
    this.#pendingRead = null;
    read?.reject(this.#error);
    const write = this.#pendingWrite;
    this.#pendingWrite = null;
    write?.reject(this.#error);
  }

  // ---- Writing ----

  write(p: Uint8Array): Promise<number> {
    if (this.#error !== null) return Promise.reject(this.#error);
    const tls = this.#tls;
    if (this.#state !== "open" || tls === null) {
      return Promise.reject(
        new Deno.errors.BadResource("The connection is closed"),
      );
    }
    if (this.#pendingWrite !== null) {
      return Promise.reject(
        new Deno.errors.Busy("A write is already in flight on the connection"),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: Pending<number> = { resolve, reject };
      this.#pendingWrite = pending;
      tls.write(p, (error) => {
        if (this.#pendingWrite !== pending) return;
        this.#pendingWrite = null;
        if (error) reject(asDenoError(error));
        else resolve(p.byteLength);
      });
    });
  }

  closeWrite(): Promise<void> {
    const tls = this.#tls;
    if (this.#state !== "open" || tls === null) {
      return Promise.reject(
        new Deno.errors.NotConnected("The connection is closed"),
      );
    }
    return new Promise((resolve, reject) => {
      tls.end(() => this.#error === null ? resolve() : reject(this.#error));
    });
  }

  /**
   * Closes at once, as Deno's TLS conns do: a close_notify is sent after
   * what was written, and pending reads and writes fail with BadResource.
   */
  close(): void {
    if (this.#state === "closed") return;
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    const closed = new Deno.errors.BadResource("The connection is closed");
    const waiter = this.#handshakeWaiter;
    this.#handshakeWaiter = null;
    waiter?.reject(closed);
    const read = this.#pendingRead;
    this.#pendingRead = null;
    read?.reject(closed);
    const write = this.#pendingWrite;
    this.#pendingWrite = null;
    write?.reject(closed);
    this.#queue = [];
    this.#queued = 0;
    if (wasOpen && this.#tls !== null) {
      this.#tls.end();
      this.#tls.destroy();
    }
    this.#tls?.destroy();
    this.#raw.destroy();
  }
}

/**
 * A node:tls server as a listener: `accept()` gives each connection as it
 * arrives, before its handshake (the Server runs `handshake()` with its
 * timeout, as for Deno.listenTls).
 */
export class NodeTlsListener {
  readonly addr: Deno.NetAddr;
  readonly #server: NodeTls.Server;
  readonly #conns = new WeakMap<object, NodeTlsConn>();
  #queue: NodeTlsConn[] = [];
  #waiting: Pending<NodeTlsConn> | null = null;
  #error: Error | null = null;
  #closed = false;

  constructor(
    server: NodeTls.Server,
    addr: Deno.NetAddr,
    verifyMode: ServerVerifyMode,
  ) {
    this.#server = server;
    this.addr = addr;
    server.on("connection", (raw: NodeNet.Socket) => {
      if (this.#closed || raw.destroyed) {
        raw.on("error", () => {});
        raw.destroy();
        return;
      }
      const conn = new NodeTlsConn(raw, verifyMode);
      this.#conns.set(raw, conn);
      const waiting = this.#waiting;
      this.#waiting = null;
      if (waiting !== null) waiting.resolve(conn);
      else this.#queue.push(conn);
    });
    server.on("secureConnection", (tls: NodeTls.TLSSocket) => {
      const conn = this.#connOf(tls);
      if (conn === undefined) {
        tls.on("error", () => {});
        tls.destroy();
      } else {
        conn._secure(tls);
      }
    });
    server.on(
      "tlsClientError",
      (error: Error, socket: NodeTls.TLSSocket | NodeNet.Socket) => {
        const authorizationError = (socket as NodeTls.TLSSocket)
          .authorizationError;
        this.#connOf(socket)?._failed(error, authorizationError);
      },
    );
    server.on("error", (error: Error) => {
      const denoError = asDenoError(error);
      const waiting = this.#waiting;
      this.#waiting = null;
      if (waiting !== null) waiting.reject(denoError);
      else this.#error ??= denoError;
    });
  }

  /** The connection of a raw socket or of the TLS socket over it. */
  #connOf(socket: object): NodeTlsConn | undefined {
    // node:tls keeps the socket it wraps as `_parent`, as Node does.
    return this.#conns.get(socket) ??
      this.#conns.get((socket as { _parent?: object })._parent ?? socket);
  }

  accept(): Promise<NodeTlsConn> {
    if (this.#closed) {
      return Promise.reject(
        new Deno.errors.BadResource("The listener is closed"),
      );
    }
    const conn = this.#queue.shift();
    if (conn !== undefined) return Promise.resolve(conn);
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** Stops listening; connections accepted but not taken are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const conn of this.#queue) conn.close();
    this.#queue = [];
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(new Deno.errors.BadResource("The listener is closed"));
  }
}

/** Loads node:tls (once). */
let tlsModule: Promise<TlsModule> | null = null;
function loadTls(): Promise<TlsModule> {
  return tlsModule ??= import("node:tls");
}

/**
 * Opens one node:tls listener per hostname (numeric addresses, or the
 * wildcard), all on `port`; closes those opened if one fails.
 */
export function* listenNodeTls(
  loop: EventLoop,
  hostnames: string[],
  port: number,
  settings: NodeTlsSettings,
): Coroutine<NodeTlsListener[]> {
  for (const hostname of hostnames) checkListenPermission(hostname, port);
  const tls = yield* ioAwait(loop, loadTls);
  const listeners: NodeTlsListener[] = [];
  try {
    for (const hostname of hostnames) {
      const server = tls.createServer({
        cert: settings.cert,
        key: settings.key,
        ca: settings.caCerts,
        requestCert: true,
        // "required": node:tls refuses a client without a certificate in
        // the handshake and drops one whose certificate does not verify.
        // "optional": NodeTlsConn._secure refuses a bad certificate.
        rejectUnauthorized: settings.verifyMode === "required",
        ALPNProtocols: settings.alpnProtocols,
        // The Server runs the handshake timeout on the loop's clock.
        handshakeTimeout: 0,
        // The transport decides when to end its side, as on a Deno.Conn.
        allowHalfOpen: true,
      });
      const listener = yield* ioAwait(
        loop,
        () =>
          listen(server, hostname, port, settings.backlog, settings.verifyMode),
        (l) => l.close(),
      );
      listeners.push(listener);
    }
  } catch (error) {
    for (const listener of listeners) listener.close();
    throw error;
  }
  return listeners;
}

function listen(
  server: NodeTls.Server,
  hostname: string,
  port: number,
  backlog: number,
  verifyMode: ServerVerifyMode,
): Promise<NodeTlsListener> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.close();
      reject(asDenoError(error));
    };
    server.once("error", onError);
    server.listen({ host: hostname, port, backlog }, () => {
      server.off("error", onError);
      const address = server.address() as NodeNet.AddressInfo;
      resolve(
        new NodeTlsListener(server, {
          transport: "tcp",
          hostname: address.address,
          port: address.port,
        }, verifyMode),
      );
    });
  });
}

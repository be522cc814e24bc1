/**
 * The option bags of the loop's network methods: `createConnection`,
 * `createServer`, their Unix-socket forms, `createDatagramEndpoint` and
 * `startTls`.
 *
 * Every option here is either honoured or refused with an error: an unknown
 * name (a typo, a Python spelling such as `ssl_handshake_timeout`) throws a
 * `TypeError` that lists the valid ones, and an asyncio option that Deno
 * cannot honour throws when it is given anything but its default. The
 * README's "Differences from asyncio" has the table of refused options.
 *
 * @module
 */

/**
 * TLS settings, as Deno's TLS APIs take them. A client always verifies the
 * server's certificate: there is no option to turn the checks off.
 *
 * A client can present a certificate (`cert` and `key`, made with
 * `Deno.connectTls`). A server can ask its clients for one and verify it
 * against `caCerts`: `verifyMode: "required"` (Python's
 * `ssl.CERT_REQUIRED`) refuses a client without a valid certificate,
 * `"optional"` (`ssl.CERT_OPTIONAL`) accepts one that sends none but
 * refuses one whose certificate does not verify. `Deno.listenTls` cannot
 * ask for client certificates, so such a server runs on Deno's `node:tls`;
 * without `verifyMode` it runs on `Deno.listenTls`, which is faster. A
 * client that fails verification never reaches the protocol factory; in
 * debug mode the loop's exception handler hears of it, as in asyncio.
 *
 * A TLS transport's `getExtraInfo()` reports `"tls"` (`true`),
 * `"alpnProtocol"` (the protocol ALPN chose, or `null`), `"peername"`,
 * `"sockname"`, and on the client side `"serverHostname"`. The transports
 * of a server with `verifyMode` also report asyncio's `"peercert"` (the
 * client's certificate as a {@linkcode PeerCertificate}, or `null`),
 * `"cipher"` ({@linkcode Cipher}), `"compression"` (`null`) and
 * `"sslObject"` ({@linkcode SSLObject}: `version()` and the rest); those of
 * a server without it report `"peercert"` as `null` (no certificate was
 * asked for) and not the others. A TLS client cannot report them: Deno's
 * `Deno.connectTls` and `Deno.startTls` expose none of them (the server's
 * certificate is verified, not shown), so `getExtraInfo()` gives the
 * default value, as for any name it does not know.
 *
 * asyncio: `ssl.SSLContext` (the parts Deno exposes):
 * `load_verify_locations(cadata=...)` is `caCerts`, `load_cert_chain()` is
 * `cert` and `key`, `set_alpn_protocols()` is `alpnProtocols`, and
 * `verify_mode` on a server is `verifyMode`.
 *
 * @example A server that requires client certificates
 * ```ts
 * import { getRunningLoop, Protocol, run, type TlsOptions } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // Deno.readTextFileSync("server.crt") and so on in a program:
 * // ctx.verify_mode = ssl.CERT_REQUIRED; ctx.load_verify_locations("ca.pem")
 * const server: TlsOptions = {
 *   cert: "<server PEM>",
 *   key: "<key PEM>",
 *   caCerts: ["<CA PEM>"],
 *   verifyMode: "required",
 * };
 * // A client presents its certificate with createConnection/openConnection.
 * const client: TlsOptions = { caCerts: ["<CA PEM>"], cert: "<PEM>", key: "<PEM>" };
 * assert.ok(server.verifyMode && client.cert);
 *
 * // verifyMode needs the CAs to verify clients with; this is refused
 * // before anything listens.
 * const error = await run(function* () {
 *   try {
 *     yield* getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", 0, {
 *       ssl: { cert: "<PEM>", key: "<PEM>", verifyMode: "required" },
 *     });
 *   } catch (error) {
 *     return error;
 *   }
 * }());
 * assert.ok(error instanceof TypeError);
 * assert.match(error.message, /needs 'ssl.caCerts'/);
 * ```
 */
export interface TlsOptions {
  /**
   * Extra trusted root certificates in PEM. On a client: besides the
   * system's, to verify the server with, for example a self-signed test
   * certificate. On a server: the CAs that client certificates must be
   * signed by, with `verifyMode` (given alone on a server, it throws).
   * Deno's TLS refuses a server certificate that is itself a CA certificate
   * (basicConstraints CA:TRUE, which a plain `openssl req -x509` makes) with
   * `CaUsedAsEndEntity`, where Python accepts it: make a self-signed test
   * certificate with CA:FALSE and the names it serves,
   * `openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem
   * -days 365 -subj "/CN=localhost" -addext
   * "basicConstraints=critical,CA:FALSE" -addext
   * "subjectAltName=DNS:localhost,IP:127.0.0.1"`, or sign a server
   * certificate with a CA and pass the CA here.
   *
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * ALPN protocols to offer (client) or accept (server).
   *
   * @default {undefined}
   */
  alpnProtocols?: string[];
  /**
   * The certificate chain in PEM: required for a server; for a client, the
   * certificate it presents to a server that asks for one (with `key`;
   * `createConnection` and `openConnection` only, not `startTls`).
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * The private key of `cert` in PEM: required for a server, and with a
   * client's `cert`.
   *
   * @default {undefined}
   */
  key?: string;
  /**
   * Server side: whether to ask clients for a certificate and verify it
   * against `caCerts` (Python's `SSLContext.verify_mode`). `"none"`
   * (`ssl.CERT_NONE`) asks for none; `"optional"` (`ssl.CERT_OPTIONAL`)
   * asks, accepts a client that sends none, and refuses one whose
   * certificate does not verify; `"required"` (`ssl.CERT_REQUIRED`) refuses
   * a client without a valid certificate. `"optional"` and `"required"`
   * need `caCerts` and serve on `node:tls`. Unlike OpenSSL, which sends an
   * alert, Deno's `node:tls` drops a client whose certificate does not
   * verify: with TLS 1.3 the client sees its connection end at its first
   * read. A client without a certificate gets the `certificate_required`
   * alert.
   *
   * Client side: only `"required"`, which is what a client always does;
   * `"none"` and `"optional"` throw.
   *
   * @default {"none" on a server, "required" on a client}
   */
  verifyMode?: "none" | "optional" | "required";
}

/**
 * Options of `loop.createConnection()`.
 *
 * asyncio: the keyword arguments of `loop.create_connection()`.
 */
export interface CreateConnectionOptions {
  /**
   * `true` or TLS settings to speak TLS over the connection. The handshake
   * completes before `createConnection` returns.
   *
   * @default {false}
   */
  ssl?: boolean | TlsOptions;
  /**
   * The name the server's certificate is checked against (and sent as SNI);
   * only with `ssl`.
   *
   * @default {the host}
   */
  serverHostname?: string;
  /**
   * Seconds the TLS handshake may take before the connection is closed and
   * `TimeoutError` is thrown; only with `ssl`.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
  /**
   * Restricts the addresses the host resolves to: `AF_INET`, `AF_INET6`,
   * or `AF_UNSPEC` for both (see `loop.getaddrinfo()`).
   *
   * @default {AF_UNSPEC}
   */
  family?: number;
  /**
   * The protocol the host is resolved for: 0 or `IPPROTO_TCP` (any other
   * makes resolution fail with `GaiError`, as asyncio's does).
   *
   * @default {0}
   */
  proto?: number;
  /**
   * `AI_*` flags for resolving the host, such as `AI_NUMERICHOST` (see
   * `loop.getaddrinfo()`).
   *
   * @default {0}
   */
  flags?: number;
  /**
   * Race the connection attempts (RFC 8305 "Happy Eyeballs"): when an
   * attempt has had no answer for this many seconds, the next address is
   * tried too, and the first to connect wins. Without it, the addresses are
   * tried one after the other. 0.25 is the RFC's recommended value.
   *
   * @default {undefined}
   */
  happyEyeballsDelay?: number;
  /**
   * Reorder the addresses so that the address families alternate, with
   * this many addresses of the first family first; 0 keeps the resolver's
   * order. With `happyEyeballsDelay` it defaults to 1.
   *
   * @default {0, or 1 with happyEyeballsDelay}
   */
  interleave?: number;
  /**
   * When every attempt fails, throw an `ExceptionGroup` of all their errors,
   * in the order the attempts started, instead of one error (the only one,
   * or the first if they all say the same, or an `Error` listing them).
   *
   * @default {false}
   */
  allErrors?: boolean;
  /**
   * Not supported: `Deno.connect` cannot bind the local end of a connection.
   * Passing it throws a `TypeError` rather than silently ignoring it.
   *
   * @default {undefined}
   */
  localAddr?: undefined;
  /**
   * Not supported: Deno gives no access to sockets or file descriptors.
   * Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  sock?: undefined;
}

/**
 * Options of `loop.createUnixConnection()`.
 *
 * asyncio: the keyword arguments of `loop.create_unix_connection()`.
 */
export interface CreateUnixConnectionOptions {
  /**
   * Not supported: Deno cannot speak TLS over a Unix socket
   * (`Deno.connectTls` and `Deno.startTls` take TCP only). `true` or TLS
   * settings throw a `TypeError`; `false` is the default.
   *
   * @default {false}
   */
  ssl?: false | null;
  /**
   * Only meaningful with `ssl`, which is not supported: passing it throws.
   *
   * @default {undefined}
   */
  serverHostname?: undefined;
  /**
   * Only meaningful with `ssl`, which is not supported: passing it throws.
   *
   * @default {undefined}
   */
  sslHandshakeTimeout?: undefined;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
  /**
   * Not supported: Deno gives no access to sockets or file descriptors.
   * Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  sock?: undefined;
}

/**
 * Options of `loop.createServer()`.
 *
 * asyncio: the keyword arguments of `loop.create_server()`.
 */
export interface CreateServerOptions {
  /**
   * TLS settings with the server's `cert` and `key` to serve TLS: a client's
   * protocol is made once its handshake is complete. With `verifyMode` and
   * `caCerts`, clients must present a certificate signed by one of the CAs
   * (see {@linkcode TlsOptions.verifyMode}).
   *
   * @default {undefined}
   */
  ssl?: TlsOptions;
  /**
   * Seconds a client's TLS handshake may take before its connection is
   * closed (it never reaches the protocol factory); only with `ssl`.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
  /**
   * The listen backlog: how many connections the kernel queues while they
   * wait to be accepted (`Deno.listen`'s `tcpBacklog`). The kernel may round
   * it up.
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Start accepting connections at once. With `false`, the server accepts
   * nothing until `server.startServing()` or `server.serveForever()`: no
   * protocol is made and no callback runs. Deno binds and listens in one
   * step, so unlike asyncio (which binds but calls `listen()` only when
   * serving starts) the port already takes connections: the kernel
   * completes their handshakes and queues them in the backlog, where they
   * wait, unanswered, for serving to start.
   *
   * @default {true}
   */
  startServing?: boolean;
  /**
   * Set `SO_REUSEPORT` (Linux) so several processes can listen on one port
   * and the kernel spreads connections over them. Deno gates it behind
   * `--unstable-net`; without that flag this option throws.
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * `SO_REUSEADDR`, so a restarted server can bind a port whose old
   * connections are still in `TIME_WAIT`. Deno always sets it on Unix-like
   * systems and never on Windows, so the other value throws there.
   *
   * @default {true on Unix-like systems, false on Windows}
   */
  reuseAddress?: boolean;
  /**
   * Turn TCP keep-alive probes on for every accepted connection
   * (`SO_KEEPALIVE`, through `Deno.TcpConn.setKeepAlive`). Not with `ssl`
   * (Deno's TLS connections have no `setKeepAlive`, so that throws) unless
   * it has `verifyMode`: that server runs on `node:tls`, which can.
   *
   * @default {false}
   */
  keepAlive?: boolean;
  /**
   * The address family to listen on: `AF_INET`, `AF_INET6`, or
   * `AF_UNSPEC` for both. It restricts what the hosts resolve to; with no
   * host it picks the wildcard address, `0.0.0.0` for `AF_INET` (and
   * `AF_UNSPEC`) or `::` for `AF_INET6` (see `loop.getaddrinfo()`).
   *
   * @default {AF_UNSPEC}
   */
  family?: number;
  /**
   * `AI_*` flags for resolving the hosts (see `loop.getaddrinfo()`).
   *
   * @default {AI_PASSIVE}
   */
  flags?: number;
  /**
   * Not supported: Deno gives no access to sockets or file descriptors.
   * Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  sock?: undefined;
}

/**
 * Options of `loop.createUnixServer()`. The socket file is removed when the
 * server closes (Deno does it when the listener closes, as asyncio 3.13's
 * `cleanup_socket=True`).
 *
 * asyncio: the keyword arguments of `loop.create_unix_server()`.
 */
export interface CreateUnixServerOptions {
  /**
   * Not supported: Deno cannot speak TLS over a Unix socket
   * (`Deno.listenTls` takes TCP only). Rather than serve plaintext to a
   * caller who asked for TLS, `true` or TLS settings throw a `TypeError`
   * before anything listens. Serve TLS over TCP with `createServer`.
   *
   * @default {undefined}
   */
  ssl?: false | null;
  /**
   * Only meaningful with `ssl`, which is not supported: passing it throws.
   *
   * @default {undefined}
   */
  sslHandshakeTimeout?: undefined;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
  /**
   * Not supported: Deno takes no backlog for a Unix socket listener (it
   * picks its own). Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  backlog?: undefined;
  /**
   * Start accepting connections at once; see
   * {@linkcode CreateServerOptions.startServing} for what `false` means
   * with Deno.
   *
   * @default {true}
   */
  startServing?: boolean;
  /**
   * Remove the socket file when the server closes. Deno always does, so
   * `false` throws.
   *
   * @default {true}
   */
  cleanupSocket?: true;
  /**
   * Not supported: Deno gives no access to sockets or file descriptors.
   * Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  sock?: undefined;
}

/** An address given to `createDatagramEndpoint` or `sendto`. */
export type DatagramAddress =
  | Deno.NetAddr
  | { hostname: string; port: number }
  | [
    string,
    number,
  ];

/**
 * Options of `loop.createDatagramEndpoint()`. At least one of `localAddr`
 * and `remoteAddr` is needed.
 *
 * asyncio: the keyword arguments of `loop.create_datagram_endpoint()`.
 */
export interface DatagramEndpointOptions {
  /**
   * Where to bind: `["127.0.0.1", 0]` picks a free port. Without it, the
   * endpoint binds an ephemeral port: on 127.0.0.1 (or ::1) when
   * `remoteAddr` is a loopback address, as a connected socket would be,
   * else on the wildcard address of its family, which `sockname` then
   * shows (Deno cannot connect a UDP socket, so the kernel picks the
   * source address of each datagram).
   *
   * @default {undefined}
   */
  localAddr?: DatagramAddress;
  /**
   * The default peer: `sendto(data)` without an address goes there, and
   * datagrams from anyone else are dropped.
   *
   * Unlike asyncio, the socket is not connected (neither `Deno.listenDatagram`
   * nor `node:dgram` can connect one in Deno 2.9), so a peer whose port is
   * closed is not reported: asyncio's `errorReceived(ConnectionRefusedError)`
   * cannot be had, and the datagrams are lost silently, as on any UDP path.
   *
   * @default {undefined}
   */
  remoteAddr?: DatagramAddress;
  /**
   * Allow sending to broadcast addresses. Without it a send to one fails
   * with `PermissionDenied` through `errorReceived()`, as the kernel's
   * `EACCES` does in asyncio. Under `--unstable-net`, `Deno.listenDatagram`
   * always allows broadcast, so the library refuses those sends itself: the
   * limited broadcast address and each local network's directed broadcast
   * address (listed with `Deno.networkInterfaces()`; without `--allow-sys`
   * the endpoint uses `node:dgram`, which honours the option).
   *
   * @default {false}
   */
  allowBroadcast?: boolean;
  /**
   * Not supported: Deno cannot set `SO_REUSEPORT` on a UDP socket (only
   * `SO_REUSEADDR`, which asyncio refuses as a security hole, see
   * `reuseAddress`). `true` throws a `TypeError`.
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Refused, as asyncio (3.8.1+) refuses it: `SO_REUSEADDR` on a UDP socket
   * lets any other process bind the same address and port and receive its
   * datagrams. `true` throws a `TypeError`.
   *
   * @default {false}
   */
  reuseAddress?: boolean;
  /**
   * Restricts the addresses `localAddr` and `remoteAddr` resolve to:
   * `AF_INET`, `AF_INET6`, or `AF_UNSPEC` for both (see
   * `loop.getaddrinfo()`).
   *
   * @default {AF_UNSPEC}
   */
  family?: number;
  /**
   * The protocol the addresses are resolved for: 0 or `IPPROTO_UDP`.
   *
   * @default {0}
   */
  proto?: number;
  /**
   * `AI_*` flags for resolving the addresses (see `loop.getaddrinfo()`).
   *
   * @default {0}
   */
  flags?: number;
  /**
   * Not supported: Deno gives no access to sockets or file descriptors.
   * Passing it throws a `TypeError`.
   *
   * @default {undefined}
   */
  sock?: undefined;
}

/**
 * Options of `loop.startTls()`.
 *
 * asyncio: the keyword arguments of `loop.start_tls()`.
 */
export interface StartTlsOptions {
  /**
   * Upgrade as the server. Deno can upgrade only the client side of a live
   * connection (`Deno.startTls`), so `true` throws.
   *
   * @default {false}
   */
  serverSide?: boolean;
  /**
   * The name the server's certificate is checked against.
   *
   * @default {the peer's address}
   */
  serverHostname?: string;
  /**
   * Seconds the TLS handshake may take before the connection is closed and
   * `TimeoutError` is thrown.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number;
  /**
   * Not supported: Deno closes a TLS connection without waiting for the
   * peer's `close_notify`, so there is no shutdown to time out. Passing it
   * throws a `TypeError`.
   *
   * @default {undefined}
   */
  sslShutdownTimeout?: undefined;
}

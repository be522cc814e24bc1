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
 * TLS settings, as Deno's TLS APIs take them. Certificates are always
 * verified: there is no option to turn the checks off.
 *
 * A client can present a certificate (`cert` and `key`, made with
 * `Deno.connectTls`); a server cannot ask for one or verify it, since
 * `Deno.listenTls` has no option for it, so `caCerts` on a server throws.
 *
 * A TLS transport's `getExtraInfo()` reports `"tls"` (`true`),
 * `"alpnProtocol"` (the protocol ALPN chose, or `null`), `"serverHostname"`
 * (client side), `"peername"`, `"sockname"`. Deno does not expose the
 * peer's certificate, the cipher, the TLS version or the SSL object, so
 * asyncio's `"peercert"`, `"cipher"`, `"compression"`, `"ssl_object"` and
 * `"sslcontext"` give the default value.
 *
 * asyncio: `ssl.SSLContext` (the parts Deno exposes).
 *
 * @example A client certificate; a server cannot ask for one
 * ```ts
 * import { getRunningLoop, Protocol, run, type TlsOptions } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // A client presents its certificate with createConnection/openConnection:
 * // Deno.readTextFileSync("client.crt") and so on in a program.
 * const client: TlsOptions = { caCerts: ["<ca PEM>"], cert: "<PEM>", key: "<PEM>" };
 * assert.ok(client.cert && client.key);
 *
 * // A server given CAs to verify its clients with refuses, before listening.
 * const error = await run(function* () {
 *   try {
 *     yield* getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", 0, {
 *       ssl: { cert: "<PEM>", key: "<PEM>", caCerts: ["<ca PEM>"] },
 *     });
 *   } catch (error) {
 *     return error;
 *   }
 * }());
 * assert.ok(error instanceof TypeError);
 * assert.match(error.message, /Deno.listenTls cannot do/);
 * ```
 */
export interface TlsOptions {
  /**
   * Extra trusted root certificates in PEM, besides the system's, to verify
   * the server with (client side), for example a self-signed test
   * certificate. Not on a server: it cannot verify clients. Deno's TLS
   * refuses a server certificate that is itself a CA certificate
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
   * protocol is made once its handshake is complete.
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
   * (`SO_KEEPALIVE`, through `Deno.TcpConn.setKeepAlive`). Not with `ssl`:
   * Deno's TLS connections have no `setKeepAlive`, so that throws.
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

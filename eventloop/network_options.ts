/**
 * The option bags of the loop's network methods: `createConnection`,
 * `createServer`, their Unix-socket forms, `createDatagramEndpoint` and
 * `startTls`.
 *
 * @module
 */

/**
 * TLS settings, as Deno's TLS APIs take them. Certificates are always
 * verified: there is no option to turn the checks off.
 *
 * asyncio: `ssl.SSLContext` (the parts Deno exposes).
 */
export interface TlsOptions {
  /**
   * Extra trusted root certificates in PEM, besides the system's (client
   * side), for example a self-signed test certificate. Deno's TLS refuses a
   * server certificate that is itself a CA certificate (basicConstraints
   * CA:TRUE, which a plain `openssl req -x509` makes) with
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
   * The certificate chain in PEM: required for a server.
   *
   * @default {undefined}
   */
  cert?: string;
  /**
   * The private key in PEM: required for a server.
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
   * Not supported: `Deno.connect` cannot bind the local end of a connection.
   * Passing it throws a `TypeError` rather than silently ignoring it.
   *
   * @default {undefined}
   */
  localAddr?: undefined;
}

/**
 * Options of `loop.createUnixConnection()`.
 *
 * asyncio: the keyword arguments of `loop.create_unix_connection()`.
 */
export interface CreateUnixConnectionOptions {
  /**
   * `true` or TLS settings: not supported over Unix sockets by Deno
   * (`Deno.startTls` takes TCP connections only); passing it throws.
   *
   * @default {false}
   */
  ssl?: false;
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
   * The listen backlog. Validated, but Deno does not let it be set: the
   * runtime picks its own.
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Start accepting connections at once; with `false`, call
   * `server.startServing()` or `server.serveForever()` later.
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
   * The listen backlog (validated; Deno picks its own).
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Start accepting connections at once.
   *
   * @default {true}
   */
  startServing?: boolean;
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
   * Allow sending to broadcast addresses.
   *
   * @default {false}
   */
  allowBroadcast?: boolean;
  /**
   * Let several endpoints bind the same address and port (`SO_REUSEPORT`).
   *
   * @default {false}
   */
  reusePort?: boolean;
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
   * `TimeoutError` is thrown; only with `ssl`.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number;
}

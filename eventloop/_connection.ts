// loop.createConnection / createUnixConnection: connect with Deno, then wrap
// the conn in a stream transport and wait for the protocol's connectionMade.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Transport } from "./transports.ts";
import type { Coroutine } from "./_coroutine.ts";
import type {
  CreateConnectionOptions,
  CreateUnixConnectionOptions,
  TlsOptions,
} from "./network_options.ts";
import { TimeoutError } from "./errors.ts";
import {
  checkHandshakeTimeout,
  checkPort,
  checkProtocolFactory,
  checkSsl,
  checkString,
  closeQuietly,
  ioAwait,
  makeProtocol,
} from "./_net.ts";
import { StreamTransport } from "./_stream_transport.ts";
import { describeValue } from "./_util.ts";
import { explainTlsError } from "./_tls_errors.ts";

const WHAT = "create connection";

/** Implements `loop.createConnection()`. */
export function* createConnection<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  host: string,
  port: number,
  options?: CreateConnectionOptions,
): Coroutine<[Transport, P]> {
  checkProtocolFactory(protocolFactory, WHAT);
  checkString(host, "host", WHAT);
  checkPort(port, WHAT, false);
  const tls = checkSsl(options?.ssl, WHAT);
  const serverHostname = options?.serverHostname;
  if (serverHostname !== undefined) {
    if (tls === null) {
      throw new TypeError(
        "Cannot create connection as 'serverHostname' is only meaningful with 'ssl'",
      );
    }
    checkString(serverHostname, "serverHostname", WHAT);
  }
  const handshakeTimeout = checkHandshakeTimeout(
    options?.sslHandshakeTimeout,
    tls !== null,
    WHAT,
  );
  if (options?.localAddr !== undefined) {
    throw new TypeError(
      `Cannot create connection as 'localAddr' is not supported: Deno.connect cannot bind the local end of a connection: received ${
        describeValue(options.localAddr)
      }`,
    );
  }
  const conn: Deno.TcpConn = yield* ioAwait(
    loop,
    () => Deno.connect({ hostname: host, port }),
    closeQuietly,
  );
  let extra: Record<string, unknown> = {};
  let finalConn: Deno.Conn = conn;
  let canWriteEof = true;
  if (tls !== null) {
    const name = serverHostname ?? host;
    const [tlsConn, info] = yield* upgrade(
      loop,
      conn,
      tls,
      name,
      handshakeTimeout,
    );
    finalConn = tlsConn;
    extra = info;
    canWriteEof = false;
  }
  return yield* wrap(loop, finalConn, protocolFactory, extra, canWriteEof);
}

/** Implements `loop.createUnixConnection()`. */
export function* createUnixConnection<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  path: string,
  options?: CreateUnixConnectionOptions,
): Coroutine<[Transport, P]> {
  const what = "create Unix connection";
  checkProtocolFactory(protocolFactory, what);
  checkString(path, "path", what);
  if (options?.ssl) {
    throw new TypeError(
      "Cannot create Unix connection as 'ssl' is not supported over Unix sockets by Deno: received true",
    );
  }
  const conn: Deno.UnixConn = yield* ioAwait(
    loop,
    () => Deno.connect({ transport: "unix", path }),
    closeQuietly,
  );
  return yield* wrap(loop, conn, protocolFactory, {}, true);
}

/**
 * Runs the TLS client handshake over a TCP conn; the conn is closed if it
 * fails or takes longer than `timeout` seconds (then a TimeoutError is
 * thrown). Returns the TLS conn and its extra info.
 */
export function* upgrade(
  loop: EventLoop,
  conn: Deno.TcpConn,
  tls: TlsOptions,
  serverHostname: string,
  timeout: number,
): Coroutine<[Deno.TlsConn, Record<string, unknown>]> {
  let tlsConn: Deno.TlsConn | null = null;
  let timedOut = false;
  const timer = loop.callLater(timeout, () => {
    timedOut = true;
    closeQuietly(tlsConn ?? conn);
  });
  try {
    tlsConn = yield* ioAwait(
      loop,
      () =>
        Deno.startTls(conn, {
          hostname: serverHostname,
          caCerts: tls.caCerts,
          alpnProtocols: tls.alpnProtocols,
        }),
      closeQuietly,
    );
    if (timedOut) closeQuietly(tlsConn);
    const established: Deno.TlsConn = tlsConn;
    const info: Deno.TlsHandshakeInfo = yield* ioAwait(
      loop,
      () => established.handshake(),
    );
    return [established, tlsExtra(info, serverHostname)];
  } catch (error) {
    closeQuietly(tlsConn ?? conn);
    if (timedOut) {
      throw new TimeoutError(
        `The TLS handshake with ${serverHostname} did not complete within ${timeout} seconds`,
      );
    }
    throw explainTlsError(error);
  } finally {
    timer.cancel();
  }
}

/** The extra info a TLS transport reports. */
export function tlsExtra(
  info: Deno.TlsHandshakeInfo,
  serverHostname: string | null,
): Record<string, unknown> {
  return {
    tls: true,
    alpnProtocol: info.alpnProtocol,
    serverHostname,
  };
}

/** Makes the protocol and transport, and waits for connectionMade. */
function* wrap<P extends BaseProtocol>(
  loop: EventLoop,
  conn: Deno.Conn,
  protocolFactory: () => P,
  extra: Record<string, unknown>,
  canWriteEof: boolean,
): Coroutine<[Transport, P]> {
  let protocol: P;
  try {
    protocol = makeProtocol(protocolFactory, WHAT);
  } catch (error) {
    closeQuietly(conn);
    throw error;
  }
  const waiter = loop.createFuture<void>();
  const transport = new StreamTransport(loop, conn, protocol, {
    waiter,
    extra,
    canWriteEof,
  });
  try {
    yield* waiter;
  } catch (error) {
    transport.close();
    throw error;
  }
  return [transport, protocol];
}

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
  formatAddr,
  ioAwait,
  makeProtocol,
  SHUTDOWN_TIMEOUT_WHY,
  SOCK_WHY,
} from "./_net.ts";
import { StreamTransport } from "./_stream_transport.ts";
import {
  clientCertOf,
  connectTlsWithCert,
  refuseClientVerifyMode,
} from "./_tls_client_cert.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";
import { explainTlsError } from "./_tls_errors.ts";
import {
  checkOptionNames,
  CREATE_CONNECTION_OPTIONS,
  CREATE_UNIX_CONNECTION_OPTIONS,
  refuse,
} from "./_options.ts";
import {
  checkResolveOptions,
  type Endpoint,
  resolveEndpoints,
} from "./_resolve.ts";
import { AF_UNSPEC, SOCK_STREAM } from "./dns.ts";
import {
  AllAttemptsFailed,
  connectFirst,
  interleave,
} from "./_happy_eyeballs.ts";
import { ExceptionGroup } from "./_exception_group.ts";

const WHAT = "create connection";

/** `happyEyeballsDelay`: a finite number of seconds, 0 or more. */
function checkHappyEyeballsDelay(value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot ${WHAT} as 'happyEyeballsDelay' must be a finite number of seconds, 0 or more: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** `interleave`: an integer, 0 or more. */
function checkInterleave(value: unknown, racing: boolean): number {
  // asyncio: happy_eyeballs_delay without interleave means interleave=1.
  if (value === undefined) return racing ? 1 : 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot ${WHAT} as 'interleave' must be an integer, 0 or more: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Deno's connect error for one address, with the address in the message
 * (as asyncio's "Connect call failed (host, port)") and the same class.
 */
function withAddress(error: unknown, endpoint: Endpoint): unknown {
  if (!(error instanceof Error) || error.name === "AbortError") return error;
  const message = `${error.message} (connecting to ${formatAddr(endpoint)})`;
  try {
    const Class = error.constructor as new (
      message: string,
      options?: ErrorOptions,
    ) => Error;
    const annotated = new Class(message, { cause: error });
    if (annotated instanceof Error && annotated.name === error.name) {
      return annotated;
    }
  } catch {
    // A class that cannot be made again: keep the original.
  }
  return error;
}

/** asyncio's error when every attempt failed. */
function failure(errors: unknown[], allErrors: boolean, host: string): unknown {
  if (allErrors) {
    return new ExceptionGroup(
      `Cannot create connection to ${
        JSON.stringify(host)
      }: every attempt failed`,
      errors,
    );
  }
  if (errors.length === 1) return errors[0];
  const text = (e: unknown) => e instanceof Error ? e.message : String(e);
  const model = text(errors[0]);
  if (errors.every((e) => text(e) === model)) return errors[0];
  return new Error(`Multiple exceptions: ${errors.map(text).join(", ")}`, {
    cause: new ExceptionGroup("create connection failed", errors),
  });
}

/** Implements `loop.createConnection()`. */
export function* createConnection<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  host: string,
  port: number,
  options?: CreateConnectionOptions,
): Coroutine<[Transport, P]> {
  checkLoopOpen(loop, "createConnection()");
  checkOptionNames(options, CREATE_CONNECTION_OPTIONS, WHAT);
  checkProtocolFactory(protocolFactory, WHAT);
  checkString(host, "host", WHAT);
  checkPort(port, WHAT, false);
  const tls = checkSsl(options?.ssl, WHAT);
  if (tls !== null) refuseClientVerifyMode(tls, WHAT);
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
  refuse(
    options?.sslShutdownTimeout,
    [],
    "sslShutdownTimeout",
    WHAT,
    SHUTDOWN_TIMEOUT_WHY,
  );
  if (options?.localAddr !== undefined) {
    throw new TypeError(
      `Cannot create connection as 'localAddr' is not supported: Deno.connect cannot bind the local end of a connection: received ${
        describeValue(options.localAddr)
      }`,
    );
  }
  refuse(options?.sock, [], "sock", WHAT, SOCK_WHY);
  const resolveOptions = checkResolveOptions({
    family: options?.family,
    type: SOCK_STREAM,
    proto: options?.proto,
    flags: options?.flags,
  }, WHAT);
  const delay = checkHappyEyeballsDelay(options?.happyEyeballsDelay);
  const interleaveCount = checkInterleave(options?.interleave, delay !== null);
  const allErrors = options?.allErrors ?? false;
  if (typeof allErrors !== "boolean") {
    throw new TypeError(
      `Cannot create connection as 'allErrors' must be a boolean: received ${
        describeValue(allErrors)
      }`,
    );
  }

  /** The first option given that works address by address, if any. */
  const perAddressOption = (): string | null => {
    if (options?.interleave !== undefined) return "interleave";
    if (allErrors) return "allErrors";
    if (resolveOptions.family !== AF_UNSPEC) return "family";
    if (resolveOptions.proto !== 0) return "proto";
    if (resolveOptions.flags !== 0) return "flags";
    return null;
  };
  const clientCert = tls === null ? null : clientCertOf(tls, WHAT);
  if (clientCert !== null) {
    if (serverHostname !== undefined && serverHostname !== host) {
      throw new TypeError(
        `Cannot create connection as 'serverHostname' must be the host with a client certificate (Deno.connectTls checks the certificate against the host it connects to): received ${
          describeValue(serverHostname)
        } for host ${describeValue(host)}`,
      );
    }
    // Deno.connectTls resolves the host and connects by itself: what picks
    // or races addresses one by one cannot be passed to it.
    const name = perAddressOption();
    if (name !== null) {
      throw new TypeError(
        `Cannot create connection with a client certificate and '${name}': Deno.connectTls, the only way Deno presents a client certificate, resolves and connects by itself`,
      );
    }
    const [tlsConn, info] = yield* connectTlsWithCert(
      loop,
      host,
      port,
      tls!,
      clientCert,
      handshakeTimeout,
      delay,
    );
    return yield* wrap(loop, tlsConn, protocolFactory, info, false);
  }

  const endpoints = yield* resolveEndpoints(loop, host, port, resolveOptions);
  let conn: Deno.TcpConn;
  if (endpoints === null) {
    // Deno grants the name only: Deno.connect must resolve it and pick the
    // address, racing them itself when asked to.
    const name = perAddressOption();
    if (name !== null) {
      throw new Deno.errors.NotCapable(
        `Cannot create connection with '${name}' as Deno grants net access to "${host}" by name only: connecting to each of its addresses needs --allow-net for the addresses too`,
      );
    }
    conn = yield* ioAwait(
      loop,
      () =>
        Deno.connect(
          delay === null ? { hostname: host, port } : {
            hostname: host,
            port,
            autoSelectFamily: true,
            autoSelectFamilyAttemptDelay: Math.round(delay * 1000),
          },
        ),
      closeQuietly,
    );
  } else {
    const ordered = interleaveCount > 0
      ? interleave(endpoints, interleaveCount)
      : endpoints;
    try {
      conn = yield* connectFirst(
        loop,
        ordered,
        delay,
        (endpoint, signal) =>
          Deno.connect({
            hostname: endpoint.hostname,
            port: endpoint.port,
            signal,
          })
            .catch((error) => {
              throw withAddress(error, endpoint);
            }),
      );
    } catch (error) {
      if (!(error instanceof AllAttemptsFailed)) throw error;
      throw failure(error.errors, allErrors, host);
    }
  }
  let extra: Record<string, unknown> = {};
  let finalConn: Deno.Conn = conn;
  let canWriteEof = true;
  if (tls !== null) {
    // TCP_NODELAY as on every TCP transport (asyncio sets it on the socket
    // under its TLS transport too): set now, since Deno's TLS conn has no
    // setNoDelay(), and the socket keeps it through the handshake. A conn
    // that fails to set it is broken, and the handshake reports that.
    try {
      conn.setNoDelay(true);
    } catch {
      // Reported by the handshake.
    }
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
  checkLoopOpen(loop, "createUnixConnection()");
  checkOptionNames(options, CREATE_UNIX_CONNECTION_OPTIONS, what);
  checkProtocolFactory(protocolFactory, what);
  checkString(path, "path", what);
  checkUnixTls(options, what);
  refuse(options?.sock, [], "sock", what, SOCK_WHY);
  const conn: Deno.UnixConn = yield* ioAwait(
    loop,
    () => Deno.connect({ transport: "unix", path }),
    closeQuietly,
  );
  return yield* wrap(loop, conn, protocolFactory, {}, true);
}

/**
 * Refuses TLS over a Unix socket, and the options that only make sense
 * with it: Deno's TLS APIs take TCP only, and a caller who asked for TLS
 * must not get plaintext.
 */
export function checkUnixTls(
  options:
    | {
      ssl?: unknown;
      serverHostname?: unknown;
      sslHandshakeTimeout?: unknown;
      sslShutdownTimeout?: unknown;
    }
    | undefined,
  what: string,
): void {
  const ssl = options?.ssl;
  if (ssl !== undefined && ssl !== null && ssl !== false) {
    throw new TypeError(
      `Cannot ${what} as 'ssl' is not supported over Unix sockets: Deno can speak TLS over TCP only (Deno.connectTls, Deno.listenTls and Deno.startTls take TCP connections); use a TCP connection for TLS: received ${
        describeValue(ssl)
      }`,
    );
  }
  for (const name of ["serverHostname", "sslHandshakeTimeout"] as const) {
    if (options?.[name] !== undefined) {
      throw new TypeError(
        `Cannot ${what} as '${name}' is only meaningful with 'ssl', which Unix sockets do not support: received ${
          describeValue(options[name])
        }`,
      );
    }
  }
  refuse(
    options?.sslShutdownTimeout,
    [],
    "sslShutdownTimeout",
    what,
    SHUTDOWN_TIMEOUT_WHY,
  );
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

// loop.startTls: upgrade a live TCP stream transport to TLS (client side).

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol } from "./protocols.ts";
import type { Transport } from "./transports.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { StartTlsOptions, TlsOptions } from "./network_options.ts";
import {
  checkHandshakeTimeout,
  checkSsl,
  checkString,
  ioAwait,
  SHUTDOWN_TIMEOUT_WHY,
} from "./_net.ts";
import { checkOptionNames, refuse, START_TLS_OPTIONS } from "./_options.ts";
import {
  refuseClientCertOnUpgrade,
  refuseClientVerifyMode,
} from "./_tls_client_cert.ts";
import { StreamTransport } from "./_stream_transport.ts";
import { upgrade } from "./_connection.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";

const WHAT = "start TLS";

/** Implements `loop.startTls()`. */
export function* startTls(
  loop: EventLoop,
  transport: Transport,
  protocol: BaseProtocol,
  tlsOptions: TlsOptions | true,
  options?: StartTlsOptions,
): Coroutine<Transport> {
  checkLoopOpen(loop, "startTls()");
  checkOptionNames(options, START_TLS_OPTIONS, WHAT);
  if (!(transport instanceof StreamTransport)) {
    throw new TypeError(
      `Cannot start TLS as 'transport' must be a TCP transport made by this module: received ${
        describeValue(transport)
      }`,
    );
  }
  if (typeof protocol !== "object" || protocol === null) {
    throw new TypeError(
      `Cannot start TLS as 'protocol' must be a protocol object: received ${
        describeValue(protocol)
      }`,
    );
  }
  const tls = checkSsl(tlsOptions, WHAT, "tlsOptions");
  if (tls === null) {
    throw new TypeError(
      `Cannot start TLS as 'tlsOptions' must be true or TLS options: received ${
        describeValue(tlsOptions)
      }`,
    );
  }
  if (
    options?.serverSide !== undefined && typeof options.serverSide !== "boolean"
  ) {
    throw new TypeError(
      `Cannot start TLS as 'serverSide' must be a boolean: received ${
        describeValue(options.serverSide)
      }`,
    );
  }
  if (options?.serverSide) {
    throw new TypeError(
      "Cannot start TLS as 'serverSide' is not supported: Deno.startTls upgrades only the client side of a connection",
    );
  }
  refuseClientCertOnUpgrade(tls, WHAT);
  refuseClientVerifyMode(tls, WHAT, "tlsOptions");
  const handshakeTimeout = checkHandshakeTimeout(
    options?.sslHandshakeTimeout,
    true,
    WHAT,
  );
  refuse(
    options?.sslShutdownTimeout,
    [],
    "sslShutdownTimeout",
    WHAT,
    SHUTDOWN_TIMEOUT_WHY,
  );
  if (transport.getExtraInfo("tls") === true) {
    throw new TypeError(
      "Cannot start TLS as 'transport' already speaks TLS",
    );
  }
  const peer = transport.getExtraInfo("peername") as Deno.Addr;
  if (peer.transport !== "tcp") {
    throw new TypeError(
      `Cannot start TLS as Deno.startTls takes TCP connections only: received a ${peer.transport} transport`,
    );
  }
  const serverHostname = options?.serverHostname === undefined
    ? peer.hostname
    : checkString(options.serverHostname, "serverHostname", WHAT);
  const conn = (yield* ioAwait(
    loop,
    () => transport._detach(),
    () => transport._detachFailed(new Error("startTls() was cancelled")),
  )) as Deno.TcpConn;
  let tlsConn: Deno.TlsConn;
  let extra: Record<string, unknown>;
  try {
    [tlsConn, extra] = yield* upgrade(
      loop,
      conn,
      tls,
      serverHostname,
      handshakeTimeout,
    );
  } catch (error) {
    transport._detachFailed(
      error instanceof Error ? error : new Error(String(error)),
    );
    throw error;
  }
  const waiter = loop.createFuture<void>();
  const upgraded = new StreamTransport(loop, tlsConn, protocol, {
    waiter,
    extra,
    canWriteEof: false,
    connectionMadeAlready: true,
  });
  yield* waiter;
  return upgraded;
}

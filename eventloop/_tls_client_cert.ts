// TLS client certificates: what Deno offers and what it does not.
// - A client presents a certificate only through Deno.connectTls (cert, key):
//   Deno.startTls takes none, so a connection that needs one is made with
//   connectTls, and loop.startTls() refuses one.
// - A server asks for and verifies client certificates (`verifyMode`,
//   against `caCerts`) only on node:tls (Deno.listenTls cannot), so such a
//   server is served by _node_tls_server.ts.
// - A client always verifies the server: `verifyMode` other than
//   "required" is refused on a client.

import type { EventLoop } from "./event_loop.ts";
import type { Coroutine } from "./_coroutine.ts";
import type { TlsOptions } from "./network_options.ts";
import { TimeoutError } from "./errors.ts";
import { closeQuietly, ioAwait } from "./_net.ts";
import { explainTlsError } from "./_tls_errors.ts";

/** The client certificate and key of `tls`, or `null` if it has none. */
export function clientCertOf(
  tls: TlsOptions,
  what: string,
): { cert: string; key: string } | null {
  const { cert, key } = tls;
  if (cert === undefined && key === undefined) return null;
  if (cert === undefined || key === undefined) {
    throw new TypeError(
      `Cannot ${what} as 'ssl' must have both 'cert' and 'key' for a client certificate: received only '${
        cert === undefined ? "key" : "cert"
      }'`,
    );
  }
  return { cert, key };
}

/**
 * How a server treats client certificates (Python's `verify_mode`):
 * "none" (the default, served by Deno.listenTls), or "optional"/"required"
 * (served by node:tls), which need `caCerts` to verify against. `caCerts`
 * alone is refused rather than read as a wish to verify.
 */
export function serverVerifyMode(
  tls: TlsOptions,
  what: string,
): "none" | "optional" | "required" {
  const mode = tls.verifyMode ?? "none";
  if (mode === "none" && tls.caCerts !== undefined) {
    throw new TypeError(
      `Cannot ${what} as 'ssl.caCerts' on a server are the CAs to verify client certificates with: give 'ssl.verifyMode' ("required" or "optional") too, or leave 'caCerts' out (asyncio: SSLContext.verify_mode with load_verify_locations)`,
    );
  }
  if (
    mode !== "none" && (tls.caCerts === undefined || tls.caCerts.length === 0)
  ) {
    throw new TypeError(
      `Cannot ${what} as 'ssl.verifyMode' "${mode}" needs 'ssl.caCerts': the CAs (PEM) to verify client certificates with`,
    );
  }
  return mode;
}

/** Throws for a `verifyMode` a client cannot honour. */
export function refuseClientVerifyMode(
  tls: TlsOptions,
  what: string,
  name = "ssl",
): void {
  if (tls.verifyMode === undefined || tls.verifyMode === "required") return;
  throw new TypeError(
    `Cannot ${what} as '${name}.verifyMode' "${tls.verifyMode}" is not supported on a client: Deno always verifies the server's certificate (against the system's roots and '${name}.caCerts')`,
  );
}

/** Throws if `tls` has a client certificate, which Deno.startTls cannot send. */
export function refuseClientCertOnUpgrade(tls: TlsOptions, what: string): void {
  if (tls.cert !== undefined || tls.key !== undefined) {
    throw new TypeError(
      `Cannot ${what} with a client certificate ('ssl.cert', 'ssl.key'): Deno.startTls cannot present one; connect with loop.createConnection(..., { ssl }) instead`,
    );
  }
}

/**
 * Connects over TLS presenting a client certificate. Deno.connectTls checks
 * the server's certificate against the host it connects to, so a different
 * `serverHostname` cannot be honoured (the caller refuses it), nor can the
 * options that pick addresses one by one; `happyEyeballsDelay` becomes
 * Deno's own racing. The whole connect and handshake must finish within
 * `timeout` seconds.
 */
export function* connectTlsWithCert(
  loop: EventLoop,
  host: string,
  port: number,
  tls: TlsOptions,
  pair: { cert: string; key: string },
  timeout: number,
  happyEyeballsDelay: number | null,
): Coroutine<[Deno.TlsConn, Record<string, unknown>]> {
  let conn: Deno.TlsConn | null = null;
  let timedOut = false;
  const timer = loop.callLater(timeout, () => {
    timedOut = true;
    if (conn !== null) closeQuietly(conn);
  });
  try {
    conn = yield* ioAwait(
      loop,
      () =>
        Deno.connectTls({
          hostname: host,
          port,
          caCerts: tls.caCerts,
          alpnProtocols: tls.alpnProtocols,
          cert: pair.cert,
          key: pair.key,
          // Deno races the host's addresses itself (Happy Eyeballs).
          ...(happyEyeballsDelay === null ? {} : {
            autoSelectFamily: true,
            autoSelectFamilyAttemptDelay: Math.round(happyEyeballsDelay * 1000),
          }),
        }),
      closeQuietly,
    );
    if (timedOut) closeQuietly(conn);
    const established: Deno.TlsConn = conn;
    const info: Deno.TlsHandshakeInfo = yield* ioAwait(
      loop,
      () => established.handshake(),
    );
    // The same extra info as a TLS connection without a certificate.
    return [established, {
      tls: true,
      alpnProtocol: info.alpnProtocol,
      serverHostname: host,
    }];
  } catch (error) {
    if (conn !== null) closeQuietly(conn);
    if (timedOut) {
      throw new TimeoutError(
        `The TLS handshake with ${host} did not complete within ${timeout} seconds`,
      );
    }
    throw explainTlsError(error);
  } finally {
    timer.cancel();
  }
}

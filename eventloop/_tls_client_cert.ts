// TLS client certificates: what Deno offers and what it does not.
// - A client presents a certificate only through Deno.connectTls (cert, key):
//   Deno.startTls takes none, so a connection that needs one is made with
//   connectTls, and loop.startTls() refuses one.
// - A server cannot ask for, nor verify, a client's certificate:
//   Deno.listenTls has no option for it, so `caCerts` (the CAs a Python
//   server context would verify clients against) is refused on a server.

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

/** Throws for what a Deno TLS server cannot do. */
export function refuseClientVerification(tls: TlsOptions, what: string): void {
  if (tls.caCerts !== undefined) {
    throw new TypeError(
      `Cannot ${what} as 'ssl.caCerts' would verify client certificates, which Deno.listenTls cannot do: it neither requests nor checks a client certificate`,
    );
  }
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

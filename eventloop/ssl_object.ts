/**
 * {@linkcode SSLObject}, {@linkcode PeerCertificate} and {@linkcode Cipher}:
 * the TLS details a transport reports through `getExtraInfo()` where Deno
 * exposes them.
 *
 * Which transports report what:
 *
 * | `getExtraInfo(name)`                | server that verifies clients (`ssl.verifyMode`) | other TLS server        | TLS client  |
 * | ----------------------------------- | ----------------------------------------------- | ----------------------- | ----------- |
 * | `"tls"`, `"alpnProtocol"`           | yes                                             | yes                     | yes         |
 * | `"serverHostname"`                  | –                                               | –                       | yes         |
 * | `"peercert"`                        | the client's certificate, or `null`             | `null` (none was asked) | `undefined` |
 * | `"cipher"`, `"compression"`         | yes                                             | `undefined`             | `undefined` |
 * | `"sslObject"` ({@linkcode SSLObject}) | yes                                           | `undefined`             | `undefined` |
 *
 * A server that verifies client certificates runs on `node:tls`, which
 * reports the certificate, cipher and protocol version; `Deno.listenTls`,
 * `Deno.connectTls` and `Deno.startTls` report only the ALPN protocol. A
 * name that a transport cannot report gives `getExtraInfo()`'s default
 * value, as asyncio does for a name it does not know.
 *
 * @module
 */

/**
 * A distinguished name (a certificate's subject or issuer) as Python's
 * `getpeercert()` gives it, with arrays for tuples: its relative
 * distinguished names in order, each a list of `[attribute, value]` pairs,
 * attributes by OpenSSL's long names (`"commonName"`, `"organizationName"`,
 * `"countryName"`, ...; one outside the common ones by its dotted OID).
 */
export type DistinguishedName = readonly (readonly (readonly [
  string,
  string,
])[])[];

/**
 * One subject alternative name, as Python gives it: `["DNS", name]`,
 * `["IP Address", address]` (IPv6 as eight uppercase hex groups),
 * `["email", address]`, `["URI", uri]`, `["Registered ID", oid]` or
 * `["DirName", name]`; other forms as `["othername", "<unsupported>"]`,
 * `["X400Name", "<unsupported>"]`, `["EdiPartyName", "<unsupported>"]`.
 */
export type SubjectAltName = readonly [string, string | DistinguishedName];

/**
 * A peer's certificate as Python's `SSLSocket.getpeercert()` returns it
 * (the value of asyncio's `get_extra_info("peercert")`), with arrays for
 * tuples. The keys that Python omits when the certificate lacks the
 * extension are absent here too. Frozen.
 */
export interface PeerCertificate {
  /** Whom the certificate names. */
  readonly subject: DistinguishedName;
  /** Who signed it. */
  readonly issuer: DistinguishedName;
  /** The X.509 version: 3 for a v3 certificate. */
  readonly version: number;
  /** The serial number in uppercase hex, two digits per byte. */
  readonly serialNumber: string;
  /** Start of validity, as OpenSSL prints it: `"Jun  1 12:00:00 2030 GMT"`. */
  readonly notBefore: string;
  /** End of validity, in the same form. */
  readonly notAfter: string;
  /** The subjectAltName extension's names. */
  readonly subjectAltName?: readonly SubjectAltName[];
  /** OCSP responder URIs (Authority Information Access). */
  readonly OCSP?: readonly string[];
  /** CA issuer URIs (Authority Information Access). */
  readonly caIssuers?: readonly string[];
  /** CRL distribution point URIs. */
  readonly crlDistributionPoints?: readonly string[];
}

/**
 * The cipher a TLS connection uses, as Python's `SSLSocket.cipher()` gives
 * it: `[name, protocol, secretBits]`, for example
 * `["TLS_AES_256_GCM_SHA384", "TLSv1.3", 256]`. The name is OpenSSL's
 * (`"ECDHE-ECDSA-AES128-GCM-SHA256"` for a TLS 1.2 suite); the bits are
 * derived from the name (AES-128: 128, AES-256 and ChaCha20: 256, the
 * suites Deno's TLS offers), `null` for a name of another kind.
 */
export type Cipher = readonly [
  name: string,
  protocol: string,
  secretBits: number | null,
];

/**
 * The TLS state of a connection, as much of Python's `ssl.SSLObject` as
 * Deno's `node:tls` exposes: what asyncio's
 * `transport.get_extra_info("ssl_object")` gives, read-only. Reading and
 * writing go through the transport, not through this object.
 *
 * Only the transports of a server that verifies client certificates
 * (`ssl.verifyMode`) report one, as `getExtraInfo("sslObject")`.
 *
 * asyncio: `ssl.SSLObject` (`version()`, `cipher()`, `getpeercert()`,
 * `selected_alpn_protocol()`, `compression()`, `server_side`,
 * `server_hostname`).
 *
 * @example What a verifying server reports about its client
 * ```ts
 * import {
 *   type Cipher,
 *   getRunningLoop,
 *   type PeerCertificate,
 *   Protocol,
 *   run,
 *   type SSLObject,
 *   type Transport,
 * } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // In connectionMade(transport) of a server made with
 * // ssl: { cert, key, caCerts, verifyMode: "required" }:
 * function describe(transport: Transport): string {
 *   const ssl = transport.getExtraInfo("sslObject") as SSLObject | undefined;
 *   if (ssl === undefined) return "no TLS details";
 *   const cert = transport.getExtraInfo("peercert") as PeerCertificate | null;
 *   const [cipher] = transport.getExtraInfo("cipher") as Cipher;
 *   const cn = cert?.subject.flat().find(([k]) => k === "commonName")?.[1];
 *   return `${cn} over ${ssl.version()} with ${cipher}`;
 * }
 *
 * // A transport that cannot report them gives the default value.
 * const seen = await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* loop.createServer(() => new Protocol(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [transport] = yield* loop.createConnection(() => new Protocol(), "127.0.0.1", port);
 *   const seen = [describe(transport), transport.getExtraInfo("peercert", "none")];
 *   transport.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
 *   return seen;
 * }());
 * assert.deepEqual(seen, ["no TLS details", "none"]);
 * ```
 */
export interface SSLObject {
  /** Always `true`: only a server's transports have one. */
  readonly serverSide: boolean;
  /** The server's name; `null` on the server side, as in Python. */
  readonly serverHostname: string | null;
  /**
   * The protocol version.
   *
   * @returns `"TLSv1.3"` or `"TLSv1.2"`.
   */
  version(): string;
  /**
   * The cipher in use.
   *
   * @returns `[name, protocol, secretBits]`.
   */
  cipher(): Cipher;
  /**
   * The peer's certificate.
   *
   * @param binaryForm `true` for the DER bytes instead of the decoded form.
   * @returns The certificate, or `null` if the peer sent none.
   */
  getpeercert(binaryForm?: false): PeerCertificate | null;
  /**
   * The peer's certificate as DER bytes.
   *
   * @param binaryForm `true`.
   * @returns A copy of the DER bytes, or `null` if the peer sent none.
   */
  getpeercert(binaryForm: true): Uint8Array | null;
  /**
   * The protocol ALPN chose.
   *
   * @returns Its name, or `null` if none was agreed.
   */
  selectedAlpnProtocol(): string | null;
  /**
   * The compression in use: never any (Deno's TLS does not compress).
   *
   * @returns `null`.
   */
  compression(): null;
}

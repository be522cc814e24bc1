// TLS errors from Deno (rustls) that need a word of explanation.

/** The documented way to make a self-signed test certificate that works. */
export const TEST_CERTIFICATE_RECIPE =
  `openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 -subj "/CN=localhost" -addext "basicConstraints=critical,CA:FALSE" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"`;

/**
 * The client handshake's error, explained where Deno's message is cryptic:
 * a server certificate that is a CA certificate (basicConstraints CA:TRUE,
 * which a plain `openssl req -x509` makes) fails with `CaUsedAsEndEntity`,
 * though Python's ssl accepts it. The error keeps its class, with Deno's
 * error as its `cause`.
 */
export function explainTlsError(error: unknown): unknown {
  if (
    error instanceof Deno.errors.InvalidData &&
    error.message.includes("CaUsedAsEndEntity")
  ) {
    return new Deno.errors.InvalidData(
      `${error.message}: the server's certificate is a CA certificate (basicConstraints CA:TRUE, which a plain 'openssl req -x509' makes), and Deno's TLS refuses a CA certificate as a server's own. Make a self-signed test certificate with CA:FALSE and the names it serves: ${TEST_CERTIFICATE_RECIPE}; or sign a server certificate with your CA and pass the CA in 'caCerts'`,
      { cause: error },
    );
  }
  return error;
}

// Self-signed test certificates made with openssl, as users make them: a
// plain `openssl req -x509` makes a CA certificate, which Deno's TLS refuses
// as a server's own (`CaUsedAsEndEntity`); the error says how to make one
// that works, and the recipe the docs give does work.

import assert from "node:assert/strict";
import { getRunningLoop, Protocol, run } from "../../eventloop/mod.ts";
import { TEST_CERTIFICATE_RECIPE } from "../../eventloop/_tls_errors.ts";
import { peerTest } from "../_peers.ts";

/** Runs `openssl req -x509 ...` in a temp dir; returns [cert, key]. */
async function makeCertificate(extra: string[]): Promise<[string, string]> {
  const dir = await Deno.makeTempDir();
  try {
    const result = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        ...extra,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    return [
      await Deno.readTextFile(`${dir}/cert.pem`),
      await Deno.readTextFile(`${dir}/key.pem`),
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The extra arguments of the documented recipe, parsed from it. */
function recipeExtras(): string[] {
  const extras = [...TEST_CERTIFICATE_RECIPE.matchAll(/-addext "([^"]+)"/g)];
  assert.equal(extras.length, 2);
  return extras.flatMap((match) => ["-addext", match[1]]);
}

/** Serves TLS with `cert`/`key`; connects trusting `cert` itself. */
function connectTrusting(cert: string, key: string): Promise<unknown> {
  return run(function* () {
    const loop = getRunningLoop();
    const server = yield* loop.createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
      { ssl: { cert, key } },
    );
    const { port } = server.sockets[0].addr as Deno.NetAddr;
    try {
      const [transport] = yield* loop.createConnection(
        () => new Protocol(),
        "localhost",
        port,
        { ssl: { caCerts: [cert] } },
      );
      transport.close();
      return null;
    } catch (error) {
      return error;
    } finally {
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    }
  }());
}

peerTest(
  "caCerts with a plain `openssl req -x509` certificate: the error says it is a CA certificate and how to make a test certificate that works",
  ["openssl"],
  async () => {
    const [cert, key] = await makeCertificate([
      "-addext",
      "subjectAltName=DNS:localhost",
    ]);
    const error = await connectTrusting(cert, key);
    assert.ok(error instanceof Deno.errors.InvalidData, `got ${error}`);
    assert.match(error.message, /CaUsedAsEndEntity/);
    assert.match(error.message, /CA:TRUE, which a plain 'openssl req -x509'/);
    assert.ok(error.message.includes(TEST_CERTIFICATE_RECIPE));
    assert.ok(error.cause instanceof Deno.errors.InvalidData);
  },
);

peerTest(
  "caCerts with a self-signed certificate made by the documented openssl recipe: createConnection trusts it",
  ["openssl"],
  async () => {
    const [cert, key] = await makeCertificate(recipeExtras());
    assert.equal(await connectTrusting(cert, key), null);
  },
);

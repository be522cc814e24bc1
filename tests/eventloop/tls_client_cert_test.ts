// TLS client certificates: certificates made by openssl when the tests run,
// a python3 `ssl` server that requires a client certificate (CERT_REQUIRED),
// and the refusals where Deno cannot do what asyncio's ssl module can.
import assert from "node:assert/strict";
import {
  getRunningLoop,
  isOSError,
  Protocol,
  run,
} from "../../eventloop/mod.ts";
import { openConnection } from "../../streams/mod.ts";
import { type Certs, makeCerts } from "./_tls_fixtures.ts";

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

/**
 * A python3 ssl server that requires a client certificate signed by the CA,
 * serves one connection, answers "hello <client CN> <alpn>" and reports the
 * client's CN or its failure on stdout.
 */
async function pythonServer(certs: Certs, alpn: string[] = []) {
  const script = `
import socket, ssl, sys
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server.key")
ctx.load_verify_locations(sys.argv[1] + "/ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
alpn = [p for p in sys.argv[2].split(",") if p]
if alpn:
    ctx.set_alpn_protocols(alpn)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
try:
    t = ctx.wrap_socket(c, server_side=True)
    cn = dict(x[0] for x in t.getpeercert()["subject"])["commonName"]
    print("client", cn, flush=True)
    t.sendall(f"hello {cn} {t.selected_alpn_protocol()}\\n".encode())
    t.close()
except ssl.SSLError as e:
    print("refused", e.reason, flush=True)
    c.close()
`;
  const child = new Deno.Command("python3", {
    args: ["-c", script, certs.dir, alpn.join(",")],
    stdout: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const next = async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) return buffered;
      buffered += value;
    }
    const i = buffered.indexOf("\n");
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    return line;
  };
  const port = Number(await next());
  return {
    port,
    next,
    async end() {
      await lines.cancel();
      assert.equal((await child.status).code, 0);
    },
  };
}

test("openConnection() presents a client certificate made by openssl to a python3 server that requires one", async () => {
  const certs = await makeCerts();
  try {
    for (const host of ["127.0.0.1", "localhost"]) {
      const server = await pythonServer(certs, ["x-other", "x-test"]);
      const [line, extra] = await run(function* () {
        const [reader, writer] = yield* openConnection(host, server.port, {
          ssl: {
            caCerts: [certs.ca],
            cert: certs.clientCert,
            key: certs.clientKey,
            alpnProtocols: ["x-test"],
          },
          // By name, Deno races the addresses itself (passed on).
          happyEyeballsDelay: host === "localhost" ? 0.25 : undefined,
        });
        const line = new TextDecoder().decode(yield* reader.readLine());
        const extra = Object.fromEntries(
          ["tls", "alpnProtocol", "serverHostname", "peercert", "cipher"].map(
            (name) => [name, writer.getExtraInfo(name, "absent")],
          ),
        );
        writer.close();
        yield* writer.waitClosed();
        return [line, extra];
      }());
      assert.equal(line, "hello deno client x-test\n");
      assert.equal(await server.next(), "client deno client");
      assert.deepEqual(extra, {
        tls: true,
        alpnProtocol: "x-test",
        serverHostname: host,
        peercert: "absent", // Deno does not expose these
        cipher: "absent",
      });
      await server.end();
    }
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

test("loop.createConnection() without a client certificate: the python3 server refuses the handshake and the client sees why", async () => {
  const certs = await makeCerts();
  try {
    const server = await pythonServer(certs);
    const error = await run(function* () {
      try {
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          server.port,
          {
            ssl: { caCerts: [certs.ca] },
          },
        );
        try {
          // TLS 1.3: the client's side of the handshake is done before the
          // server checks; its refusal arrives with the first read.
          yield* reader.readLine();
        } finally {
          writer.close();
        }
      } catch (error) {
        return error;
      }
    }());
    assert.equal(
      await server.next(),
      "refused PEER_DID_NOT_RETURN_A_CERTIFICATE",
    );
    assert.ok(isOSError(error), String(error));
    assert.match(String(error), /CertificateRequired|certificate required/i);
    await server.end();
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

test("loop.createConnection() with a certificate from a CA the server does not trust is refused", async () => {
  const certs = await makeCerts();
  try {
    const server = await pythonServer(certs);
    const error = await run(function* () {
      try {
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          server.port,
          {
            ssl: {
              caCerts: [certs.ca],
              cert: certs.strangerCert,
              key: certs.strangerKey,
            },
          },
        );
        try {
          yield* reader.readLine();
        } finally {
          writer.close();
        }
      } catch (error) {
        return error;
      }
    }());
    assert.match(await server.next(), /^refused CERTIFICATE_VERIFY_FAILED/);
    assert.ok(isOSError(error), String(error));
    await server.end();
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

test("client certificates: what Deno cannot do is refused before anything is opened", async () => {
  const certs = await makeCerts();
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      let accepted = false;
      const accepting = listener.accept().then((conn) => {
        accepted = true;
        conn.close();
      }, () => {});
      const refuse = (
        body: () => Generator<unknown>,
        pattern: RegExp,
      ) =>
        assert.throws(
          () => body().next(),
          (e: Error) => e instanceof TypeError && pattern.test(e.message),
        );
      // Half a pair.
      refuse(
        () =>
          loop.createConnection(() => new Protocol(), "127.0.0.1", port, {
            ssl: { cert: certs.clientCert },
          }),
        /must have both 'cert' and 'key' for a client certificate: received only 'cert'/,
      );
      // Deno.connectTls checks the server against the host it dials.
      refuse(
        () =>
          loop.createConnection(() => new Protocol(), "127.0.0.1", port, {
            ssl: { cert: certs.clientCert, key: certs.clientKey },
            serverHostname: "localhost",
          }),
        /'serverHostname' must be the host with a client certificate/,
      );
      // Deno.connectTls resolves and connects by itself.
      for (
        const option of [{ family: 2 }, { allErrors: true }, { interleave: 1 }]
      ) {
        refuse(
          () =>
            loop.createConnection(() => new Protocol(), "127.0.0.1", port, {
              ssl: { cert: certs.clientCert, key: certs.clientKey },
              ...option,
            }),
          /with a client certificate and '(family|allErrors|interleave)': Deno.connectTls/,
        );
      }
      // A server's caCerts verify clients, so they need verifyMode
      // (tls_verify_client_test.ts has the servers that verify).
      refuse(
        () =>
          loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
            ssl: {
              cert: certs.serverCert,
              key: certs.serverKey,
              caCerts: [certs.ca],
            },
          }),
        /'ssl.caCerts' on a server are the CAs to verify client certificates with: give 'ssl.verifyMode'/,
      );
      // Deno.startTls cannot present one.
      const [transport] = yield* loop.createConnection(
        () => new Protocol(),
        "127.0.0.1",
        port,
      );
      refuse(
        () =>
          loop.startTls(transport, transport.getProtocol(), {
            cert: certs.clientCert,
            key: certs.clientKey,
          }),
        /Deno.startTls cannot present one/,
      );
      transport.close();
      listener.close();
      yield* (function* () {
        const done = loop.createFuture<void>();
        accepting.then(() => loop.callSoonThreadsafe(() => done.setResult()));
        yield* done;
      })();
      assert.equal(accepted, true); // the one plain connection above
    }());
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});

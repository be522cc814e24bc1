// Servers that verify client certificates (ssl.verifyMode, served by Deno's
// node:tls) against real peers: a python3 `ssl` client, `openssl s_client`
// and this module's own client; certificates made by openssl at test time.
// Also what such a transport reports (peercert, cipher, sslObject) against
// what Python says about the same certificate and connection, and the
// stream transport's contract over it: flow control, EOF, close, abort,
// errors.

import assert from "node:assert/strict";
import {
  type Cipher,
  type ExceptionContext,
  type Future,
  getRunningLoop,
  isOSError,
  type PeerCertificate,
  Protocol,
  run,
  type Server,
  type SSLObject,
  type TlsOptions,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise, sleep } from "../../tasks/mod.ts";
import { openConnection, startServer } from "../../streams/mod.ts";
import { PeerProcess, peerTest } from "../_peers.ts";
import { type Certs, makeCerts, pythonDecode } from "./_tls_fixtures.ts";
import { keepAliveOn } from "./_net_fixtures.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The server's TLS settings for `certs`. */
function serverTls(
  certs: Certs,
  verifyMode: "optional" | "required",
): TlsOptions {
  return {
    cert: certs.serverCert,
    key: certs.serverKey,
    caCerts: [certs.ca],
    verifyMode,
  };
}

/** The first commonName of a certificate, or "nobody". */
function commonName(cert: PeerCertificate | null): string {
  return cert?.subject.flat().find(([k]) => k === "commonName")?.[1] ??
    "nobody";
}

/**
 * Answers the first data with "hello <client CN>\n" and closes; records
 * what the transport reports.
 */
class Greeter extends Protocol {
  static made: Greeter[] = [];
  transport!: Transport;
  info: Record<string, unknown> = {};
  events: string[] = [];
  lost: Future<Error | null> = getRunningLoop().createFuture();
  override connectionMade(transport: Transport): void {
    Greeter.made.push(this);
    this.transport = transport;
    for (
      const name of [
        "tls",
        "alpnProtocol",
        "peercert",
        "cipher",
        "compression",
        "sslObject",
        "serverHostname",
        "conn",
      ]
    ) {
      this.info[name] = transport.getExtraInfo(name, "absent");
    }
  }
  override dataReceived(): void {
    const cert = this.info.peercert as PeerCertificate | null;
    this.transport.write(enc.encode(`hello ${commonName(cert)}\n`));
    this.transport.close();
  }
  override eofReceived(): void {
    this.events.push("eof");
  }
  override connectionLost(error: Error | null): void {
    this.events.push(error === null ? "lost" : `lost:${error.name}`);
    this.lost.setResult(error);
  }
}

/** Runs `body` with a fresh set of certificates, removed afterwards. */
async function withCerts(body: (certs: Certs) => Promise<void>) {
  const certs = await makeCerts();
  try {
    await body(certs);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
}

/** The python3 client of tests/peers/tls_cert_client.py, as one JSON line. */
function* python(
  port: number,
  certs: Certs,
  mode: string[],
  options: string[] = [],
): Generator<Future<unknown> | undefined, Record<string, unknown>, unknown> {
  const peer = PeerProcess.python("tls_cert_client.py", [
    String(port),
    `${certs.dir}/ca.pem`,
    ...mode,
    ...options,
  ]);
  let line: string;
  let finished = false;
  try {
    line = yield* fromPromise(peer.readLine(30));
    const result = yield* fromPromise(peer.finish());
    assert.equal(result.code, 0, result.stderr);
    finished = true;
  } finally {
    // Killed if it still runs (a failed assertion, a cancellation).
    if (!finished) yield* fromPromise(peer[Symbol.asyncDispose]());
  }
  return JSON.parse(line);
}

const CLIENT_CERT = (certs: Certs) => [
  "--cert",
  `${certs.dir}/client.pem`,
  `${certs.dir}/client.key`,
];
const STRANGER_CERT = (certs: Certs) => [
  "--cert",
  `${certs.dir}/stranger.pem`,
  `${certs.dir}/stranger.key`,
];

/** A Greeter server; the exception handler's contexts are collected. */
function* greeterServer(
  tls: TlsOptions,
  options: { debug?: boolean; sslHandshakeTimeout?: number } = {},
): Generator<
  Future<unknown> | undefined,
  { server: Server; port: number; contexts: ExceptionContext[] },
  unknown
> {
  const loop = getRunningLoop();
  loop.setDebug(options.debug ?? false);
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => contexts.push(context));
  Greeter.made = [];
  const server = yield* loop.createServer(
    () => new Greeter(),
    "127.0.0.1",
    0,
    { ssl: tls, sslHandshakeTimeout: options.sslHandshakeTimeout },
  );
  const { port } = server.sockets[0].addr as Deno.NetAddr;
  return { server, port, contexts };
}

function* closeServer(server: Server) {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

peerTest(
  'createServer() with ssl.verifyMode "required": a python3 ssl client with a certificate from the CA is served, and the transport reports its certificate as Python decodes it, the cipher and the version Python sees',
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      const expectedCert = await pythonDecode(`${certs.dir}/client.pem`);
      await run(function* () {
        const { server, port, contexts } = yield* greeterServer(
          serverTls(certs, "required"),
        );
        for (
          const options of [
            [],
            ["--tls12", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"],
            ["--tls12", "--ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305"],
          ]
        ) {
          const seen = yield* python(port, certs, ["echo"], [
            ...CLIENT_CERT(certs),
            ...options,
          ]);
          assert.equal(seen.reply, "hello deno client\n", JSON.stringify(seen));
          const greeter = Greeter.made.at(-1)!;
          yield* greeter.lost;
          const info = greeter.info;
          assert.equal(info.tls, true);
          assert.equal(info.alpnProtocol, null);
          // asyncio's get_extra_info("peercert") is getpeercert()'s dict.
          assert.deepEqual(
            JSON.parse(JSON.stringify(info.peercert)),
            expectedCert,
          );
          assert.ok(Object.isFrozen(info.peercert));
          // asyncio's get_extra_info("cipher") is cipher()'s tuple.
          assert.deepEqual([...info.cipher as Cipher], seen.cipher);
          assert.equal(info.compression, null);
          const ssl = info.sslObject as SSLObject;
          assert.equal(ssl.version(), seen.version);
          assert.deepEqual([...ssl.cipher()], seen.cipher);
          assert.equal(ssl.getpeercert(), info.peercert);
          const der = ssl.getpeercert(true)!;
          assert.ok(der instanceof Uint8Array && der[0] === 0x30);
          assert.equal(ssl.selectedAlpnProtocol(), null);
          assert.equal(ssl.compression(), null);
          assert.equal(ssl.serverSide, true);
          assert.equal(ssl.serverHostname, null);
          // A server transport has no server name; node's socket is no
          // Deno.Conn, so it is not reported as one.
          assert.equal(info.serverHostname, "absent");
          assert.equal(info.conn, "absent");
          assert.deepEqual(greeter.events, ["lost"]);
        }
        yield* closeServer(server);
        assert.deepEqual(contexts, []);
      }());
    }),
);

peerTest(
  'createServer() with ssl.verifyMode "required" refuses a python3 client without a certificate and one with a certificate from another CA: no protocol is made, and in debug mode the exception handler hears why',
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      for (const debug of [false, true]) {
        await run(function* () {
          const { server, port, contexts } = yield* greeterServer(
            serverTls(certs, "required"),
            { debug },
          );
          // Refused: the certificate_required alert, or a bare EOF when
          // Deno's node:tls closes before its alert is out (it does, now
          // and then).
          const without = yield* python(port, certs, ["listen"]);
          assert.match(
            String(without.error),
            /TLSV13_ALERT_CERTIFICATE_REQUIRED|^SSLEOFError|^ConnectionResetError/,
            JSON.stringify(without),
          );
          const stranger = yield* python(
            port,
            certs,
            ["listen"],
            STRANGER_CERT(certs),
          );
          // node:tls drops the connection rather than send an alert.
          assert.match(
            String(stranger.error),
            /^(EOF|ConnectionResetError|SSLEOFError)/,
            JSON.stringify(stranger),
          );
          yield* closeServer(server);
          assert.equal(Greeter.made.length, 0, "no protocol for a refusal");
          if (!debug) {
            assert.deepEqual(contexts, []);
            return;
          }
          assert.equal(contexts.length, 2);
          for (const context of contexts) {
            assert.equal(
              context.message,
              "Error on transport creation for incoming connection",
            );
            assert.ok(isOSError(context.exception));
            assert.ok(context.exception instanceof Deno.errors.InvalidData);
          }
          assert.match(
            (contexts[0].exception as Error).message,
            /the client sent no certificate, and ssl.verifyMode is "required"/,
          );
          assert.match(
            (contexts[1].exception as Error).message,
            /on verifying the client's certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
          );
        }());
      }
    }),
);

peerTest(
  'createServer() with ssl.verifyMode "optional" serves a python3 client without a certificate (peercert null) and one with a valid certificate, and refuses a certificate that does not verify',
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const { server, port, contexts } = yield* greeterServer(
          serverTls(certs, "optional"),
          { debug: true },
        );
        const without = yield* python(port, certs, ["echo"]);
        assert.equal(without.reply, "hello nobody\n", JSON.stringify(without));
        yield* Greeter.made[0].lost;
        assert.equal(Greeter.made[0].info.peercert, null);
        assert.equal(
          (Greeter.made[0].info.sslObject as SSLObject).getpeercert(true),
          null,
        );
        const valid = yield* python(port, certs, ["echo"], CLIENT_CERT(certs));
        assert.equal(valid.reply, "hello deno client\n");
        const stranger = yield* python(
          port,
          certs,
          ["listen"],
          STRANGER_CERT(certs),
        );
        assert.match(
          String(stranger.error),
          /^(EOF|ConnectionResetError|SSLEOFError)/,
        );
        yield* closeServer(server);
        assert.equal(Greeter.made.length, 2);
        assert.equal(contexts.length, 1);
        assert.match(
          (contexts[0].exception as Error).message,
          /verifying the client's certificate/,
        );
      }());
    }),
);

/** Runs openssl s_client against 127.0.0.1:port; returns its output. */
async function sClient(
  port: number,
  certs: Certs,
  cert: boolean,
  input: string,
) {
  const child = new Deno.Command("openssl", {
    args: [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-servername",
      "localhost",
      "-CAfile",
      `${certs.dir}/ca.pem`,
      "-quiet",
      ...(cert
        ? [
          "-cert",
          `${certs.dir}/client.pem`,
          "-key",
          `${certs.dir}/client.key`,
        ]
        : []),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(enc.encode(input));
  await writer.close();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const output = await child.output();
  clearTimeout(timer);
  return {
    stdout: dec.decode(output.stdout),
    stderr: dec.decode(output.stderr),
  };
}

peerTest(
  'createServer() with ssl.verifyMode "required" against openssl s_client: served with -cert, refused without',
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const { server, port } = yield* greeterServer(
          serverTls(certs, "required"),
        );
        const served = yield* fromPromise(
          sClient(port, certs, true, "ping\n"),
        );
        assert.equal(served.stdout, "hello deno client\n", served.stderr);
        assert.equal(
          commonName(Greeter.made[0].info.peercert as PeerCertificate),
          "deno client",
        );
        // Sending nothing, so that no unread data turns the server's close
        // into a reset that could discard its alert.
        const refused = yield* fromPromise(sClient(port, certs, false, ""));
        assert.equal(refused.stdout, "");
        assert.match(
          refused.stderr,
          /alert certificate required|unexpected eof|errno=104/,
        );
        yield* closeServer(server);
        assert.equal(Greeter.made.length, 1);
      }());
    }),
);

peerTest(
  "startServer() with ssl.verifyMode and openConnection() with ssl.cert/key: the server's writer reports the client's certificate; a client without one is refused",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const names: string[] = [];
        const server = yield* startServer(
          function* (reader, writer) {
            const cert = writer.getExtraInfo("peercert") as PeerCertificate;
            names.push(commonName(cert));
            const line = yield* reader.readLine();
            writer.write(
              enc.encode(`${commonName(cert)}: ${dec.decode(line)}`),
            );
            yield* writer.drain();
            writer.close();
            yield* writer.waitClosed();
          },
          "127.0.0.1",
          0,
          { ssl: serverTls(certs, "required") },
        );
        const { port } = server.sockets[0].addr as Deno.NetAddr;
        const [reader, writer] = yield* openConnection("localhost", port, {
          ssl: {
            caCerts: [certs.ca],
            cert: certs.clientCert,
            key: certs.clientKey,
          },
        });
        writer.write(enc.encode("hi\n"));
        assert.equal(
          dec.decode(yield* reader.read(-1)),
          "deno client: hi\n",
        );
        writer.close();
        yield* writer.waitClosed();
        // Without a certificate: TLS 1.3 ends the client's handshake before
        // the server checks, so the refusal comes with the first read.
        let caught: unknown;
        try {
          const [r, w] = yield* openConnection("localhost", port, {
            ssl: { caCerts: [certs.ca] },
          });
          try {
            w.write(enc.encode("hi\n"));
            yield* r.readLine();
          } finally {
            w.close();
          }
        } catch (error) {
          caught = error;
        }
        assert.ok(isOSError(caught), String(caught));
        assert.match(
          String(caught),
          /CertificateRequired|certificate required/i,
        );
        server.close();
        yield* server.waitClosed();
        assert.deepEqual(names, ["deno client"]);
      }());
    }),
);

peerTest(
  "a Deno.listenTls server (no verifyMode) reports peercert as null (no certificate was asked for) and no cipher or sslObject",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const { server, port } = yield* greeterServer({
          cert: certs.serverCert,
          key: certs.serverKey,
        });
        const [reader, writer] = yield* openConnection("localhost", port, {
          ssl: { caCerts: [certs.ca] },
        });
        writer.write(enc.encode("x"));
        assert.equal(dec.decode(yield* reader.readLine()), "hello nobody\n");
        // A client transport reports none of them.
        for (const name of ["peercert", "cipher", "sslObject", "compression"]) {
          assert.equal(writer.getExtraInfo(name, "absent"), "absent", name);
        }
        writer.close();
        yield* writer.waitClosed();
        yield* closeServer(server);
        const info = Greeter.made[0].info;
        assert.equal(info.peercert, null);
        assert.equal(info.cipher, "absent");
        assert.equal(info.sslObject, "absent");
        assert.ok(info.conn !== "absent", "a Deno conn is reported");
      }());
    }),
);

/** Records flow control calls; writes what it is told to. */
class Flow extends Protocol {
  static made: Flow[] = [];
  /** Pause reading in connectionMade, before any read is delivered. */
  static pauseOnMade = false;
  transport!: Transport;
  events: string[] = [];
  received = 0;
  lost: Future<Error | null> = getRunningLoop().createFuture();
  made: Future<void> = getRunningLoop().createFuture();
  override connectionMade(transport: Transport): void {
    Flow.made.push(this);
    this.transport = transport;
    if (Flow.pauseOnMade) transport.pauseReading();
    this.made.setResult();
  }
  override dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
  }
  override eofReceived(): void {
    this.events.push("eof");
  }
  override pauseWriting(): void {
    this.events.push("pause");
  }
  override resumeWriting(): void {
    this.events.push("resume");
  }
  override connectionLost(error: Error | null): void {
    this.events.push(error === null ? "lost" : `lost:${error.name}`);
    this.lost.setResult(error);
  }
}

/** Waits (10 s at most, then fails) until `n` Flow connections were made. */
function* madeAtLeast(n: number): Coroutine<void> {
  for (let i = 0; i < 1000 && Flow.made.length < n; i++) yield* sleep(0.01);
  assert.ok(Flow.made.length >= n, `${Flow.made.length} of ${n} connections`);
}

function* flowServer(certs: Certs) {
  const loop = getRunningLoop();
  Flow.made = [];
  Flow.pauseOnMade = false;
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => contexts.push(context));
  const server = yield* loop.createServer(
    () => new Flow(),
    "127.0.0.1",
    0,
    { ssl: serverTls(certs, "required") },
  );
  const { port } = server.sockets[0].addr as Deno.NetAddr;
  return { server, port, contexts };
}

/** Bytes 0..255 repeated, as the python peer's pattern(). */
function pattern(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i & 0xff;
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

peerTest(
  "a verifying server's transport: a large write to a slow python3 reader pauses and resumes the protocol, close() flushes everything and then sends close_notify",
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      // More than loopback's socket buffers hold, so that the peer's pace
      // shows.
      const size = 16 * 1024 * 1024;
      const payload = pattern(size);
      const all = new Uint8Array(size + 65536);
      all.set(payload);
      all.set(payload.subarray(0, 65536), size);
      const expected = await sha256(all);
      await run(function* () {
        const { server, port, contexts } = yield* flowServer(certs);
        const loop = getRunningLoop();
        const peer = loop.createTask(
          python(port, certs, ["sink", String(size)], CLIENT_CERT(certs)),
        );
        yield* madeAtLeast(1);
        const flow = Flow.made[0];
        flow.transport.setWriteBufferLimits(256 * 1024);
        for (let offset = 0; offset < size; offset += 65536) {
          flow.transport.write(payload.subarray(offset, offset + 65536));
        }
        assert.deepEqual(flow.events, ["pause"]);
        assert.ok(flow.transport.getWriteBufferSize() > 256 * 1024);
        // A write completes only as the slow reader takes the data.
        yield* sleep(0.1);
        assert.ok(flow.transport.getWriteBufferSize() > 0);
        assert.deepEqual(flow.events, ["pause"]);
        for (let i = 0; i < 300 && flow.events.length < 2; i++) {
          yield* sleep(0.05);
        }
        assert.deepEqual(flow.events, ["pause", "resume"]);
        assert.equal(flow.transport.getWriteBufferSize(), 0);
        // close() flushes what is buffered, then sends close_notify.
        flow.transport.write(payload.subarray(0, 65536));
        flow.transport.close();
        const seen = yield* peer;
        assert.deepEqual(seen, {
          received: size + 65536,
          sha256: expected,
          eof: "close_notify",
        });
        assert.equal(yield* flow.lost, null);
        assert.deepEqual(flow.events, ["pause", "resume", "lost"]);
        yield* closeServer(server);
        assert.deepEqual(contexts, []);
      }());
    }),
);

peerTest(
  "a verifying server's transport: pauseReading() stops dataReceived until resumeReading(); the peer's close_notify is eofReceived, then connectionLost(null)",
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      // More than loopback's auto-tuned socket buffers and node:tls's own
      // can hold, so that a paused reader really holds the peer back.
      const size = 32 * 1024 * 1024;
      await run(function* () {
        const { server, port, contexts } = yield* flowServer(certs);
        Flow.pauseOnMade = true;
        const loop = getRunningLoop();
        const peer = loop.createTask(
          python(port, certs, ["source", String(size)], CLIENT_CERT(certs)),
        );
        yield* madeAtLeast(1);
        const flow = Flow.made[0];
        assert.equal(flow.transport.isReading(), false);
        yield* sleep(0.3);
        assert.equal(flow.received, 0, "nothing while paused");
        assert.equal(peer.done(), false, "the peer is held back");
        flow.transport.resumeReading();
        assert.deepEqual(yield* peer, { sent: size });
        assert.equal(yield* flow.lost, null);
        assert.equal(flow.received, size);
        assert.deepEqual(flow.events, ["eof", "lost"]);
        yield* closeServer(server);
        assert.deepEqual(contexts, []);
      }());
    }),
);

peerTest(
  "a verifying server's transport: abort() ends the connection at once and connectionLost(null) follows; a peer's reset reads as EOF (Deno's node:tls reports no error for it)",
  ["python3", "openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const { server, port, contexts } = yield* flowServer(certs);
        const loop = getRunningLoop();
        const reset = yield* python(port, certs, ["reset"], CLIENT_CERT(certs));
        assert.deepEqual(reset, { reset: true });
        const first = Flow.made[0];
        // On Deno.listenTls this is connectionLost(ConnectionReset); Deno
        // 2.9's node:tls ends the stream as if the peer had closed.
        assert.equal(yield* first.lost, null);
        assert.equal(first.received, 1);
        assert.deepEqual(first.events, ["eof", "lost"]);
        const peer = loop.createTask(
          python(port, certs, ["sink", "1000000"], CLIENT_CERT(certs)),
        );
        yield* madeAtLeast(2);
        const second = Flow.made[1];
        second.transport.write(pattern(1000));
        second.transport.abort();
        assert.equal(second.transport.isClosing(), true);
        assert.equal(yield* second.lost, null);
        const seen = yield* peer;
        assert.ok((seen.received as number) <= 1000, JSON.stringify(seen));
        assert.deepEqual(second.events, ["lost"]);
        yield* closeServer(server);
        assert.deepEqual(contexts, []);
      }());
    }),
);

peerTest(
  "a verifying server drops a client that never completes its handshake after sslHandshakeTimeout; closeClients() ends a handshake in progress",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const { server, port, contexts } = yield* greeterServer(
          serverTls(certs, "required"),
          { debug: true, sslHandshakeTimeout: 0.3 },
        );
        const loop = getRunningLoop();
        const silent = yield* fromPromise(
          Deno.connect({ hostname: "127.0.0.1", port }),
        );
        const start = loop.time();
        const buf = new Uint8Array(16);
        const n = yield* fromPromise(silent.read(buf));
        assert.equal(n, null, "the server closed the silent client");
        const waited = loop.time() - start;
        assert.ok(waited >= 0.25 && waited < 10, String(waited));
        silent.close();
        yield* sleep(0);
        assert.equal(contexts.length, 1);
        assert.ok(
          contexts[0].exception instanceof Deno.errors.ConnectionAborted,
        );
        assert.match(
          (contexts[0].exception as Error).message,
          /SSL handshake is taking longer than 0.3 seconds/,
        );
        // Another silent client, ended by closeClients().
        const second = yield* fromPromise(
          Deno.connect({ hostname: "127.0.0.1", port }),
        );
        yield* sleep(0.05);
        server.close();
        server.closeClients();
        yield* server.waitClosed();
        assert.equal(yield* fromPromise(second.read(buf)), null);
        second.close();
        assert.equal(Greeter.made.length, 0);
      }());
    }),
);

peerTest(
  "createServer() with ssl.verifyMode takes keepAlive (node:tls sockets can set SO_KEEPALIVE); without verifyMode, keepAlive with ssl throws",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const loop = getRunningLoop();
        assert.throws(
          () =>
            loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
              ssl: { cert: certs.serverCert, key: certs.serverKey },
              keepAlive: true,
            }).next(),
          /'keepAlive' with 'ssl' is not supported: Deno's TLS connections have no setKeepAlive\(\)/,
        );
        for (const keepAlive of [true, false]) {
          Flow.made = [];
          const server = yield* loop.createServer(
            () => new Flow(),
            "127.0.0.1",
            0,
            { ssl: serverTls(certs, "required"), keepAlive },
          );
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          const [transport] = yield* loop.createConnection(
            () => new Protocol(),
            "localhost",
            port,
            {
              ssl: {
                caCerts: [certs.ca],
                cert: certs.clientCert,
                key: certs.clientKey,
              },
            },
          );
          yield* madeAtLeast(1);
          // The keep-alive timer shows once what the server sent after the
          // handshake (TLS 1.3 session tickets) is acknowledged.
          for (let i = 0; i < 50 && keepAliveOn(port)[0] !== true; i++) {
            yield* sleep(0.01);
          }
          assert.deepEqual(keepAliveOn(port), [keepAlive]);
          transport.close();
          yield* Flow.made[0].lost;
          yield* closeServer(server);
        }
      }());
    }),
);

peerTest(
  "ssl.verifyMode and caCerts are checked before anything listens or connects",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const loop = getRunningLoop();
        const refuse = (
          body: () => Generator<unknown>,
          pattern: RegExp,
        ) =>
          assert.throws(
            () => body().next(),
            (e: Error) => e instanceof TypeError && pattern.test(e.message),
          );
        const server = { cert: certs.serverCert, key: certs.serverKey };
        refuse(
          () =>
            loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
              ssl: { ...server, caCerts: [certs.ca] },
            }),
          /'ssl.caCerts' on a server are the CAs to verify client certificates with: give 'ssl.verifyMode'/,
        );
        refuse(
          () =>
            loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
              ssl: { ...server, caCerts: [certs.ca], verifyMode: "none" },
            }),
          /give 'ssl.verifyMode'/,
        );
        for (const caCerts of [undefined, []]) {
          refuse(
            () =>
              loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
                ssl: { ...server, caCerts, verifyMode: "required" },
              }),
            /'ssl.verifyMode' "required" needs 'ssl.caCerts'/,
          );
        }
        refuse(
          () =>
            loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
              ssl: {
                ...server,
                caCerts: [certs.ca],
                // @ts-expect-error: Python's constant is not a value here
                verifyMode: 2,
              },
            }),
          /'ssl.verifyMode' must be "none", "optional" or "required": received 2/,
        );
        for (const verifyMode of ["none", "optional"] as const) {
          refuse(
            () =>
              loop.createConnection(() => new Protocol(), "localhost", 1, {
                ssl: { caCerts: [certs.ca], verifyMode },
              }),
            new RegExp(
              `'ssl.verifyMode' "${verifyMode}" is not supported on a client: Deno always verifies`,
            ),
          );
        }
      }());
    }),
);

peerTest(
  "startTls() refuses a client verifyMode other than 'required', and a transport that already speaks TLS",
  ["openssl"],
  () =>
    withCerts(async (certs) => {
      await run(function* () {
        const loop = getRunningLoop();
        const { server, port } = yield* greeterServer(
          serverTls(certs, "required"),
        );
        const [transport] = yield* loop.createConnection(
          () => new Protocol(),
          "localhost",
          port,
          {
            ssl: {
              caCerts: [certs.ca],
              cert: certs.clientCert,
              key: certs.clientKey,
            },
          },
        );
        assert.throws(
          () =>
            loop.startTls(transport, transport.getProtocol(), {
              caCerts: [certs.ca],
            }).next(),
          /'transport' already speaks TLS/,
        );
        transport.close();
        const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const accepted = plain.accept();
        const [tcp] = yield* loop.createConnection(
          () => new Protocol(),
          "127.0.0.1",
          (plain.addr as Deno.NetAddr).port,
        );
        assert.throws(
          () =>
            loop.startTls(tcp, tcp.getProtocol(), {
              verifyMode: "none",
            }).next(),
          /'tlsOptions.verifyMode' "none" is not supported on a client/,
        );
        tcp.close();
        (yield* fromPromise(accepted)).close();
        plain.close();
        yield* closeServer(server);
      }());
    }),
);

Deno.test("createServer() with ssl.verifyMode without --allow-net for the address throws Deno's NotCapable (node:tls would end the process)", async () => {
  const testdata = (name: string) =>
    Deno.readTextFileSync(new URL(`../testdata/${name}`, import.meta.url));
  const code = `
    import { getRunningLoop, Protocol, run } from ${
    JSON.stringify(new URL("../../eventloop/mod.ts", import.meta.url).href)
  };
    const ssl = ${
    JSON.stringify({
      cert: testdata("tls_localhost.pem"),
      key: testdata("tls_localhost.key"),
      caCerts: [testdata("tls_client_ca.pem")],
      verifyMode: "required",
    })
  };
    for (const host of ["127.0.0.1", "::1"]) {
      try {
        await run(function* () {
          const server = yield* getRunningLoop().createServer(() => new Protocol(), host, 0, { ssl });
          console.log("listening");
          server.close();
          yield* server.waitClosed();
        }());
      } catch (error) {
        console.log(error.name, error.message);
      }
    }
  `;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--allow-net=127.0.0.1", file],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(
      dec.decode(out.stdout),
      'listening\nNotCapable Requires net access to "[::1]:0", run again with the --allow-net flag\n',
      dec.decode(out.stderr),
    );
    assert.equal(out.code, 0);
  } finally {
    await Deno.remove(file);
  }
});

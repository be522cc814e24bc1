// TLS against peers that are not Deno: Python's ssl and openssl. A peer that
// closes without close_notify (a plain ssl socket close(), a killed
// s_client) ends the stream with a clean EOF after all its data, as in
// asyncio; STARTTLS works after other awaits, as real protocols use it.

import assert from "node:assert/strict";
import {
  type ExceptionContext,
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise, sleep } from "../../tasks/mod.ts";
import {
  openConnection,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";
import { PeerProcess, peerTest, testdata } from "../_peers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const CA = Deno.readTextFileSync(testdata("tls_ca.pem"));
const CERT = Deno.readTextFileSync(testdata("tls_localhost.pem"));
const KEY = Deno.readTextFileSync(testdata("tls_localhost.key"));

/** What tls_ragged_server.py sends; tls_ragged_client.py's is alike. */
const SERVER_PAYLOAD = "line one\nline two\n" + "x".repeat(100_000) + "\nend";
const CLIENT_PAYLOAD = "hello\n" + "y".repeat(100_000) + "\nbye";

/** Asserts that `actual` is `expected` without printing 100 KB if not. */
function sameText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  assert.fail(
    `${what}: got ${actual.length} bytes (${
      JSON.stringify(actual.slice(0, 40))
    }...${JSON.stringify(actual.slice(-20))}), expected ${expected.length}`,
  );
}

/** Records what reaches the running loop's exception handler. */
function recordExceptions(): ExceptionContext[] {
  const seen: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => {
    seen.push(context);
  });
  return seen;
}

/** Runs `body` against a fresh tls_ragged_server.py serving `count`. */
async function withRaggedServer(
  count: number,
  body: (port: number) => Coroutine<void>,
): Promise<void> {
  await using peer = PeerProcess.python("tls_ragged_server.py", [
    testdata("tls_localhost.pem"),
    testdata("tls_localhost.key"),
    String(count),
  ]);
  const port = Number(await peer.readLine());
  await run(body(port));
  const result = await peer.finish();
  assert.equal(result.code, 0, result.stderr);
}

function* connect(
  port: number,
  limit?: number,
): Coroutine<[StreamReader, StreamWriter]> {
  const [reader, writer] = yield* openConnection("127.0.0.1", port, {
    ssl: { caCerts: [CA] },
    serverHostname: "localhost",
    limit,
  });
  writer.write(enc("GET\n"));
  yield* writer.drain();
  return [reader, writer];
}

peerTest(
  "TLS peer closing without close_notify (Python ssl close()): read(), readLine() and waitClosed() end cleanly with all the data, as in asyncio",
  ["python3"],
  async () => {
    await withRaggedServer(3, function* (port) {
      const seen = recordExceptions();

      // read() to EOF returns everything.
      let [reader, writer] = yield* connect(port);
      sameText(dec(yield* reader.read()), SERVER_PAYLOAD, "read()");
      assert.ok(reader.atEof());
      writer.close();
      yield* writer.waitClosed();

      // readLine() reads the lines, then the unterminated rest, then EOF
      // (a limit above the long line's 100,001 bytes).
      [reader, writer] = yield* connect(port, 200_000);
      assert.equal(dec(yield* reader.readLine()), "line one\n");
      assert.equal(dec(yield* reader.readLine()), "line two\n");
      assert.equal((yield* reader.readLine()).length, 100_001);
      assert.equal(dec(yield* reader.readLine()), "end");
      assert.equal((yield* reader.readLine()).length, 0);
      writer.close();
      yield* writer.waitClosed();

      // waitClosed() before close(): the TLS transport closes itself at EOF.
      [reader, writer] = yield* connect(port);
      yield* writer.waitClosed();
      assert.ok(writer.isClosing());
      sameText(dec(yield* reader.read()), SERVER_PAYLOAD, "read() after");

      assert.deepEqual(seen.map((c) => c.message), []);
    });
  },
);

class Recorder extends Protocol {
  events: string[] = [];
  bytes = 0;
  lost = getRunningLoop().createFuture<Error | null>();
  override dataReceived(data: Uint8Array): void {
    this.bytes += data.length;
  }
  override eofReceived(): void {
    this.events.push(`eof after ${this.bytes} bytes`);
  }
  override connectionLost(error: Error | null): void {
    this.events.push(`lost ${error}`);
    this.lost.setResult(error);
  }
}

peerTest(
  "TLS peer closing without close_notify: a Protocol gets eofReceived() then connectionLost(null), as in asyncio",
  ["python3"],
  async () => {
    await withRaggedServer(1, function* (port) {
      const seen = recordExceptions();
      const [transport, protocol] = yield* getRunningLoop().createConnection(
        () => new Recorder(),
        "127.0.0.1",
        port,
        { ssl: { caCerts: [CA] }, serverHostname: "localhost" },
      );
      transport.write(enc("GET\n"));
      assert.equal(yield* protocol.lost, null);
      assert.deepEqual(protocol.events, [
        `eof after ${SERVER_PAYLOAD.length} bytes`,
        "lost null",
      ]);
      assert.deepEqual(seen.map((c) => c.message), []);
    });
  },
);

/** A TLS streams server that reads each connection to EOF. */
function* collectingServer(
  got: string[],
): Coroutine<{ port: number; close(): Coroutine<void> }> {
  const server = yield* startServer(
    function* (reader: StreamReader, writer: StreamWriter) {
      got.push(dec(yield* reader.read()));
      writer.close();
      yield* writer.waitClosed();
    },
    "127.0.0.1",
    0,
    { ssl: { cert: CERT, key: KEY } },
  );
  return {
    port: (server.sockets[0].addr as Deno.NetAddr).port,
    *close() {
      server.close();
      yield* server.waitClosed();
    },
  };
}

peerTest(
  "TLS client closing without close_notify (Python ssl close()): the server's read() returns all it sent",
  ["python3"],
  async () => {
    await run(function* () {
      const seen = recordExceptions();
      const got: string[] = [];
      const server = yield* collectingServer(got);
      const peer = PeerProcess.python("tls_ragged_client.py", [
        String(server.port),
        testdata("tls_ca.pem"),
      ]);
      try {
        assert.equal(yield* fromPromise(peer.readLine()), "sent");
        const result = yield* fromPromise(peer.finish());
        assert.equal(result.code, 0, result.stderr);
        for (let i = 0; i < 5000 && got.length === 0; i++) yield* sleep(0.001);
        assert.equal(got.length, 1, "the handler read to EOF");
        sameText(got[0], CLIENT_PAYLOAD, "the server's read()");
        yield* server.close();
        assert.deepEqual(seen.map((c) => c.message), []);
      } finally {
        yield* fromPromise(peer[Symbol.asyncDispose]());
      }
    }());
  },
);

peerTest(
  "TLS client killed mid-connection (openssl s_client, SIGKILL): the server's read() returns all it sent",
  ["openssl"],
  async () => {
    await run(function* () {
      const seen = recordExceptions();
      const got: string[] = [];
      const server = yield* collectingServer(got);
      const client = new PeerProcess("openssl", [
        "s_client",
        "-connect",
        `127.0.0.1:${server.port}`,
        "-servername",
        "localhost",
        "-CAfile",
        testdata("tls_ca.pem"),
        "-verify_return_error",
        "-quiet",
      ]);
      try {
        yield* fromPromise(client.write("first line\nsecond line\n"));
        // Killed once the server has the data: no close_notify is sent.
        // (The server's read() is still waiting for EOF.)
        for (let i = 0; i < 10_000; i++) {
          yield* sleep(0.001);
          if (got.length > 0) break;
          if (i === 500) Deno.kill(client.pid, "SIGKILL");
        }
        assert.deepEqual(got, ["first line\nsecond line\n"]);
        yield* server.close();
        assert.deepEqual(seen.map((c) => c.message), []);
      } finally {
        yield* fromPromise(client[Symbol.asyncDispose]());
      }
    }());
  },
);

/** Runs `body` against a fresh starttls_server.py serving `count`. */
async function withStarttlsServer(
  count: number,
  extra: string[],
  body: (port: number) => Coroutine<void>,
): Promise<string> {
  await using peer = PeerProcess.python("starttls_server.py", [
    testdata("tls_localhost.pem"),
    testdata("tls_localhost.key"),
    String(count),
    ...extra,
  ]);
  const port = Number(await peer.readLine());
  await run(body(port));
  const result = await peer.finish();
  assert.equal(result.code, 0, result.stderr);
  return result.stderr;
}

/** Connects and asks for STARTTLS; returns once the go-ahead is read. */
function* askForTls(port: number): Coroutine<[StreamReader, StreamWriter]> {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  assert.equal(dec(yield* reader.readLine()), "220 ready\r\n");
  writer.write(enc("STARTTLS\r\n"));
  assert.equal(dec(yield* reader.readLine()), "220 go ahead\r\n");
  return [reader, writer];
}

peerTest(
  "writer.startTls() works after other awaits between the go-ahead and the upgrade (Python ssl STARTTLS server)",
  ["python3"],
  async () => {
    const pauses: [string, () => Coroutine<void>][] = [
      ["sleep(0.1)", () => sleep(0.1)],
      ["sleep(0)", () => sleep(0)],
      ["several loop turns", function* () {
        for (let i = 0; i < 5; i++) yield;
      }],
      ["none", function* () {}],
    ];
    const stderr = await withStarttlsServer(
      pauses.length,
      [],
      function* (port) {
        const seen = recordExceptions();
        for (const [what, pause] of pauses) {
          const [reader, writer] = yield* askForTls(port);
          yield* pause();
          yield* writer.startTls({ caCerts: [CA] }, {
            serverHostname: "localhost",
          });
          assert.equal(writer.transport.getExtraInfo("tls"), true, what);
          writer.write(enc(`hello after ${what}\n`));
          assert.equal(
            dec(yield* reader.readLine()),
            `echo: hello after ${what}\n`,
          );
          writer.close();
          yield* writer.waitClosed();
        }
        assert.deepEqual(seen.map((c) => c.message), []);
      },
    );
    assert.equal(stderr, "");
  },
);

peerTest(
  "writer.startTls() refuses with a clear error when the peer sent more after its go-ahead (it would be read as if it came through TLS)",
  ["python3"],
  async () => {
    await withStarttlsServer(1, ["250 injected\r\n"], function* (port) {
      const seen = recordExceptions();
      const [reader, writer] = yield* askForTls(port);
      yield* sleep(0.05);
      let error: unknown = null;
      try {
        yield* writer.startTls({ caCerts: [CA] }, {
          serverHostname: "localhost",
        });
      } catch (thrown) {
        error = thrown;
      }
      assert.ok(error instanceof Error);
      assert.equal(
        error.message,
        "Cannot start TLS as the reader holds 14 bytes not read yet: the peer sent them after its go-ahead, in plain text",
      );
      // Nothing was taken over: the connection still works in plain text.
      assert.equal(writer.transport.getExtraInfo("tls"), undefined);
      assert.equal(dec(yield* reader.readLine()), "250 injected\r\n");
      writer.close();
      yield* writer.waitClosed();
      assert.deepEqual(seen.map((c) => c.message), []);
    });
  },
);

/** A STARTTLS client protocol that pauses reading at the go-ahead. */
class StarttlsClient extends Protocol {
  transport!: Transport;
  lines: string[] = [];
  goAhead = getRunningLoop().createFuture<void>();
  echoed = getRunningLoop().createFuture<string>();
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    const text = dec(data);
    if (text === "220 ready\r\n") {
      this.transport.write(enc("STARTTLS\r\n"));
    } else if (text === "220 go ahead\r\n") {
      // Nothing more comes until the handshake: stop reading, so that
      // startTls() may come after other awaits.
      this.transport.pauseReading();
      this.goAhead.setResult();
    } else {
      this.echoed.setResult(text);
    }
  }
}

peerTest(
  "loop.startTls() after other awaits, with the protocol pausing reading at the go-ahead (Python ssl STARTTLS server)",
  ["python3"],
  async () => {
    await withStarttlsServer(1, [], function* (port) {
      const loop = getRunningLoop();
      const [transport, protocol] = yield* loop.createConnection(
        () => new StarttlsClient(),
        "127.0.0.1",
        port,
      );
      yield* protocol.goAhead;
      yield* sleep(0.1);
      const tls = yield* loop.startTls(transport, protocol, { caCerts: [CA] }, {
        serverHostname: "localhost",
      });
      protocol.transport = tls;
      tls.write(enc("over TLS\n"));
      assert.equal(yield* protocol.echoed, "echo: over TLS\n");
      tls.close();
    });
  },
);

// Streams over real loopback sockets: TCP, Unix, TLS and startTls.

import assert from "node:assert/strict";
import {
  type ExceptionContext,
  type Future,
  getRunningLoop,
  run,
  TimeoutError,
  type Transport,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  sleep,
  timeout,
} from "../../tasks/mod.ts";
import {
  openConnection,
  openUnixConnection,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../testdata/${name}`, import.meta.url));
const CA = data("tls_ca.pem");
const CERT = data("tls_localhost.pem");
const KEY = data("tls_localhost.key");

function portOf(server: { sockets: { addr: Deno.Addr }[] }): number {
  return (server.sockets[0].addr as Deno.NetAddr).port;
}

function* catching(
  source: Coroutine<unknown> | Future<unknown>,
): Coroutine<unknown> {
  try {
    yield* source;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** Echoes lines in upper case until EOF. */
function* upperLines(reader: StreamReader, writer: StreamWriter) {
  while (true) {
    const line = yield* reader.readLine();
    if (line.length === 0) break;
    writer.write(enc(dec(line).toUpperCase()));
    yield* writer.drain();
  }
  writer.close();
  yield* writer.waitClosed();
}

Deno.test("openConnection() and startServer() talk lines over loopback TCP, several clients at once", async () => {
  await run(function* () {
    const server = yield* startServer(upperLines, "127.0.0.1", 0);
    const port = portOf(server);
    function* client(id: number) {
      const [reader, writer] = yield* openConnection("127.0.0.1", port);
      const peer = writer.getExtraInfo("peername") as Deno.NetAddr;
      assert.equal(peer.port, port);
      assert.equal(
        (writer.getExtraInfo("sockname") as Deno.NetAddr).hostname,
        "127.0.0.1",
      );
      const got: string[] = [];
      for (let i = 0; i < 20; i++) {
        writer.write(enc(`client ${id} line ${i}\n`));
        yield* writer.drain();
        got.push(dec(yield* reader.readLine()));
      }
      writer.writeEof();
      assert.equal((yield* reader.read()).length, 0, "the server closes");
      assert.ok(reader.atEof());
      writer.close();
      yield* writer.waitClosed();
      assert.ok(writer.isClosing());
      return got;
    }
    const tasks = [0, 1, 2, 3, 4].map((id) => createTask(client(id)));
    for (const [id, task] of tasks.entries()) {
      const lines = yield* task;
      assert.equal(lines.length, 20);
      assert.equal(lines[7], `CLIENT ${id} LINE 7\n`);
    }
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("startServer() calls a plain function with the reader and writer", async () => {
  await run(function* () {
    const seen: string[] = [];
    const server = yield* startServer(
      (reader, writer) => {
        seen.push(`${reader.constructor.name} ${writer.constructor.name}`);
        writer.write(enc("welcome\n"));
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal(dec(yield* reader.readLine()), "welcome\n");
    assert.equal((yield* reader.readLine()).length, 0);
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
    assert.deepEqual(seen, ["StreamReader StreamWriter"]);
  }());
});

Deno.test("startServer(): an error in the client coroutine goes to the exception handler and closes the connection", async () => {
  const contexts: ExceptionContext[] = [];
  await run(function* () {
    getRunningLoop().setExceptionHandler((_loop, context) =>
      contexts.push(context)
    );
    const server = yield* startServer(
      function* (reader) {
        yield* reader.readLine();
        throw new Error("handler failed");
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    writer.write(enc("hi\n"));
    assert.equal((yield* reader.read()).length, 0, "closed by the server");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
  assert.equal(contexts.length, 1);
  assert.equal(
    contexts[0].message,
    "Unhandled exception in client_connected_cb",
  );
  assert.equal((contexts[0].exception as Error).message, "handler failed");
});

Deno.test("startServer() checks its callback and limit before listening", async () => {
  await run(function* () {
    assert.throws(
      // @ts-expect-error: not a function
      () => startServer("echo", "127.0.0.1", 0).next(),
      new TypeError(
        `Cannot start the server as 'clientConnectedCb' must be a function: received "echo"`,
      ),
    );
    assert.throws(
      () => startServer(() => {}, "127.0.0.1", 0, { limit: -1 }).next(),
      RangeError,
    );
    assert.throws(
      () => openConnection("127.0.0.1", 1, { limit: 0 }).next(),
      RangeError,
    );
    yield* sleep(0);
  }());
});

Deno.test("openConnection({ limit }): readLine() refuses a longer line, the stream goes on", async () => {
  await run(function* () {
    const server = yield* startServer(
      function* (_reader, writer) {
        writer.write(enc("a line that is far too long\nshort\n"));
        yield* writer.drain();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      portOf(server),
      {
        limit: 8,
      },
    );
    // One small write arrives as one chunk: the long line is complete, so
    // readLine() drops all of it and the next line reads normally.
    const error = yield* catching(reader.readLine());
    assert.equal(
      (error as Error).message,
      "Separator is found, but chunk is longer than limit",
    );
    assert.equal(dec(yield* reader.readLine()), "short\n");
    assert.equal((yield* reader.readLine()).length, 0);
    writer.close();
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("StreamReader pauses a TCP transport above twice its limit and resumes as it is read", async () => {
  const total = 1 << 20;
  await run(function* () {
    const server = yield* startServer(
      function* (_reader, writer) {
        const block = new Uint8Array(16384);
        for (let i = 0; i < total / block.length; i++) {
          block.fill(i & 0xff);
          writer.write(block.slice());
          yield* writer.drain();
        }
        writer.close();
        yield* writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      portOf(server),
      {
        limit: 4096,
      },
    );
    const transport = writer.transport as Transport;
    for (let i = 0; i < 2000 && transport.isReading(); i++) yield* sleep(0.001);
    assert.ok(!transport.isReading(), "the reader paused its transport");
    let received = 0;
    while (true) {
      const chunk = yield* reader.read(50000);
      if (chunk.length === 0) break;
      for (let k = 0; k < chunk.length; k += 4096) {
        assert.equal(chunk[k], ((received + k) >> 14) & 0xff);
      }
      received += chunk.length;
    }
    assert.equal(received, total);
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("StreamWriter.drain() waits for a slow peer and keeps the write buffer bounded", async () => {
  const chunk = new Uint8Array(65536).fill(7);
  const maxChunks = 800; // 50 MiB at most, far above any socket buffer
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let startReading!: () => void;
  const started = new Promise<void>((resolve) => startReading = resolve);
  const peer = listener.accept().then(async (conn) => {
    await started;
    const buf = new Uint8Array(65536);
    let total = 0;
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
    }
    conn.close();
    return total;
  });
  const [sent, waited, maxBuffered, received] = await run(function* () {
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      (listener.addr as Deno.NetAddr).port,
    );
    const [, high] = writer.transport.getWriteBufferLimits();
    let sent = 0;
    let waited = 0;
    let maxBuffered = 0;
    for (let i = 0; i < maxChunks; i++) {
      writer.write(chunk);
      sent += chunk.length;
      const buffered = writer.transport.getWriteBufferSize();
      maxBuffered = Math.max(maxBuffered, buffered);
      if (buffered > high) {
        waited++;
        startReading();
        if (waited > 50) break; // the peer reads: enough back-pressure seen
      }
      yield* writer.drain();
      assert.ok(writer.transport.getWriteBufferSize() <= high);
    }
    startReading();
    writer.close();
    yield* writer.waitClosed();
    const received = yield* fromPromise(peer);
    assert.equal(reader.exception(), null);
    return [sent, waited, maxBuffered, received];
  }());
  listener.close();
  assert.ok(waited > 0, "drain() had to wait at least once");
  assert.ok(maxBuffered <= 65536 + chunk.length, `buffered ${maxBuffered}`);
  assert.equal(received, sent);
});

Deno.test("a reset connection: drain() and waitClosed() throw the connection's error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const peer = listener.accept().then(async (conn) => {
    // Closing with unread data: Deno sends a FIN, then the kernel a reset.
    await conn.read(new Uint8Array(1));
    conn.close();
  });
  await run(function* () {
    const [reader, writer] = yield* openConnection(
      "127.0.0.1",
      (listener.addr as Deno.NetAddr).port,
    );
    writer.write(enc("more than the peer will read"));
    yield* writer.drain();
    yield* fromPromise(peer);
    // The FIN reads as EOF; the next write meets the reset.
    assert.equal((yield* reader.read()).length, 0);
    for (let i = 0; i < 1000 && !writer.isClosing(); i++) {
      writer.write(enc("are you there?"));
      yield* sleep(0.001);
    }
    const error = yield* catching(writer.waitClosed());
    assert.ok(
      error instanceof Deno.errors.BrokenPipe ||
        error instanceof Deno.errors.ConnectionReset,
      `got ${error}`,
    );
    assert.equal(reader.exception(), error);
    assert.equal(yield* catching(writer.drain()), error);
    assert.equal(yield* catching(reader.read()), error);
  }());
  listener.close();
});

Deno.test("drain() after the connection closed cleanly throws ConnectionReset", async () => {
  await run(function* () {
    const server = yield* startServer(
      function* (reader, writer) {
        yield* reader.read();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    writer.close();
    yield* writer.waitClosed();
    assert.ok(reader.atEof());
    const error = yield* catching(writer.drain());
    assert.ok(error instanceof Deno.errors.ConnectionReset);
    assert.equal((error as Error).message, "Connection lost");
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("drain() right after close() throws ConnectionReset, as asyncio's raises ConnectionResetError", async () => {
  // The peer is CPython: it accepts, reads to EOF, and closes. Python's own
  // writer.close(); await writer.drain() raises
  // ConnectionResetError('Connection lost') here.
  const peer = new Deno.Command("python3", {
    args: [
      "-c",
      `import socket
s = socket.create_server(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
while c.recv(65536):
    pass
c.close()
s.close()`,
    ],
    stdout: "piped",
  }).spawn();
  const lines = peer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value: first } = await lines.read();
  const port = Number(first!.trim());
  const error = await run(function* () {
    const [_reader, writer] = yield* openConnection("127.0.0.1", port);
    writer.write(enc("last words"));
    writer.close();
    const error = yield* catching(writer.drain());
    // Again, and after the connection is gone: the same error.
    assert.ok(
      (yield* catching(writer.drain())) instanceof Deno.errors.ConnectionReset,
    );
    yield* writer.waitClosed();
    assert.ok(
      (yield* catching(writer.drain())) instanceof Deno.errors.ConnectionReset,
    );
    return error;
  }());
  assert.ok(error instanceof Deno.errors.ConnectionReset, String(error));
  assert.equal((error as Error).message, "Connection lost");
  while (!(await lines.read()).done) { /* to EOF */ }
  assert.equal((await peer.status).code, 0);
});

Deno.test("openConnection() to a port nobody listens on throws ConnectionRefused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await run(function* () {
    const error = yield* catching(openConnection("127.0.0.1", port));
    assert.ok(error instanceof Deno.errors.ConnectionRefused, `got ${error}`);
  }());
});

Deno.test("timeout() around readLine() on a silent server runs on virtual time", async () => {
  const [caught, now] = await run(
    function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          yield* reader.read(); // says nothing until the client leaves
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = yield* openConnection(
        "127.0.0.1",
        portOf(server),
      );
      const caught = yield* catching(timeout(30, reader.readLine()));
      const now = getRunningLoop().time();
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
      return [caught, now];
    }(),
    { virtualTime: true },
  );
  assert.ok(caught instanceof TimeoutError);
  assert.ok(now >= 30 && now < 31, `virtual time ${now}`);
});

Deno.test("StreamWriter.writeEof() half-closes: the peer sees EOF and can still answer", async () => {
  await run(function* () {
    const server = yield* startServer(
      function* (reader, writer) {
        const all = yield* reader.read();
        writer.write(enc(`got ${all.length} bytes`));
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.ok(writer.canWriteEof());
    writer.write(enc("12345"));
    writer.writeEof();
    assert.equal(dec(yield* reader.read()), "got 5 bytes");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("a task cancelled in readLine() leaves the connection usable", async () => {
  await run(function* () {
    const server = yield* startServer(upperLines, "127.0.0.1", 0);
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    const waiting = createTask(reader.readLine());
    yield* sleep(0.01);
    waiting.cancel();
    yield* catching(waiting);
    writer.write(enc("still here\n"));
    assert.equal(dec(yield* reader.readLine()), "STILL HERE\n");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("openUnixConnection() and startUnixServer() exchange length-prefixed messages", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/streams.sock`;
  try {
    await run(function* () {
      const server = yield* startUnixServer(function* (reader, writer) {
        while (true) {
          let header: Uint8Array;
          try {
            header = yield* reader.readExactly(4);
          } catch {
            break; // IncompleteReadError at EOF
          }
          const length = new DataView(header.buffer, header.byteOffset)
            .getUint32(0);
          const body = yield* reader.readExactly(length);
          writer.write(header);
          writer.write(body.reverse());
          yield* writer.drain();
        }
        writer.close();
      }, path);
      assert.deepEqual(server.sockets[0].addr, { transport: "unix", path });
      const [reader, writer] = yield* openUnixConnection(path);
      for (const size of [0, 1, 1000, 200_000]) {
        const body = new Uint8Array(size).map((_, i) => i % 251);
        const header = new Uint8Array(4);
        new DataView(header.buffer).setUint32(0, size);
        writer.writeLines([header, body]);
        yield* writer.drain();
        const back = yield* reader.readExactly(4 + size);
        assert.deepEqual(back.subarray(4), body.reverse());
      }
      assert.equal(
        (writer.getExtraInfo("peername") as Deno.UnixAddr).path,
        path,
      );
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    }());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openConnection({ ssl }) and startServer({ ssl }) speak TLS", async () => {
  await run(function* () {
    const server = yield* startServer(upperLines, "127.0.0.1", 0, {
      ssl: { cert: CERT, key: KEY },
    });
    const [reader, writer] = yield* openConnection(
      "localhost",
      portOf(server),
      {
        ssl: { caCerts: [CA] },
      },
    );
    assert.equal(writer.getExtraInfo("tls"), true);
    assert.ok(!writer.canWriteEof());
    writer.write(enc("secret\n"));
    assert.equal(dec(yield* reader.readLine()), "SECRET\n");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
});

/**
 * A plain-text front for a TLS server: it answers "STARTTLS\n" with
 * "GO\n", then relays bytes both ways, so that the client's TLS handshake
 * reaches the TLS server (Deno cannot upgrade a server-side connection).
 */
function startTlsFront(tlsPort: number) {
  const front = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = front.accept().then(async (conn) => {
    const buf = new Uint8Array(9);
    let got = 0;
    while (got < 9) {
      const n = await conn.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    assert.equal(dec(buf), "STARTTLS\n");
    await conn.write(enc("GO\n"));
    const back = await Deno.connect({ hostname: "127.0.0.1", port: tlsPort });
    await Promise.allSettled([
      conn.readable.pipeTo(back.writable),
      back.readable.pipeTo(conn.writable),
    ]);
  });
  return { port: (front.addr as Deno.NetAddr).port, front, done };
}

Deno.test("StreamWriter.startTls() upgrades a live connection; reader and writer go on over TLS", async () => {
  await run(function* () {
    const server = yield* startServer(upperLines, "127.0.0.1", 0, {
      ssl: { cert: CERT, key: KEY },
    });
    const front = startTlsFront(portOf(server));
    const [reader, writer] = yield* openConnection("127.0.0.1", front.port);
    assert.equal(writer.getExtraInfo("tls"), undefined);
    writer.write(enc("STARTTLS\n"));
    assert.equal(dec(yield* reader.readLine()), "GO\n");
    const plain = writer.transport;
    yield* writer.startTls({ caCerts: [CA] }, { serverHostname: "localhost" });
    assert.notEqual(writer.transport, plain);
    assert.equal(writer.getExtraInfo("tls"), true);
    for (const word of ["one", "two", "three"]) {
      writer.write(enc(`${word}\n`));
      yield* writer.drain();
      assert.equal(dec(yield* reader.readLine()), `${word.toUpperCase()}\n`);
    }
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
    yield* fromPromise(front.done);
    front.front.close();
  }());
});

Deno.test("StreamWriter.startTls() on the server side throws a TypeError (Deno cannot upgrade it)", async () => {
  await run(function* () {
    let error: unknown = null;
    const server = yield* startServer(
      function* (_reader, writer) {
        try {
          yield* writer.startTls({ cert: CERT, key: KEY });
        } catch (e) {
          error = e;
        }
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal((yield* reader.read()).length, 0);
    assert.ok(error instanceof TypeError);
    assert.match((error as Error).message, /serverSide/);
    writer.close();
    server.close();
    yield* server.waitClosed();
  }());
});

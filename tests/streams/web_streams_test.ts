// The Web Streams adapters: StreamReader.readable, StreamWriter.writable and
// StreamReader.fromReadable.

import assert from "node:assert/strict";
import {
  type Future,
  getRunningLoop,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise, sleep } from "../../tasks/mod.ts";
import {
  openConnection,
  startServer,
  StreamReader,
} from "../../streams/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

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

function portOf(server: { sockets: { addr: Deno.Addr }[] }): number {
  return (server.sockets[0].addr as Deno.NetAddr).port;
}

/** A ReadableStream of the given chunks that counts its pulls. */
function counted(chunks: (Uint8Array | string)[]) {
  const state = { pulls: 0, cancelled: null as unknown };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (i < chunks.length) {
        controller.enqueue(chunks[i++] as Uint8Array);
      } else controller.close();
    },
    cancel(reason) {
      state.cancelled = reason ?? "cancelled";
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

Deno.test("StreamReader.readable yields the chunks as fed and ends at EOF", async () => {
  const parts = await run(function* () {
    const reader = new StreamReader();
    assert.equal(reader.readable, reader.readable, "one stream per reader");
    const collecting = fromPromise(Array.fromAsync(reader.readable));
    reader.feedData(enc("one "));
    yield* sleep(0.001);
    reader.feedData(enc("two "));
    reader.feedData(enc("three"));
    reader.feedEof();
    return (yield* collecting).map(dec);
  }());
  assert.deepEqual(parts, ["one ", "two ", "three"]);
});

Deno.test("StreamReader.readable pulls only when read, leaving the rest in the reader", async () => {
  await run(function* () {
    const reader = new StreamReader();
    reader.feedData(enc("ab"));
    reader.feedData(enc("cd"));
    const streamReader = reader.readable.getReader();
    const first = yield* fromPromise(streamReader.read());
    assert.equal(dec(first.value!), "ab");
    yield* sleep(0.001);
    assert.equal(reader.toString(), "<StreamReader 2 bytes>");
    streamReader.releaseLock();
  }());
});

Deno.test("StreamReader.readable errors with the reader's exception", async () => {
  await run(function* () {
    const reader = new StreamReader();
    const collecting = fromPromise(Array.fromAsync(reader.readable));
    reader.feedData(enc("partial"));
    yield* sleep(0.001);
    const boom = new Error("connection broke");
    reader.setException(boom);
    assert.equal(yield* catching(collecting), boom);
  }());
});

Deno.test("StreamReader.readable over a socket, through TextDecoderStream", async () => {
  await run(function* () {
    const server = yield* startServer(
      function* (_reader, writer) {
        for (const word of ["größer ", "als ", "ein ", "Wort"]) {
          writer.write(enc(word));
          yield* writer.drain();
          yield* sleep(0.001);
        }
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    const text = reader.readable.pipeThrough(new TextDecoderStream());
    const parts = yield* fromPromise(Array.fromAsync(text));
    assert.equal(parts.join(""), "größer als ein Wort");
    writer.close();
    yield* writer.waitClosed();
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("StreamReader.readable: cancelling drops the buffer and cancels a Web source", async () => {
  const { stream, state } = counted([enc("a"), enc("b"), enc("c")]);
  await run(function* () {
    const reader = StreamReader.fromReadable(stream);
    const streamReader = reader.readable.getReader();
    assert.equal(dec((yield* fromPromise(streamReader.read())).value!), "a");
    yield* fromPromise(streamReader.cancel("enough"));
    assert.equal(state.cancelled, "enough");
    assert.equal(reader.toString().includes("bytes"), false);
  }());
});

Deno.test("StreamWriter.writable: pipeTo() sends a whole Web stream, then closes the connection", async () => {
  await run(function* () {
    const received = getRunningLoop().createFuture<string>();
    const server = yield* startServer(
      function* (reader, writer) {
        received.setResult(dec(yield* reader.read()));
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = yield* openConnection("127.0.0.1", portOf(server));
    assert.equal(writer.writable, writer.writable, "one stream per writer");
    const words = Array.from({ length: 100 }, (_, i) => `w${i} `);
    const source = ReadableStream.from(words).pipeThrough(
      new TextEncoderStream(),
    );
    yield* fromPromise(source.pipeTo(writer.writable));
    assert.ok(writer.isClosing());
    assert.equal(yield* received, words.join(""));
    assert.ok(reader.atEof());
    server.close();
    yield* server.waitClosed();
  }());
});

Deno.test("StreamWriter.writable waits for drain: a slow peer keeps the write buffer bounded", async () => {
  const chunk = new Uint8Array(65536).fill(1);
  const chunks = 400; // 25 MiB
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let startReading!: () => void;
  const started = new Promise<void>((resolve) => startReading = resolve);
  const peer = listener.accept().then(async (conn) => {
    await started;
    let total = 0;
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
    }
    conn.close();
    return total;
  });
  const [maxBuffered, received] = await run(function* () {
    const [, writer] = yield* openConnection(
      "127.0.0.1",
      (listener.addr as Deno.NetAddr).port,
    );
    const transport = writer.transport as Transport;
    const [, high] = transport.getWriteBufferLimits();
    let maxBuffered = 0;
    let sent = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        const buffered = transport.getWriteBufferSize();
        maxBuffered = Math.max(maxBuffered, buffered);
        if (sent === chunks) {
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    const piping = fromPromise(source.pipeTo(writer.writable));
    // The peer starts reading once the writer is held back.
    for (let i = 0; i < 5000 && transport.getWriteBufferSize() <= high; i++) {
      yield* sleep(0.001);
    }
    assert.ok(transport.getWriteBufferSize() > high, "the writer was paused");
    assert.ok(sent < chunks, "the source was not read ahead");
    startReading();
    yield* piping;
    return [maxBuffered, yield* fromPromise(peer)];
  }());
  listener.close();
  assert.equal(received, chunk.length * chunks);
  assert.ok(maxBuffered <= 65536 + 2 * chunk.length, `buffered ${maxBuffered}`);
});

Deno.test("StreamWriter.writable: abort() aborts the transport; a bad chunk errors the stream", async (t) => {
  await t.step("abort", async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          yield* reader.read();
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
      yield* fromPromise(writer.writable.abort(new Error("stop")));
      assert.ok(writer.isClosing());
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    }());
  });
  await t.step("a string chunk", async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          yield* reader.read();
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
      const w = writer.writable.getWriter();
      const error = yield* catching(
        fromPromise(w.write("text" as unknown as Uint8Array)),
      );
      assert.ok(error instanceof TypeError);
      assert.match((error as Error).message, /must be a Uint8Array/);
      writer.close();
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    }());
  });
});

Deno.test("StreamReader.fromReadable() reads a Web stream with the reader's methods", async () => {
  const { stream } = counted([
    enc("GET / HTTP/1.1\r"),
    enc("\nHost: x\r\n\r\nbo"),
    enc("dy"),
  ]);
  await run(function* () {
    const reader = StreamReader.fromReadable(stream);
    assert.equal(
      dec(yield* reader.readUntil(enc("\r\n"))),
      "GET / HTTP/1.1\r\n",
    );
    assert.equal(
      dec(yield* reader.readUntil(enc("\r\n\r\n"))),
      "Host: x\r\n\r\n",
    );
    assert.equal(dec(yield* reader.read()), "body");
    assert.ok(reader.atEof());
  }());
});

Deno.test("StreamReader.fromReadable() reads its source only as the buffer empties", async () => {
  const chunks = Array.from({ length: 50 }, () => enc("1234"));
  const { stream, state } = counted(chunks);
  await run(function* () {
    const reader = StreamReader.fromReadable(stream, { limit: 4 });
    yield* sleep(0.01);
    // Paused above twice the limit: 3 chunks of 4 bytes, and the one read
    // that was in flight when it paused.
    assert.ok(state.pulls <= 4, `pulled ${state.pulls}`);
    const all = yield* reader.read();
    assert.equal(all.length, 200);
    assert.equal(state.pulls, 51);
  }());
});

Deno.test("StreamReader.fromReadable(): a failing source becomes the reader's exception", async (t) => {
  await t.step("the source errors", async () => {
    const boom = new Error("source failed");
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(enc("some"));
        } else controller.error(boom);
      },
    });
    await run(function* () {
      const reader = StreamReader.fromReadable(stream);
      assert.equal(yield* catching(reader.readExactly(10)), boom);
      assert.equal(reader.exception(), boom);
    }());
  });
  await t.step("a chunk that is not bytes", async () => {
    const { stream, state } = counted(["text"]);
    await run(function* () {
      const reader = StreamReader.fromReadable(stream);
      const error = yield* catching(reader.read());
      assert.ok(error instanceof TypeError);
      assert.match(
        (error as Error).message,
        /a chunk must be a Uint8Array: received "text"/,
      );
      assert.ok(
        state.cancelled instanceof TypeError,
        "the source is cancelled",
      );
    }());
  });
  await t.step("bad arguments", async () => {
    await run(function* () {
      assert.throws(
        // @ts-expect-error: not a stream
        () => StreamReader.fromReadable("text"),
        new TypeError(
          `Cannot create StreamReader from 'stream' as it must be a ReadableStream: received "text"`,
        ),
      );
      const locked = new ReadableStream<Uint8Array>();
      const lock = locked.getReader();
      assert.throws(() => StreamReader.fromReadable(locked), /locked/);
      lock.releaseLock();
      yield* sleep(0);
    }());
  });
});

Deno.test("StreamReader.fromReadable() reads a fetch() body from a loopback server", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("alpha\nbeta\ngamma\n"),
  );
  try {
    const lines = await run(function* () {
      const response = yield* fromPromise(
        fetch(`http://127.0.0.1:${server.addr.port}/`),
      );
      const reader = StreamReader.fromReadable(response.body!);
      const lines: string[] = [];
      while (true) {
        const line = yield* reader.readLine();
        if (line.length === 0) break;
        lines.push(dec(line));
      }
      return lines;
    }());
    assert.deepEqual(lines, ["alpha\n", "beta\n", "gamma\n"]);
  } finally {
    await server.shutdown();
  }
});

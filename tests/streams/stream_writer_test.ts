// streams/stream_writer.ts: StreamWriter over an in-memory transport (the
// same over loopback sockets and with real peers is in streams_net_test.ts
// and tls_peers_test.ts; its Web stream in web_streams_test.ts).

import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { BaseProtocol } from "../../eventloop/protocols.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import {
  FlowControlProtocol,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
} from "../../streams/mod.ts";
import { catching, MemoryTransport } from "./_memory_transport.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A writer over a fresh in-memory transport, with its reader. */
function memoryWriter(): {
  transport: MemoryTransport;
  protocol: StreamReaderProtocol;
  reader: StreamReader;
  writer: StreamWriter;
} {
  const transport = new MemoryTransport();
  const reader = new StreamReader();
  const protocol = new StreamReaderProtocol(reader);
  protocol.connectionMade(transport);
  const writer = new StreamWriter(transport, protocol, { reader });
  return { transport, protocol, reader, writer };
}

Deno.test("StreamWriter checks its arguments", () => {
  assert.throws(
    // @ts-expect-error: not a transport
    () => new StreamWriter(null, new FlowControlProtocol()),
    new TypeError(
      "Cannot create StreamWriter as 'transport' must be a WriteTransport: received null",
    ),
  );
  assert.throws(
    // @ts-expect-error: not a flow-control protocol
    () => new StreamWriter(new MemoryTransport(), new BaseProtocol()),
    /'protocol' must be a FlowControlProtocol: received a BaseProtocol/,
  );
  assert.throws(
    () =>
      new StreamWriter(new MemoryTransport(), new FlowControlProtocol(), {
        // @ts-expect-error: not an option of StreamWriter
        limit: 5,
      }),
    /'limit'/,
  );
});

Deno.test("StreamWriter.drain() waits between pauseWriting() and resumeWriting()", async () => {
  const log: string[] = [];
  await run(
    function* () {
      const transport = new MemoryTransport();
      const protocol = new StreamReaderProtocol(new StreamReader());
      protocol.connectionMade(transport);
      const writer = new StreamWriter(transport, protocol);
      writer.write(enc("x"));
      yield* writer.drain();
      log.push("not paused: at once");
      protocol.pauseWriting();
      const draining = createTask(function* () {
        yield* writer.drain();
        log.push("drained");
      }());
      yield* sleep(5);
      log.push("resume");
      protocol.resumeWriting();
      yield* draining;
      assert.deepEqual(transport.written, ["x"]);
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(log, ["not paused: at once", "resume", "drained"]);
});

Deno.test("StreamWriter.drain() throws ConnectionReset once the connection is lost, paused or not", async () => {
  await run(
    function* () {
      // No reader, so the error can only come from the protocol's state.
      const transport = new MemoryTransport();
      const protocol = new StreamReaderProtocol(null);
      protocol.connectionMade(transport);
      const writer = new StreamWriter(transport, protocol);
      yield* writer.drain();
      protocol.connectionLost(null);
      const error = yield* catching(writer.drain());
      assert.ok(error instanceof Deno.errors.ConnectionReset, String(error));
    }(),
    { virtualTime: true },
  );
});

Deno.test("StreamWriter.drain(): a connection lost while paused wakes drains with its error", async () => {
  await run(
    function* () {
      const transport = new MemoryTransport();
      const reader = new StreamReader();
      const protocol = new StreamReaderProtocol(reader);
      protocol.connectionMade(transport);
      const writer = new StreamWriter(transport, protocol, { reader });
      protocol.pauseWriting();
      const draining = createTask(writer.drain());
      yield* sleep(1);
      const reset = new Deno.errors.ConnectionReset("peer reset");
      transport.closing = true;
      protocol.connectionLost(reset);
      assert.equal(yield* catching(draining), reset);
      assert.equal(
        yield* catching(writer.drain()),
        reset,
        "the reader's error",
      );
      assert.equal(yield* catching(writer.waitClosed()), reset);
      assert.equal(yield* catching(reader.read()), reset);
    }(),
    { virtualTime: true },
  );
});

Deno.test("StreamWriter.drain(): a clean close while paused lets drains return; later drains throw", async () => {
  await run(
    function* () {
      const transport = new MemoryTransport();
      const protocol = new FlowControlProtocol();
      protocol.pauseWriting();
      const draining = createTask(protocol._drainHelper());
      yield* sleep(1);
      protocol.connectionLost(null);
      yield* draining;
      const error = yield* catching(protocol._drainHelper());
      assert.ok(error instanceof Deno.errors.ConnectionReset);
      assert.throws(
        () => new StreamWriter(transport, protocol).waitClosed().next(),
        /does not implement getCloseWaiter/,
      );
    }(),
    { virtualTime: true },
  );
});

Deno.test("StreamWriter passes writes, EOF and extra info to its transport", async () => {
  await run(function* () {
    const transport = new MemoryTransport();
    transport.extra.peername = { transport: "tcp", hostname: "h", port: 1 };
    const protocol = new StreamReaderProtocol(null);
    const writer = new StreamWriter(transport, protocol);
    writer.write(enc("a"));
    writer.writeLines([enc("b"), enc("c")]);
    assert.ok(writer.canWriteEof());
    writer.writeEof();
    assert.deepEqual(transport.written, ["a", "b", "c", "<eof>"]);
    assert.deepEqual(writer.getExtraInfo("peername"), {
      transport: "tcp",
      hostname: "h",
      port: 1,
    });
    assert.equal(writer.getExtraInfo("missing", 7), 7);
    assert.equal(writer.transport, transport);
    assert.throws(
      // @ts-expect-error: a string is not bytes
      () => writer.write("text"),
      new TypeError(
        `Cannot write to the StreamWriter as 'data' must be a Uint8Array: received "text"`,
      ),
    );
    assert.ok(!writer.isClosing());
    writer.close();
    assert.ok(writer.isClosing());
    // drain() on a closing transport gives the loop a turn, then throws
    // asyncio's ConnectionResetError('Connection lost').
    let turns = 0;
    getRunningLoop().callSoon(() => turns++);
    let error: unknown;
    try {
      yield* writer.drain();
    } catch (e) {
      error = e;
    }
    assert.equal(turns, 1);
    assert.ok(error instanceof Deno.errors.ConnectionReset);
    assert.equal((error as Error).message, "Connection lost");
  }());
});

Deno.test("StreamWriter.writeLines() with one bad chunk writes none of them", async () => {
  await run(function* () {
    const { transport, writer } = memoryWriter();
    assert.throws(
      // @ts-expect-error: a string among the chunks
      () => writer.writeLines([enc("a"), "b", enc("c")]),
      TypeError,
    );
    assert.deepEqual(transport.written, []);
    writer.writeLines([enc("a"), enc("c")]);
    assert.deepEqual(transport.written, ["a", "c"]);
  }());
});

Deno.test("StreamWriter.drain() with nothing to wait for returns without giving the loop a turn", async () => {
  await run(function* () {
    const { writer } = memoryWriter();
    let turns = 0;
    getRunningLoop().callSoon(() => turns++);
    writer.write(enc("x"));
    yield* writer.drain();
    assert.equal(turns, 0, "drain() suspended");
    yield* sleep(0);
    assert.equal(turns, 1);
  }());
});

Deno.test("StreamWriter.drain() throws the reader's error first, paused or not", async () => {
  await run(function* () {
    const { protocol, reader, writer } = memoryWriter();
    const error = new Deno.errors.ConnectionAborted("gone");
    reader.setException(error);
    assert.equal(yield* catching(writer.drain()), error);
    protocol.pauseWriting();
    assert.equal(yield* catching(writer.drain()), error);
  }());
});

Deno.test("StreamWriter.waitClosed() returns once the connection is lost", async () => {
  await run(
    function* () {
      const { protocol, writer } = memoryWriter();
      let closed = false;
      const waiting = createTask(function* () {
        yield* writer.waitClosed();
        closed = true;
      }());
      yield* sleep(1);
      assert.equal(closed, false);
      protocol.connectionLost(null);
      yield* waiting;
      assert.ok(closed);
      // And at once afterwards.
      yield* writer.waitClosed();
    }(),
    { virtualTime: true },
  );
});

Deno.test("StreamWriter.startTls() refuses while its reader holds bytes not read yet", async () => {
  await run(function* () {
    const { protocol, transport, writer } = memoryWriter();
    protocol.dataReceived(enc("early"));
    const error = yield* catching(writer.startTls(true));
    assert.ok(error instanceof Error);
    assert.equal(
      error.message,
      "Cannot start TLS as the reader holds 5 bytes not read yet: the peer sent them after its go-ahead, in plain text",
    );
    assert.equal(transport.closing, false, "the transport was not touched");
  }());
});

Deno.test("StreamWriter's text form names its transport and reader", async () => {
  await run(function* () {
    const transport = new MemoryTransport();
    const protocol = new FlowControlProtocol();
    assert.equal(
      String(new StreamWriter(transport, protocol)),
      "<StreamWriter transport=[object Object]>",
    );
    const reader = new StreamReader();
    assert.equal(
      String(new StreamWriter(transport, protocol, { reader })),
      "<StreamWriter transport=[object Object] reader=<StreamReader>>",
    );
  }());
});

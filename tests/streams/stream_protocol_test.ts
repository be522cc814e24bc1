// StreamReaderProtocol, FlowControlProtocol and StreamWriter without sockets:
// the protocol events are called directly, as a transport would.

import assert from "node:assert/strict";
import { type Future, getRunningLoop, run } from "../../eventloop/mod.ts";
import type { Transport } from "../../eventloop/transports.ts";
import { BaseProtocol } from "../../eventloop/protocols.ts";
import { type Coroutine, createTask, sleep } from "../../tasks/mod.ts";
import {
  FlowControlProtocol,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
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

/** An in-memory transport that records what is written and done to it. */
class MemoryTransport implements Transport {
  written: string[] = [];
  closing = false;
  reading = true;
  extra: Record<string, unknown> = {};
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.extra ? this.extra[name] : defaultValue;
  }
  isClosing(): boolean {
    return this.closing;
  }
  close(): void {
    this.closing = true;
  }
  setProtocol(_protocol: BaseProtocol): void {}
  getProtocol(): BaseProtocol {
    return new BaseProtocol();
  }
  isReading(): boolean {
    return this.reading;
  }
  pauseReading(): void {
    this.reading = false;
  }
  resumeReading(): void {
    this.reading = true;
  }
  setWriteBufferLimits(): void {}
  getWriteBufferSize(): number {
    return 0;
  }
  getWriteBufferLimits(): [number, number] {
    return [0, 0];
  }
  write(data: Uint8Array): void {
    this.written.push(dec(data));
  }
  writeLines(chunks: Iterable<Uint8Array>): void {
    for (const chunk of chunks) this.write(chunk);
  }
  writeEof(): void {
    this.written.push("<eof>");
  }
  canWriteEof(): boolean {
    return true;
  }
  abort(): void {
    this.closing = true;
  }
}

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

Deno.test("StreamReaderProtocol feeds its reader and ends it on connectionLost()", async (t) => {
  await t.step("data, EOF, and the transport kept half-open", async () => {
    await run(function* () {
      const reader = new StreamReader();
      const protocol = new StreamReaderProtocol(reader);
      const transport = new MemoryTransport();
      protocol.connectionMade(transport);
      protocol.dataReceived(enc("hello "));
      protocol.dataReceived(enc("world"));
      assert.equal(protocol.eofReceived(), true, "plain TCP stays half-open");
      assert.equal(dec(yield* reader.read()), "hello world");
      protocol.connectionLost(null);
      const writer = new StreamWriter(transport, protocol);
      yield* writer.waitClosed();
    }());
  });
  await t.step("over TLS, EOF closes the transport", () => {
    const protocol = new StreamReaderProtocol(new StreamReader());
    const transport = new MemoryTransport();
    transport.extra.tls = true;
    protocol.connectionMade(transport);
    assert.equal(protocol.eofReceived(), false);
  });
  await t.step("the reader pauses the protocol's transport", () => {
    const reader = new StreamReader({ limit: 2 });
    const protocol = new StreamReaderProtocol(reader);
    const transport = new MemoryTransport();
    protocol.connectionMade(transport);
    protocol.dataReceived(enc("12345"));
    assert.equal(transport.reading, false);
  });
});

Deno.test("StreamReaderProtocol calls the client callback with a new writer; plain and generator callbacks", async () => {
  await run(function* () {
    const calls: string[] = [];
    const plain = new StreamReaderProtocol(new StreamReader(), {
      clientConnectedCb: (_reader, writer) => {
        writer.write(enc("plain"));
        calls.push("plain");
      },
    });
    const t1 = new MemoryTransport();
    plain.connectionMade(t1);
    assert.deepEqual(calls, ["plain"], "called at once");
    const gen = new StreamReaderProtocol(new StreamReader(), {
      clientConnectedCb: function* (reader, writer) {
        calls.push("task started");
        writer.write(yield* reader.readExactly(3));
        writer.close();
      },
    });
    const t2 = new MemoryTransport();
    gen.connectionMade(t2);
    assert.deepEqual(calls, ["plain"], "the coroutine runs as a task");
    yield* sleep(0);
    gen.dataReceived(enc("abc"));
    yield* sleep(0);
    yield* sleep(0);
    assert.deepEqual(calls, ["plain", "task started"]);
    assert.deepEqual(t1.written, ["plain"]);
    assert.deepEqual(t2.written, ["abc"]);
    assert.ok(t2.closing);
  }());
});

Deno.test("StreamReaderProtocol: a plain callback that throws is reported and closes the transport", async () => {
  const messages: string[] = [];
  await run(function* () {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, context) =>
      messages.push(
        `${context.message}: ${(context.exception as Error).message}`,
      )
    );
    const protocol = new StreamReaderProtocol(new StreamReader(), {
      clientConnectedCb: () => {
        throw new Error("bad callback");
      },
    });
    const transport = new MemoryTransport();
    protocol.connectionMade(transport);
    assert.ok(transport.closing);
    yield* sleep(0);
  }());
  assert.deepEqual(messages, [
    "Unhandled exception in client_connected_cb: bad callback",
  ]);
});

Deno.test("StreamReaderProtocol and StreamWriter check their arguments", () => {
  assert.throws(
    () =>
      new StreamReaderProtocol(new StreamReader(), {
        // @ts-expect-error: not a function
        clientConnectedCb: 42,
      }),
    new TypeError(
      "Cannot create StreamReaderProtocol as 'clientConnectedCb' must be a function: received 42",
    ),
  );
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

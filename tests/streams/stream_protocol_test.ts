// StreamReaderProtocol and FlowControlProtocol without sockets: the protocol
// events are called directly, as a transport would (StreamWriter over them
// is tests/streams/stream_writer_test.ts).

import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { sleep } from "../../tasks/mod.ts";
import {
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
} from "../../streams/mod.ts";
import { MemoryTransport } from "./_memory_transport.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

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

Deno.test("StreamReaderProtocol checks its arguments", () => {
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
});

Deno.test("StreamReaderProtocol reads into its reader's one reused buffer: reads copy out only what they return", async (t) => {
  /** Makes a protocol over a fresh reader, and a feeder of its buffer. */
  function setup() {
    const reader = new StreamReader();
    const protocol = new StreamReaderProtocol(reader);
    /** One transport read: `bytes` land in getBuffer()'s buffer. */
    const feed = (bytes: Uint8Array): Uint8Array => {
      const buffer = protocol.getBuffer(-1);
      assert.ok(buffer.length >= bytes.length, "room for the read");
      buffer.set(bytes);
      protocol.bufferUpdated(bytes.length);
      return buffer;
    };
    return { reader, protocol, feed };
  }
  const bytes = (n: number, from = 0) =>
    Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

  await t.step(
    "messages that share a read come out as arrays of their own",
    async () => {
      await run(function* () {
        const { reader, feed, protocol } = setup();
        const buffer = feed(bytes(30));
        const got = [];
        for (let i = 0; i < 3; i++) got.push(yield* reader.readExactly(10));
        for (const [i, m] of got.entries()) {
          assert.deepEqual(m, bytes(10, 10 * i));
          assert.equal(m.buffer.byteLength, 10, "an exact-size copy");
        }
        // Everything was read: the next read goes to the start of the same
        // buffer, and what was returned stays as it was.
        const again = protocol.getBuffer(-1);
        assert.ok(again.buffer === buffer.buffer, "the same buffer");
        assert.equal(again.byteOffset, 0);
        again.fill(0xee);
        assert.deepEqual(got[0], bytes(10));
      }());
    },
  );

  await t.step(
    "a message split over two reads is read after the first part, and taken in one piece",
    async () => {
      await run(function* () {
        const { reader, feed, protocol } = setup();
        const first = feed(bytes(100));
        const tail = protocol.getBuffer(-1);
        assert.ok(tail.buffer === first.buffer, "the same buffer");
        assert.equal(tail.byteOffset, 100);
        feed(bytes(100, 100));
        const message = yield* reader.readExactly(200);
        assert.deepEqual(message, bytes(200));
        assert.equal(message.buffer.byteLength, 200);
      }());
    },
  );

  await t.step(
    "unread bytes are copied out when the room after them runs short",
    async () => {
      await run(function* () {
        const { reader, feed, protocol } = setup();
        const size = protocol.getBuffer(-1).length;
        const first = feed(bytes(size - 10));
        yield* reader.readExactly(size - 20); // 10 bytes stay unread
        const next = protocol.getBuffer(-1);
        assert.ok(next.buffer === first.buffer, "the same buffer");
        assert.equal(next.byteOffset, 0, "read from the start again");
        next.fill(0xee);
        protocol.bufferUpdated(5);
        assert.deepEqual(
          yield* reader.readExactly(15),
          Uint8Array.from([
            ...bytes(10, size - 20),
            0xee,
            0xee,
            0xee,
            0xee,
            0xee,
          ]),
        );
      }());
    },
  );

  await t.step(
    "a nearly full large buffer is handed over, unless reads are BYOB",
    async () => {
      await run(function* () {
        const { reader, feed, protocol } = setup();
        // Reads that fill the buffer grow it (256 B, 1 KiB, 4 KiB, 16 KiB).
        while (protocol.getBuffer(-1).length < 16384) {
          const n = protocol.getBuffer(-1).length;
          feed(bytes(n));
          yield* reader.readExactly(n);
        }
        const big = feed(bytes(16000));
        const message = yield* reader.readExactly(16000);
        assert.ok(message.buffer === big.buffer, "handed over, not copied");
        assert.ok(protocol.getBuffer(-1).buffer !== big.buffer, "a new one");
        // The same for a message that fills it in two reads.
        const halves = feed(bytes(8000));
        feed(bytes(8000, 8000));
        const joined = yield* reader.readExactly(16000);
        assert.ok(joined.buffer === halves.buffer, "handed over, not copied");
        assert.deepEqual(joined, bytes(16000));

        // Once reads are BYOB, a nearly full buffer stays with the reader.
        const into = new Uint8Array(16384);
        feed(bytes(10));
        assert.equal(yield* reader.readInto(into), 10);
        const reused = protocol.getBuffer(-1);
        assert.ok(reused.length >= 16384);
        feed(bytes(reused.length - 10));
        assert.equal(yield* reader.readInto(into), reused.length - 10);
        assert.deepEqual(into.subarray(0, 5), bytes(5));
        assert.ok(
          protocol.getBuffer(-1).buffer === reused.buffer,
          "BYOB reads keep the buffer",
        );
      }());
    },
  );
});

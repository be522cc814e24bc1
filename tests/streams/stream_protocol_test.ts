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

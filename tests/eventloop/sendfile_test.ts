// loop.sendfile(): real files sent to a python3 peer that checks what it got.
import assert from "node:assert/strict";
import {
  type BaseProtocol,
  type Future,
  getRunningLoop,
  Protocol,
  run,
  SendfileNotAvailableError,
  type Transport,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  sleep,
} from "../../tasks/mod.ts";
import { openConnection } from "../../streams/mod.ts";

const SINK = new URL("./_fixtures/py_sink.py", import.meta.url);

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

/** A python3 peer on a free port; `result` is its "<bytes> <sha256>" line. */
async function startSink(slow: number, ...mode: string[]) {
  const child = new Deno.Command("python3", {
    args: [SINK.pathname, String(slow), ...mode],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const next = async (): Promise<string> => {
    while (!text.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the peer ended early: ${text}`);
      text += value;
    }
    const i = text.indexOf("\n");
    const line = text.slice(0, i);
    text = text.slice(i + 1);
    return line;
  };
  const port = Number(await next());
  return {
    port,
    next,
    async end() {
      await lines.cancel();
      return await child.status;
    },
  };
}

/** A file of `size` bytes with a pattern that shows misplaced chunks. */
function makeFile(
  size: number,
): { path: string; data: Uint8Array<ArrayBuffer> } {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 16)) & 0xff;
  const path = Deno.makeTempFileSync();
  Deno.writeFileSync(path, data);
  return { path, data };
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Records the flow-control calls and the loss of its connection. */
class Watch extends Protocol {
  calls: string[] = [];
  transport: Transport | null = null;
  lost: Future<Error | null> = getRunningLoop().createFuture();
  override connectionMade(transport: Transport) {
    this.transport = transport;
  }
  override pauseWriting() {
    this.calls.push("pause");
  }
  override resumeWriting() {
    this.calls.push("resume");
  }
  override dataReceived(data: Uint8Array) {
    this.calls.push(`data ${data.length}`);
  }
  override connectionLost(error: Error | null) {
    this.lost.setResult(error);
  }
}

function* connect(port: number): Coroutine<[Transport, Watch]> {
  return yield* getRunningLoop().createConnection(
    () => new Watch(),
    "127.0.0.1",
    port,
  );
}

test("loop.sendfile() sends 20 MiB to a slow python3 peer without buffering more than a chunk past the high-water mark", async () => {
  const { path, data } = makeFile(20 << 20);
  const peer = await startSink(1);
  try {
    const most = await run(function* () {
      const [transport, protocol] = yield* connect(peer.port);
      let most = 0;
      let sending = true;
      const sampler = createTask(function* () {
        while (sending) {
          most = Math.max(most, transport.getWriteBufferSize());
          yield* sleep(0.002);
        }
      }());
      using file = yield* fromPromise(Deno.open(path));
      const sent = yield* getRunningLoop().sendfile(transport, file);
      sending = false;
      yield* sampler;
      assert.equal(sent, data.length);
      assert.equal(file.seekSync(0, Deno.SeekMode.Current), data.length);
      // The protocol heard nothing while the file was sent, and has its
      // transport back.
      assert.deepEqual(protocol.calls, []);
      assert.equal(transport.getProtocol(), protocol);
      transport.close();
      assert.equal(yield* protocol.lost, null);
      return most;
    }());
    assert.equal(await peer.next(), `${data.length} ${await sha256(data)}`);
    assert.ok(most > 0, "never sampled a buffered write");
    assert.ok(most <= 65536 + 65536, `buffered ${most} bytes`);
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

test("loop.sendfile() sends `count` bytes from `offset`, stops at the end of the file, and leaves the position after what it sent", async () => {
  const { path, data } = makeFile(300_000);
  for (
    const [offset, count, expected] of [
      [1000, 150_000, 150_000],
      [250_000, 100_000, 50_000], // the file ends first
      [0, null, 300_000],
    ] as const
  ) {
    const peer = await startSink(0);
    try {
      await run(function* () {
        const [transport, protocol] = yield* connect(peer.port);
        using file = yield* fromPromise(Deno.open(path));
        file.seekSync(12345, Deno.SeekMode.Start); // ignored: offset counts
        const sent = yield* getRunningLoop().sendfile(
          transport,
          file,
          offset,
          count,
        );
        assert.equal(sent, expected);
        assert.equal(
          file.seekSync(0, Deno.SeekMode.Current),
          offset + expected,
        );
        transport.close();
        yield* protocol.lost;
      }());
      const slice = data.subarray(offset, offset + expected);
      assert.equal(await peer.next(), `${expected} ${await sha256(slice)}`);
    } finally {
      await peer.end();
    }
  }
  Deno.removeSync(path);
});

test("loop.sendfile() through a StreamWriter's transport: writes before and after arrive in order, and reading resumes", async () => {
  const { path, data } = makeFile(1 << 20);
  const peer = await startSink(0.2, "reply");
  try {
    const reply = await run(function* () {
      const [reader, writer] = yield* openConnection("127.0.0.1", peer.port);
      writer.write(new TextEncoder().encode("HEAD"));
      using file = yield* fromPromise(Deno.open(path));
      yield* getRunningLoop().sendfile(writer.transport, file);
      writer.write(new TextEncoder().encode("TAIL"));
      yield* writer.drain();
      writer.writeEof();
      const line = yield* reader.readLine();
      writer.close();
      yield* writer.waitClosed();
      return new TextDecoder().decode(line).trim();
    }());
    const whole = new Uint8Array(data.length + 8);
    whole.set(new TextEncoder().encode("HEAD"));
    whole.set(data, 4);
    whole.set(new TextEncoder().encode("TAIL"), data.length + 4);
    const expected = `${whole.length} ${await sha256(whole)}`;
    assert.equal(reply, expected);
    assert.equal(await peer.next(), expected);
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

test("loop.sendfile() hands the flow-control state back: a protocol paused before is resumed after", async () => {
  const { path } = makeFile(1000);
  const peer = await startSink(0.3);
  try {
    await run(function* () {
      const [transport, protocol] = yield* connect(peer.port);
      // Far over the high-water mark (more than the socket buffers take)
      // before the file: the protocol is paused when sendfile starts.
      transport.write(new Uint8Array(32 << 20));
      using file = yield* fromPromise(Deno.open(path));
      assert.deepEqual(protocol.calls, ["pause"]);
      yield* getRunningLoop().sendfile(transport, file);
      for (let i = 0; i < 1000 && transport.getWriteBufferSize() > 0; i++) {
        yield* sleep(0.01);
      }
      assert.equal(transport.getWriteBufferSize(), 0, "the buffer drains");
      yield* sleep(0.01);
      // The transport told sendfile, not the protocol, that it drained; so
      // sendfile tells the protocol when it gives the transport back.
      assert.deepEqual(protocol.calls, ["pause", "resume"]);
      transport.close();
      yield* protocol.lost;
    }());
    assert.match(await peer.next(), new RegExp(`^${(32 << 20) + 1000} `));
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

test("loop.sendfile() cancelled midway: the position says what was handed over, and the protocol has its transport back", async () => {
  // 32 MiB, as above: more than the sink reads in 0.2 s plus what loopback's
  // socket buffers hold.
  const { path, data } = makeFile(32 << 20);
  const peer = await startSink(30);
  try {
    const position = await run(function* () {
      const [transport, protocol] = yield* connect(peer.port);
      using file = yield* fromPromise(Deno.open(path));
      const send = createTask(
        getRunningLoop().sendfile(transport, file, 100),
      );
      yield* sleep(0.2);
      assert.equal(send.done(), false, "the slow peer should hold it back");
      send.cancel();
      try {
        yield* send;
        assert.fail("not cancelled");
      } catch (error) {
        assert.equal((error as Error).name, "CancelledError");
      }
      yield* sleep(0.05); // a read still in flight settles
      const position = file.seekSync(0, Deno.SeekMode.Current);
      assert.equal(transport.getProtocol(), protocol as BaseProtocol);
      assert.equal(transport.isReading(), true);
      transport.close(); // flushes what was handed over
      assert.equal(yield* protocol.lost, null);
      return position;
    }());
    const sent = position - 100;
    assert.ok(sent > 0 && sent < data.length, `position ${position}`);
    // Exactly what the peer received, no more (a chunk read but not yet
    // written when the cancellation came does not count).
    assert.equal(
      await peer.next(),
      `${sent} ${await sha256(data.slice(100, position))}`,
    );
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

test("loop.sendfile(): a peer that resets midway fails the send and the protocol loses its connection", async () => {
  const { path } = makeFile(8 << 20);
  const peer = await startSink(0, "hangup", String(1 << 20));
  try {
    const [error, lost] = await run(function* () {
      const [transport, protocol] = yield* connect(peer.port);
      using file = yield* fromPromise(Deno.open(path));
      let error: unknown = null;
      try {
        yield* getRunningLoop().sendfile(transport, file);
      } catch (e) {
        error = e;
      }
      return [error, yield* protocol.lost];
    }());
    assert.ok(error instanceof Error, `sendfile returned: ${error}`);
    assert.ok(lost instanceof Error, `connectionLost(${lost})`);
    assert.equal(await peer.next(), "hung up");
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

test("loop.sendfile() refuses bad arguments and fallback: false before sending anything", async () => {
  const { path } = makeFile(1000);
  const peer = await startSink(0);
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const [transport, protocol] = yield* connect(peer.port);
      using file = yield* fromPromise(Deno.open(path));
      const rejects = (
        body: () => Coroutine<number>,
        check: (e: Error) => boolean,
      ) => assert.throws(() => body().next(), check);
      rejects(
        () => loop.sendfile(transport, file, 0, null, { fallback: false }),
        (e) =>
          e instanceof SendfileNotAvailableError &&
          /Deno has no zero-copy sendfile/.test(e.message),
      );
      rejects(
        () => loop.sendfile(transport, file, -1),
        (e) =>
          e instanceof RangeError && /'offset'.*received -1/.test(e.message),
      );
      rejects(
        () => loop.sendfile(transport, file, 0, 0),
        (e) => e instanceof RangeError && /'count'.*received 0/.test(e.message),
      );
      rejects(
        () => loop.sendfile(transport, file, "0" as never),
        (e) => e instanceof TypeError && /'offset'/.test(e.message),
      );
      rejects(
        () => loop.sendfile(transport, "file.txt" as never),
        (e) =>
          e instanceof TypeError &&
          /'file' must be a Deno.FsFile/.test(e.message),
      );
      rejects(
        () =>
          loop.sendfile(transport, file, 0, null, {
            fall_back: false,
          } as never),
        (e) =>
          e instanceof TypeError &&
          /'fall_back' is not one of its options \(did you mean 'fallback'\?\)/
            .test(e.message),
      );
      rejects(
        () =>
          loop.sendfile(transport, file, 0, null, { fallback: "no" as never }),
        (e) => e instanceof TypeError && /'fallback'/.test(e.message),
      );
      const [pipe] = yield* loop.connectWritePipe(
        () => new Protocol(),
        new WritableStream(),
      );
      rejects(
        () => loop.sendfile(pipe, file),
        (e) => /sendfile is not supported for transport/.test(e.message),
      );
      pipe.close();
      assert.equal(file.seekSync(0, Deno.SeekMode.Current), 0);
      transport.close();
      rejects(
        () => loop.sendfile(transport, file),
        (e) => /the transport is closing/.test(e.message),
      );
      yield* protocol.lost;
    }());
    assert.equal(await peer.next(), `0 ${await sha256(new Uint8Array())}`);
  } finally {
    await peer.end();
    Deno.removeSync(path);
  }
});

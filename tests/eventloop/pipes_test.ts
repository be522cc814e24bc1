// loop.connectReadPipe() / loop.connectWritePipe(): a child's real standard
// input and output, FIFOs shared with python3, and Web streams.
import assert from "node:assert/strict";
import {
  type Future,
  getLogger,
  getRunningLoop,
  type LogRecord,
  Protocol,
  type ReadTransport,
  run,
  type Transport,
  type WriteTransport,
} from "../../eventloop/mod.ts";
import { fromPromise, sleep } from "../../tasks/mod.ts";

const CHILD = new URL("./_fixtures/pipe_child.ts", import.meta.url);

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

function spawnChild(mode: string, stdout: "piped" | "null" = "null") {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-check", CHILD.href, mode],
    stdin: stdout === "null" ? "piped" : "null",
    stdout,
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Fails after `seconds` unless `promise` settles first. */
async function within<T>(promise: Promise<T>, seconds: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not done within ${seconds} s`)),
          seconds * 1000,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects data and logs the events of a read pipe. */
class Collect extends Protocol {
  events: string[] = [];
  chunks: Uint8Array[] = [];
  transport: Transport | null = null;
  done: Future<void> = getRunningLoop().createFuture<void>();
  override connectionMade(transport: Transport) {
    this.transport = transport;
    this.events.push("connectionMade");
  }
  override dataReceived(data: Uint8Array) {
    this.events.push(`data ${new TextDecoder().decode(data)}`);
    this.chunks.push(data);
  }
  override eofReceived() {
    this.events.push("eof");
  }
  override connectionLost(error: Error | null) {
    this.events.push(`lost ${error?.message ?? null}`);
    this.done.setResult();
  }
}

function mkfifo(): { dir: string; path: string } {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/fifo`;
  const { success } = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  assert.ok(success, "mkfifo failed");
  return { dir, path };
}

test("loop.connectReadPipe() reads a child's real stdin: connectionMade, data, eofReceived, then connectionLost(null)", async () => {
  const child = spawnChild("count");
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  const chunk = new Uint8Array(16384).fill(97);
  for (let i = 0; i < 64; i++) await writer.write(chunk);
  await writer.close();
  const status = await within(child.status, 30);
  const text = await stderr;
  assert.equal(status.code, 0, text);
  assert.equal(
    text.trim(),
    "connectionMade,data,eof,lost null bytes=1048576",
  );
});

test("loop.connectReadPipe(): a program that returns with stdin still open ends, and the pipe is reported unclosed", async () => {
  const child = spawnChild("leave-open");
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("x"));
  // stdin stays open: the child must not wait for its end.
  let status: Deno.CommandStatus;
  try {
    status = await within(child.status, 30);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  } finally {
    await writer.close().catch(() => {});
  }
  const text = await stderr;
  assert.equal(status.code, 0, text);
  assert.match(text, /^read 1, returning$/m);
  assert.match(text, /Unclosed read pipe transport for stdin/);
});

test("loop.connectWritePipe() on Deno.stdout pauses the protocol while a slow reader lags", async () => {
  const child = spawnChild("flood", "piped");
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.length;
    // A slow reader: the child's writes outrun it.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const status = await within(child.status, 60);
  const text = await stderr;
  assert.equal(status.code, 0, text);
  assert.equal(total, 128 * 65536);
  const match = text.match(/paused=(\d+) most=(\d+)/);
  assert.ok(match, text);
  assert.ok(Number(match[1]) >= 1, `never paused: ${text}`);
  // The high-water mark (64 KiB) plus the chunk that crossed it.
  assert.ok(Number(match[2]) <= 2 * 65536, `buffered too much: ${text}`);
});

test("loop.connectReadPipe() reads a FIFO that python3 writes to", async () => {
  const { dir, path } = mkfifo();
  const writer = new Deno.Command("python3", {
    args: [
      "-c",
      "import sys\nwith open(sys.argv[1], 'wb') as f:\n  f.write(b'from python\\n')",
      path,
    ],
  }).spawn();
  try {
    const protocol = await run(function* () {
      const loop = getRunningLoop();
      const file = yield* fromPromise(Deno.open(path, { read: true }));
      const [transport, protocol] = yield* loop.connectReadPipe(
        () => new Collect(),
        file,
      );
      assert.equal(transport.getExtraInfo("pipe"), file);
      yield* protocol.done;
      return protocol;
    }());
    assert.deepEqual(protocol.events, [
      "connectionMade",
      "data from python\n",
      "eof",
      "lost null",
    ]);
    assert.equal((await writer.status).code, 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

test("loop.connectWritePipe() writes 1 MiB into a FIFO that python3 reads, then closes it", async () => {
  const { dir, path } = mkfifo();
  const reader = new Deno.Command("python3", {
    args: [
      "-c",
      "import sys, hashlib\ndata = open(sys.argv[1], 'rb').read()\nprint(len(data), hashlib.sha256(data).hexdigest())",
      path,
    ],
    stdout: "piped",
  }).spawn();
  const data = new Uint8Array(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const file = yield* fromPromise(Deno.open(path, { write: true }));
      const lost = loop.createFuture<Error | null>();
      class Closed extends Protocol {
        override connectionLost(error: Error | null) {
          lost.setResult(error);
        }
      }
      const [transport] = yield* loop.connectWritePipe(
        () => new Closed(),
        file,
      );
      for (let i = 0; i < data.length; i += 65536) {
        transport.write(data.subarray(i, i + 65536));
      }
      transport.close();
      assert.equal(yield* lost, null);
    }());
    const { stdout, code } = await reader.output();
    assert.equal(code, 0);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    assert.equal(new TextDecoder().decode(stdout).trim(), `${1 << 20} ${hex}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

test("loop.connectReadPipe(): pauseReading() holds chunks of a ReadableStream until resumeReading()", async () => {
  const encoder = new TextEncoder();
  const events = await run(function* () {
    const loop = getRunningLoop();
    const pipe = ReadableStream.from(
      ["a", "b", "c"].map((s) => encoder.encode(s)),
    );
    class PauseAfterFirst extends Collect {
      override dataReceived(data: Uint8Array) {
        super.dataReceived(data);
        if (this.chunks.length === 1) {
          (this.transport as ReadTransport).pauseReading();
        }
      }
    }
    const [transport, protocol] = yield* loop.connectReadPipe(
      () => new PauseAfterFirst(),
      pipe,
    );
    for (let i = 0; i < 10; i++) yield* sleep(0.001);
    assert.deepEqual(protocol.events, ["connectionMade", "data a"]);
    assert.equal(transport.isReading(), false);
    transport.resumeReading();
    yield* protocol.done;
    return protocol.events;
  }());
  assert.deepEqual(events, [
    "connectionMade",
    "data a",
    "data b",
    "data c",
    "eof",
    "lost null",
  ]);
});

test("loop.connectWritePipe(): a failing WritableStream ends the transport with connectionLost(error)", async () => {
  const error = await run(function* () {
    const loop = getRunningLoop();
    const sink = new WritableStream<Uint8Array>({
      write() {
        throw new Error("disk full");
      },
    });
    const lost = loop.createFuture<Error | null>();
    class Closed extends Protocol {
      override connectionLost(error: Error | null) {
        lost.setResult(error);
      }
    }
    const [transport] = yield* loop.connectWritePipe(() => new Closed(), sink);
    transport.write(new Uint8Array([1]));
    const error = yield* lost;
    assert.equal(transport.isClosing(), true);
    transport.write(new Uint8Array([2])); // dropped, as asyncio does
    return error;
  }());
  assert.equal(error?.message, "disk full");
});

test("loop.connectReadPipe() / connectWritePipe() refuse what is not a pipe, before touching it", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    for (const bad of [null, 42, "stdin", {}, { readable: "no" }]) {
      assert.throws(
        () => loop.connectReadPipe(() => new Protocol(), bad as never).next(),
        (e: Error) =>
          e instanceof TypeError &&
          /'pipe' must be a ReadableStream/.test(e.message),
      );
    }
    for (const bad of [null, Deno.stdin, new ReadableStream()]) {
      assert.throws(
        () => loop.connectWritePipe(() => new Protocol(), bad as never).next(),
        (e: Error) =>
          e instanceof TypeError &&
          /'pipe' must be a WritableStream/.test(e.message),
      );
    }
    assert.throws(
      () => loop.connectReadPipe(null as never, new ReadableStream()).next(),
      /'protocolFactory' must be a function: received null/,
    );
    const locked = new ReadableStream<Uint8Array>();
    const lock = locked.getReader();
    assert.throws(
      () => loop.connectReadPipe(() => new Protocol(), locked).next(),
      (e: Error) => e instanceof TypeError && /is locked/.test(e.message),
    );
    lock.releaseLock();
    // A factory that throws leaves the stream untouched.
    const stream = new ReadableStream<Uint8Array>();
    assert.throws(
      () =>
        loop.connectReadPipe(() => {
          throw new RangeError("no protocol");
        }, stream).next(),
      RangeError,
    );
    assert.equal(stream.locked, false);
    yield* sleep(0);
  }());
});

test("loop.connectReadPipe(): a pipe left open when the loop closes is reported and cancelled", async () => {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => void records.push(record);
  getLogger().addHandler(handler);
  let cancelled = false;
  try {
    await run(function* () {
      const pipe = new ReadableStream<Uint8Array>({
        cancel() {
          cancelled = true;
        },
      });
      yield* getRunningLoop().connectReadPipe(() => new Protocol(), pipe);
    }());
  } finally {
    getLogger().removeHandler(handler);
  }
  assert.equal(cancelled, true);
  assert.equal(records.length, 1);
  assert.match(
    records[0].message,
    /^Unclosed read pipe transport for a ReadableStream: it was still open when its event loop closed/,
  );
});

test("loop.connectWritePipe(): close() flushes, then closes the stream; nothing is reported", async () => {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => void records.push(record);
  getLogger().addHandler(handler);
  const written: string[] = [];
  let closed = false;
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const sink = new WritableStream<Uint8Array>({
        async write(chunk) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          written.push(new TextDecoder().decode(chunk));
        },
        close() {
          closed = true;
        },
      });
      const lost = loop.createFuture<void>();
      class Closed extends Protocol {
        override connectionLost() {
          lost.setResult();
        }
      }
      const [transport] = yield* loop.connectWritePipe(
        () => new Closed(),
        sink,
      );
      transport.write(new TextEncoder().encode("one"));
      transport.write(new TextEncoder().encode("two"));
      assert.equal((transport as WriteTransport).getWriteBufferSize(), 6);
      transport.close();
      yield* lost;
    }());
  } finally {
    getLogger().removeHandler(handler);
  }
  assert.deepEqual(written, ["one", "two"]);
  assert.equal(closed, true);
  assert.deepEqual(records, []);
});

test("loop.connectReadPipe(): small writes arrive as exact-size arrays (not views of 64 KiB buffers), a burst in large reads, bytes intact", async () => {
  // python3 writes 1, 10 and 3000 bytes with pauses, then 1 MiB at once.
  const { dir, path } = mkfifo();
  const writer = new Deno.Command("python3", {
    args: [
      "-c",
      "import sys, time\nwith open(sys.argv[1], 'wb', buffering=0) as f:\n  for n in (1, 10, 3000):\n    f.write(bytes(i % 251 for i in range(n))); time.sleep(0.02)\n  f.write(bytes(i % 251 for i in range(1 << 20)))",
      path,
    ],
  }).spawn();
  try {
    const protocol = await run(function* () {
      const loop = getRunningLoop();
      const file = yield* fromPromise(Deno.open(path, { read: true }));
      const [, protocol] = yield* loop.connectReadPipe(
        () => new Collect(),
        file,
      );
      yield* protocol.done;
      return protocol;
    }());
    const sizes = protocol.chunks.map((c) => [c.length, c.buffer.byteLength]);
    // The first writes come one by one, each in an array of its size.
    assert.deepEqual(sizes.slice(0, 2), [[1, 1], [10, 10]]);
    // Every array is exact, or a buffer the read nearly filled.
    assert.deepEqual(sizes.filter(([n, cap]) => n * 4 < cap * 3), []);
    assert.ok(sizes.length < 100, `${sizes.length} reads`);
    const offset = 1 + 10 + 3000 + (1 << 20);
    const all = new Uint8Array(offset);
    let at = 0;
    for (const c of protocol.chunks) {
      all.set(c, at);
      at += c.length;
    }
    assert.equal(at, offset);
    let expectAt = 0;
    let bad = -1;
    for (const n of [1, 10, 3000, 1 << 20]) {
      for (let i = 0; i < n && bad < 0; i++) {
        if (all[expectAt + i] !== i % 251) bad = expectAt + i;
      }
      expectAt += n;
    }
    assert.equal(bad, -1);
    assert.equal((await writer.status).code, 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// openReadPipe() / openWritePipe(): a StreamReader and a StreamWriter over
// pipes, with flow control both ways. The example hash_files.ts runs them on a
// real stdin and stdout (tests/examples/hash_files_test.ts).
import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { fromPromise, sleep } from "../../tasks/mod.ts";
import { openReadPipe, openWritePipe } from "../../streams/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

test("openReadPipe() reads lines of a FIFO that python3 writes in pieces, then EOF", async () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/fifo`;
  assert.ok(
    new Deno.Command("mkfifo", { args: [path] }).outputSync().success,
  );
  const writer = new Deno.Command("python3", {
    args: [
      "-c",
      [
        "import sys, time",
        "with open(sys.argv[1], 'wb', buffering=0) as f:",
        "  for part in (b'first li', b'ne\\nsecond line\\nthi', b'rd, no newline'):",
        "    f.write(part); time.sleep(0.05)",
      ].join("\n"),
      path,
    ],
  }).spawn();
  try {
    const lines = await run(function* () {
      const file = yield* fromPromise(Deno.open(path, { read: true }));
      const [input, transport] = yield* openReadPipe(file);
      const lines: string[] = [];
      for (;;) {
        const line = yield* input.readLine();
        if (line.length === 0) break;
        lines.push(dec(line));
      }
      assert.equal(input.atEof(), true);
      yield* sleep(0);
      assert.equal(transport.isClosing(), true); // closed itself at EOF
      return lines;
    }());
    assert.deepEqual(lines, [
      "first line\n",
      "second line\n",
      "third, no newline",
    ]);
    assert.equal((await writer.status).code, 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

test("openReadPipe(): the pipe is paused while more than twice the limit waits, and resumed as it is read", async () => {
  let pulls = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (pulls > 1000) controller.close();
      else controller.enqueue(new Uint8Array(16).fill(120));
    },
  }, { highWaterMark: 0 });
  await run(function* () {
    const [input, transport] = yield* openReadPipe(source, { limit: 64 });
    for (let i = 0; i < 20; i++) yield* sleep(0.001);
    // 2 x 64 bytes buffered, plus the chunks read ahead while pausing.
    assert.equal(transport.isReading(), false);
    const pausedAt = pulls;
    assert.ok(pausedAt <= 12, `read on while paused: ${pausedAt} pulls`);
    for (let i = 0; i < 5; i++) yield* sleep(0.001);
    assert.equal(pulls, pausedAt);
    const got = yield* input.readExactly(160);
    assert.equal(got.length, 160);
    for (let i = 0; i < 5; i++) yield* sleep(0.001);
    assert.ok(pulls > pausedAt, "not resumed after the buffer was read");
    transport.close();
  }());
});

test("openReadPipe() refuses a bad limit or pipe before touching the stream", async () => {
  await run(function* () {
    const stream = new ReadableStream<Uint8Array>();
    const bad = openReadPipe(stream, { limit: 0 });
    assert.throws(() => bad.next(), RangeError);
    assert.equal(stream.locked, false);
    assert.throws(
      () => openReadPipe(stream, { Limit: 10 } as never).next(),
      /'Limit' is not one of its options \(did you mean 'limit'\?\)/,
    );
    assert.throws(
      () => openReadPipe({} as never).next(),
      /'pipe' must be a ReadableStream/,
    );
    assert.throws(
      () => openWritePipe(Deno.stdin as never).next(),
      /'pipe' must be a WritableStream/,
    );
    yield* sleep(0);
  }());
});

test("openWritePipe(): drain() waits while a slow pipe lags, and returns once below the low-water mark", async () => {
  let release: (() => void) | null = null;
  let written = 0;
  const sink = new WritableStream<Uint8Array>({
    async write(chunk) {
      await new Promise<void>((resolve) => (release = resolve));
      written += chunk.length;
    },
  });
  await run(function* () {
    const loop = getRunningLoop();
    const output = yield* openWritePipe(sink);
    const transport = output.transport;
    const [low, high] = transport.getWriteBufferLimits();
    for (let i = 0; i < 4; i++) output.write(new Uint8Array(32768));
    assert.ok(transport.getWriteBufferSize() > high);
    let drained = false;
    const drain = loop.createTask(function* () {
      yield* output.drain();
      drained = true;
    }());
    // The sink takes one chunk each time it is released: drain() returns
    // only once what is left is at most the low-water mark.
    for (let released = 0; released < 4; released++) {
      yield* sleep(0.01);
      assert.equal(drained, false, `drained at ${written} bytes`);
      assert.ok(transport.getWriteBufferSize() > low);
      release!();
    }
    yield* sleep(0.01);
    assert.equal(drained, true);
    assert.equal(transport.getWriteBufferSize(), 0);
    yield* drain;
    output.close();
    yield* output.waitClosed();
  }());
  assert.equal(written, 4 * 32768);
});

test("openWritePipe(): waitClosed() throws the error that broke the pipe", async () => {
  const error = await run(function* () {
    const sink = new WritableStream<Uint8Array>({
      write() {
        throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      },
    });
    const output = yield* openWritePipe(sink);
    output.write(enc("lost"));
    try {
      yield* output.waitClosed();
    } catch (error) {
      return error;
    }
  }());
  assert.ok(error instanceof Deno.errors.BrokenPipe);
});

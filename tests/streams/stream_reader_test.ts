import assert from "node:assert/strict";
import {
  CancelledError,
  type Future,
  getRunningLoop,
  run,
} from "../../eventloop/mod.ts";
import type { ReadTransport } from "../../eventloop/transports.ts";
import { BaseProtocol } from "../../eventloop/protocols.ts";
import { type Coroutine, createTask, sleep } from "../../tasks/mod.ts";
import {
  IncompleteReadError,
  LimitOverrunError,
  StreamReader,
} from "../../streams/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A read transport that records flow control calls (no I/O behind it). */
class RecordingTransport implements ReadTransport {
  log: string[] = [];
  reading = true;
  getExtraInfo(_name: string, defaultValue?: unknown): unknown {
    return defaultValue;
  }
  isClosing(): boolean {
    return false;
  }
  close(): void {}
  setProtocol(_protocol: BaseProtocol): void {}
  getProtocol(): BaseProtocol {
    return new BaseProtocol();
  }
  isReading(): boolean {
    return this.reading;
  }
  pauseReading(): void {
    this.reading = false;
    this.log.push("pause");
  }
  resumeReading(): void {
    this.reading = true;
    this.log.push("resume");
  }
}

Deno.test("StreamReader() checks its limit", () => {
  assert.throws(
    () => new StreamReader({ limit: 0 }),
    new RangeError(
      "Cannot create StreamReader as 'limit' must be a positive integer: received 0",
    ),
  );
  assert.throws(() => new StreamReader({ limit: 1.5 }), RangeError);
  assert.throws(
    // @ts-expect-error: a string is not a limit
    () => new StreamReader({ limit: "10" }),
    /received "10"/,
  );
  assert.equal(new StreamReader().limit, 65536);
  assert.equal(new StreamReader({ limit: 3 }).limit, 3);
});

Deno.test("StreamReader.read() returns what is buffered, up to n", async (t) => {
  await t.step("n bytes out of more", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("abc"));
      r.feedData(enc("def"));
      assert.equal(dec(yield* r.read(4)), "abcd");
      assert.equal(dec(yield* r.read(10)), "ef");
    }());
  });
  await t.step(
    "read(0) returns at once, even with nothing buffered",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        assert.equal((yield* r.read(0)).length, 0);
      }());
    },
  );
  await t.step("waits for data, then returns the first chunk", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const reading = createTask(r.read(100));
        yield* sleep(5);
        assert.ok(!reading.done());
        r.feedData(enc("late"));
        assert.equal(dec(yield* reading), "late");
      }(),
      { virtualTime: true },
    );
  });
  await t.step("read() reads until EOF across many chunks", async () => {
    await run(
      function* () {
        const r = new StreamReader({ limit: 4 });
        const all = createTask(r.read());
        for (const part of ["one ", "two ", "three"]) {
          yield* sleep(1);
          r.feedData(enc(part));
        }
        r.feedEof();
        assert.equal(dec(yield* all), "one two three");
        assert.ok(r.atEof());
      }(),
      { virtualTime: true },
    );
  });
  await t.step(
    "read() after a partial read returns the rest, in order",
    async () => {
      await run(function* () {
        const r = new StreamReader({ limit: 4 });
        r.feedData(enc("abcdef"));
        r.feedData(enc("gh"));
        assert.equal(dec(yield* r.read(2)), "ab");
        const all = createTask(r.read());
        yield* sleep(0);
        r.feedData(enc("ij"));
        r.feedEof();
        assert.equal(dec(yield* all), "cdefghij");
        assert.ok(r.atEof());
      }());
    },
  );
  await t.step("read() throws an error set while it waits", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("partial"));
      const all = createTask(r.read());
      yield* sleep(0);
      const boom = new Error("broken");
      r.setException(boom);
      assert.equal(yield* catching(all), boom);
    }());
  });
  await t.step(
    "empty at EOF, and read() of an ended stream is empty",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        r.feedData(enc("x"));
        r.feedEof();
        assert.ok(!r.atEof());
        assert.equal(dec(yield* r.read(5)), "x");
        assert.ok(r.atEof());
        assert.equal((yield* r.read(5)).length, 0);
        assert.equal((yield* r.read()).length, 0);
      }());
    },
  );
  await t.step("rejects a size that is not an integer", () => {
    const r = new StreamReader();
    assert.throws(
      () => r.read(1.5).next(),
      new TypeError(
        "Cannot read from the StreamReader as 'n' must be an integer: received 1.5",
      ),
    );
  });
});

Deno.test("StreamReader.readLine() reads lines", async (t) => {
  await t.step("lines split across chunks, the last one partial", async () => {
    const lines = await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("a\nb"));
      r.feedData(enc("c\nd"));
      r.feedEof();
      const out: string[] = [];
      for (let i = 0; i < 4; i++) out.push(dec(yield* r.readLine()));
      return out;
    }());
    assert.deepEqual(lines, ["a\n", "bc\n", "d", ""]);
  });
  await t.step("waits for the newline to arrive", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const line = createTask(r.readLine());
        r.feedData(enc("no newline yet"));
        yield* sleep(1);
        assert.ok(!line.done());
        r.feedData(enc("... now\n"));
        assert.equal(dec(yield* line), "no newline yet... now\n");
      }(),
      { virtualTime: true },
    );
  });
  await t.step("a line over the limit is dropped with an Error", async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 3 });
      r.feedData(enc("toolong\nok\n"));
      const error = yield* catching(r.readLine());
      assert.ok(error instanceof Error);
      assert.ok(!(error instanceof LimitOverrunError));
      assert.ok(error.cause instanceof LimitOverrunError);
      assert.equal(
        error.message,
        "Separator is found, but chunk is longer than limit",
      );
      assert.equal(dec(yield* r.readLine()), "ok\n");
    }());
  });
  await t.step(
    "an over-long line without newline clears the buffer",
    async () => {
      await run(function* () {
        const r = new StreamReader({ limit: 3 });
        r.feedData(enc("abcdefg"));
        const error = yield* catching(r.readLine());
        assert.equal(
          (error as Error).message,
          "Separator is not found, and chunk exceed the limit",
        );
        r.feedData(enc("xy\n"));
        assert.equal(dec(yield* r.readLine()), "xy\n");
      }());
    },
  );
});

Deno.test("StreamReader.readUntil() finds separators", async (t) => {
  await t.step("a multi-byte separator split across two chunks", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const got = createTask(r.readUntil(enc("END")));
        r.feedData(enc("dataE"));
        yield* sleep(1);
        r.feedData(enc("N"));
        yield* sleep(1);
        assert.ok(!got.done());
        r.feedData(enc("Dmore"));
        assert.equal(dec(yield* got), "dataEND");
        assert.equal(dec(yield* r.read(10)), "more");
      }(),
      { virtualTime: true },
    );
  });
  await t.step("a separator spread over three chunks", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("x<"));
      r.feedData(enc("-"));
      r.feedData(enc(">y"));
      assert.equal(dec(yield* r.readUntil(enc("<->"))), "x<->");
    }());
  });
  await t.step("near misses of the separator are skipped", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("\r\r"));
      r.feedData(enc("\r\n!"));
      assert.equal(dec(yield* r.readUntil(enc("\r\n"))), "\r\r\r\n");
    }());
  });
  await t.step("several separators: the earliest end wins", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("key=value;next"));
      const seps = [enc(";"), enc("=")];
      assert.equal(dec(yield* r.readUntil(seps)), "key=");
      assert.equal(dec(yield* r.readUntil(seps)), "value;");
      r.feedData(enc("\r\n"));
      assert.equal(
        dec(yield* r.readUntil([enc("\r\n"), enc("\n")])),
        "next\r\n",
      );
    }());
  });
  await t.step(
    "several separators: a short one ending first beats a long one starting first",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        r.feedData(enc("aXXXXb"));
        assert.equal(dec(yield* r.readUntil([enc("XXXX"), enc("X")])), "aX");
      }());
    },
  );
  await t.step(
    "EOF without the separator throws IncompleteReadError with the rest",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        r.feedData(enc("part\r"));
        r.feedEof();
        const error = yield* catching(r.readUntil(enc("\r\n")));
        assert.ok(error instanceof IncompleteReadError);
        assert.equal(dec(error.partial), "part\r");
        assert.equal(error.expected, null);
        assert.equal(
          error.message,
          // asyncio's wording for expected=None.
          "5 bytes read on a total of undefined expected bytes",
        );
        assert.ok(r.atEof());
      }());
    },
  );
  await t.step(
    "a separator in the last chunk before EOF is still found",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        r.feedData(enc("last;"));
        r.feedEof();
        assert.equal(dec(yield* r.readUntil(enc(";"))), "last;");
      }());
    },
  );
  await t.step(
    "LimitOverrunError leaves the data to read, then reading recovers",
    async () => {
      await run(function* () {
        const r = new StreamReader({ limit: 5 });
        r.feedData(enc("0123456789"));
        const notFound = yield* catching(r.readUntil(enc(";")));
        assert.ok(notFound instanceof LimitOverrunError);
        assert.equal(notFound.consumed, 10);
        r.feedData(enc("ab;cd;"));
        const tooLong = yield* catching(r.readUntil(enc(";")));
        assert.ok(tooLong instanceof LimitOverrunError);
        assert.equal(tooLong.consumed, 12);
        assert.equal(
          tooLong.message,
          "Separator is found, but chunk is longer than limit",
        );
        assert.equal(
          dec(yield* r.readExactly(tooLong.consumed + 1)),
          "0123456789ab;",
        );
        assert.equal(dec(yield* r.readUntil(enc(";"))), "cd;");
      }());
    },
  );
  await t.step("the limit does not count the separator", async () => {
    await run(function* () {
      const r = new StreamReader({ limit: 3 });
      r.feedData(enc("abc\r\n"));
      assert.equal(dec(yield* r.readUntil(enc("\r\n"))), "abc\r\n");
    }());
  });
  await t.step("bad separators are rejected", () => {
    {
      const r = new StreamReader();
      assert.throws(
        () => r.readUntil(new Uint8Array(0)).next(),
        new RangeError(
          "Cannot read until 'separator' as a separator must be at least one byte long: received an empty Uint8Array",
        ),
      );
      assert.throws(() => r.readUntil([]).next(), RangeError);
      assert.throws(
        // @ts-expect-error: a string is not a separator
        () => r.readUntil("\n").next(),
        new TypeError(
          `Cannot read until 'separator' as it must be a Uint8Array or an array of them: received "\\n"`,
        ),
      );
      // @ts-expect-error: numbers are not separators
      assert.throws(() => r.readUntil([enc("a"), 1]).next(), TypeError);
    }
  });
});

Deno.test("StreamReader.readExactly() reads exactly n bytes", async (t) => {
  await t.step("across chunks that arrive later", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const got = createTask(r.readExactly(6));
        for (const part of ["ab", "cd", "efgh"]) {
          yield* sleep(1);
          assert.ok(!got.done());
          r.feedData(enc(part));
        }
        assert.equal(dec(yield* got), "abcdef");
        assert.equal(dec(yield* r.readExactly(2)), "gh");
      }(),
      { virtualTime: true },
    );
  });
  await t.step("EOF in the middle throws IncompleteReadError", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const got = createTask(r.readExactly(10));
        r.feedData(enc("abc"));
        yield* sleep(1);
        r.feedEof();
        const error = yield* catching(got);
        assert.ok(error instanceof IncompleteReadError);
        assert.equal(dec(error.partial), "abc");
        assert.equal(error.expected, 10);
        assert.equal(
          error.message,
          "3 bytes read on a total of 10 expected bytes",
        );
        assert.ok(r.atEof());
      }(),
      { virtualTime: true },
    );
  });
  await t.step("zero bytes, and bad sizes", async () => {
    await run(function* () {
      const r = new StreamReader();
      assert.equal((yield* r.readExactly(0)).length, 0);
      assert.throws(
        () => r.readExactly(-1).next(),
        new RangeError(
          "Cannot read from the StreamReader as 'n' must be a non-negative integer: received -1",
        ),
      );
      assert.throws(() => r.readExactly(1.5).next(), RangeError);
      assert.throws(() => r.readExactly(Infinity).next(), RangeError);
      assert.throws(() => r.readExactly(NaN).next(), TypeError);
      assert.throws(
        () => r.readExactly("3" as unknown as number).next(),
        /^TypeError: .*'n' must be a non-negative integer: received "3"$/,
      );
    }());
  });
  await t.step(
    "a size past the safe-integer range reads to the end, then IncompleteReadError, as asyncio does",
    async () => {
      // Python: readexactly(2**60) raises IncompleteReadError(b'hello',
      // 2**60) at EOF, "5 bytes read on a total of 1152921504606846976
      // expected bytes".
      await run(function* () {
        const r = new StreamReader();
        r.feedData(enc("hel"));
        const loop = getRunningLoop();
        loop.callSoon(() => r.feedData(enc("lo")));
        loop.callSoon(() => loop.callSoon(() => r.feedEof()));
        const error = yield* catching(r.readExactly(2 ** 60));
        assert.ok(error instanceof IncompleteReadError);
        assert.equal(dec(error.partial), "hello");
        assert.equal(error.expected, 2 ** 60);
        assert.equal(
          error.message,
          "5 bytes read on a total of 1152921504606846976 expected bytes",
        );
        const past = yield* catching(
          r.readExactly(Number.MAX_SAFE_INTEGER + 1),
        );
        assert.ok(past instanceof IncompleteReadError);
        assert.equal(past.partial.length, 0);
      }());
    },
  );
  await t.step(
    "more than the limit, with the transport paused in between",
    async () => {
      await run(
        function* () {
          const r = new StreamReader({ limit: 2 });
          const transport = new RecordingTransport();
          r.setTransport(transport);
          r.feedData(enc("12345"));
          assert.deepEqual(transport.log, ["pause"]);
          const got = createTask(r.readExactly(8));
          yield* sleep(0);
          // Waiting on a paused transport would never end: it was resumed.
          assert.deepEqual(transport.log, ["pause", "resume"]);
          r.feedData(enc("678"));
          assert.equal(dec(yield* got), "12345678");
        }(),
        { virtualTime: true },
      );
    },
  );
});

Deno.test("StreamReader pauses its transport above twice the limit and resumes at the limit", async () => {
  await run(function* () {
    const r = new StreamReader({ limit: 4 });
    const transport = new RecordingTransport();
    r.setTransport(transport);
    r.feedData(enc("12345678"));
    assert.deepEqual(transport.log, []);
    r.feedData(enc("9"));
    assert.deepEqual(transport.log, ["pause"]);
    r.feedData(enc("abc"));
    assert.deepEqual(transport.log, ["pause"], "pauses once");
    yield* r.read(7); // 5 left: above the limit
    assert.deepEqual(transport.log, ["pause"]);
    yield* r.read(1); // 4 left: at the limit
    assert.deepEqual(transport.log, ["pause", "resume"]);
    assert.equal(dec(yield* r.read(10)), "9abc");
  }());
});

Deno.test("StreamReader flow control: readUntil and readLine resume the transport", async () => {
  await run(function* () {
    const r = new StreamReader({ limit: 4 });
    const transport = new RecordingTransport();
    r.setTransport(transport);
    r.feedData(enc("ab\ncd\nefg"));
    assert.deepEqual(transport.log, ["pause"]);
    yield* r.readLine();
    assert.deepEqual(transport.log, ["pause"]);
    yield* r.readUntil(enc("\n"));
    assert.deepEqual(transport.log, ["pause", "resume"]);
  }());
});

Deno.test("StreamReader.setException() fails waiting and later reads", async (t) => {
  await t.step("wakes a waiting read with the error", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const got = createTask(r.readExactly(4));
        yield* sleep(1);
        const boom = new Error("connection reset");
        r.setException(boom);
        assert.equal(yield* catching(got), boom);
        assert.equal(r.exception(), boom);
      }(),
      { virtualTime: true },
    );
  });
  await t.step("every read after it throws, buffered data or not", async () => {
    await run(function* () {
      const r = new StreamReader();
      r.feedData(enc("line\n"));
      const boom = new Error("broken");
      r.setException(boom);
      assert.equal(yield* catching(r.read(1)), boom);
      assert.equal(yield* catching(r.read()), boom);
      assert.equal(yield* catching(r.readLine()), boom);
      assert.equal(yield* catching(r.readUntil(enc("\n"))), boom);
      assert.equal(yield* catching(r.readExactly(1)), boom);
    }());
  });
  await t.step("exception() is null until set; null is refused", () => {
    const r = new StreamReader();
    assert.equal(r.exception(), null);
    // @ts-expect-error: null is not an error
    assert.throws(() => r.setException(null), TypeError);
  });
});

Deno.test("StreamReader allows one waiting read at a time", async () => {
  await run(function* () {
    const r = new StreamReader();
    const first = createTask(r.read(1));
    yield* sleep(0);
    const error = yield* catching(r.readLine());
    assert.ok(error instanceof Error);
    assert.equal(
      error.message,
      "readUntil() called while another coroutine is already waiting for incoming data",
    );
    r.feedData(enc("z"));
    assert.equal(dec(yield* first), "z");
  }());
});

Deno.test("StreamReader: a cancelled read leaves the reader usable", async () => {
  await run(
    function* () {
      const r = new StreamReader();
      const first = createTask(r.readExactly(3));
      yield* sleep(1);
      first.cancel();
      assert.ok((yield* catching(first)) instanceof CancelledError);
      r.feedData(enc("abc"));
      assert.equal(dec(yield* r.readExactly(3)), "abc");
    }(),
    { virtualTime: true },
  );
});

Deno.test("StreamReader.feedData() checks its input and the EOF state", () => {
  const r = new StreamReader();
  assert.throws(
    // @ts-expect-error: a string is not bytes
    () => r.feedData("text"),
    new TypeError(
      `Cannot feed the StreamReader as 'data' must be a Uint8Array: received "text"`,
    ),
  );
  r.feedData(new Uint8Array(0));
  assert.equal(r.toString(), "<StreamReader>");
  r.feedData(enc("ab"));
  r.feedEof();
  assert.equal(r.toString(), "<StreamReader 2 bytes eof>");
  assert.throws(() => r.feedData(enc("x")), /after feedEof\(\)/);
});

Deno.test("StreamReader.setTransport() refuses a second transport", () => {
  const r = new StreamReader();
  r.setTransport(new RecordingTransport());
  assert.throws(() => r.setTransport(new RecordingTransport()), /twice/);
});

Deno.test("StreamReader returns fed chunks without copying, and copies partial reads", async () => {
  await run(function* () {
    const r = new StreamReader();
    const chunk = enc("whole");
    r.feedData(chunk);
    assert.equal(yield* r.readExactly(5), chunk);
    const other = enc("abcd");
    r.feedData(other);
    const part = yield* r.readExactly(2);
    other[0] = 0x7a;
    assert.equal(dec(part), "ab");
  }());
});

Deno.test("StreamReader handles many small chunks in one line", async () => {
  await run(function* () {
    const r = new StreamReader();
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = String(i % 10);
      expected.push(s);
      r.feedData(enc(s));
    }
    r.feedData(enc("\n"));
    const line = yield* r.readLine();
    assert.equal(dec(line), expected.join("") + "\n");
    assert.equal(r.toString(), "<StreamReader>");
  }());
});

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

Deno.test("StreamReader.readInto() fills the caller's buffer with what is there", async (t) => {
  await t.step(
    "up to buffer.length, waiting for the first byte, 0 at EOF",
    async () => {
      await run(
        function* () {
          const r = new StreamReader();
          const buffer = new Uint8Array(4).fill(9);
          const got = createTask(r.readInto(buffer));
          yield* sleep(1);
          assert.ok(!got.done());
          r.feedData(enc("ab"));
          r.feedData(enc("cdef"));
          assert.equal(yield* got, 4);
          assert.equal(dec(buffer), "abcd");
          buffer.fill(9);
          assert.equal(yield* r.readInto(buffer), 2);
          assert.deepEqual([...buffer], [101, 102, 9, 9]);
          r.feedEof();
          assert.equal(yield* r.readInto(buffer), 0);
          assert.equal(yield* r.readInto(buffer), 0);
        }(),
        { virtualTime: true },
      );
    },
  );
  await t.step(
    "an empty buffer returns 0 at once; a non-Uint8Array is a TypeError",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        assert.equal(yield* r.readInto(new Uint8Array(0)), 0);
        for (const bad of [null, "abc", new ArrayBuffer(4), [1, 2]]) {
          assert.throws(
            () => r.readInto(bad as unknown as Uint8Array).next(),
            {
              name: "TypeError",
              message:
                /^Cannot readInto as 'buffer' must be a Uint8Array: received /,
            },
          );
        }
      }());
    },
  );
  await t.step(
    "a cancelled readInto() takes nothing; the reader's exception is thrown",
    async () => {
      await run(
        function* () {
          const r = new StreamReader();
          const buffer = new Uint8Array(3);
          const first = createTask(r.readInto(buffer));
          yield* sleep(1);
          first.cancel();
          assert.ok((yield* catching(first)) instanceof CancelledError);
          r.feedData(enc("xyz"));
          assert.deepEqual([...buffer], [0, 0, 0]);
          assert.equal(dec(yield* r.readExactly(3)), "xyz");
          const boom = new Error("boom");
          r.setException(boom);
          assert.equal(yield* catching(r.readInto(buffer)), boom);
        }(),
        { virtualTime: true },
      );
    },
  );
  await t.step(
    "it resumes a paused transport as it empties the buffer",
    async () => {
      await run(function* () {
        const r = new StreamReader({ limit: 4 });
        const transport = new RecordingTransport();
        r.setTransport(transport);
        r.feedData(enc("123456789"));
        assert.deepEqual(transport.log, ["pause"]);
        const buffer = new Uint8Array(5);
        assert.equal(yield* r.readInto(buffer), 5);
        assert.deepEqual(transport.log, ["pause", "resume"]);
        assert.equal(dec(buffer), "12345");
      }());
    },
  );
});

Deno.test("StreamReader.readExactlyInto() fills all of the caller's buffer or throws IncompleteReadError", async (t) => {
  await t.step("waits for every byte, across chunks", async () => {
    await run(
      function* () {
        const r = new StreamReader();
        const buffer = new Uint8Array(6);
        const got = createTask(r.readExactlyInto(buffer));
        for (const part of ["ab", "cd", "efgh"]) {
          yield* sleep(1);
          assert.ok(!got.done());
          r.feedData(enc(part));
        }
        assert.equal(yield* got, buffer);
        assert.equal(dec(buffer), "abcdef");
        assert.equal(dec(yield* r.readExactly(2)), "gh");
        const empty = new Uint8Array(0);
        assert.equal(yield* r.readExactlyInto(empty), empty);
      }(),
      { virtualTime: true },
    );
  });
  await t.step(
    "EOF first: IncompleteReadError with what arrived, also in the buffer",
    async () => {
      await run(
        function* () {
          const r = new StreamReader();
          const buffer = new Uint8Array(10);
          const got = createTask(r.readExactlyInto(buffer));
          r.feedData(enc("abc"));
          yield* sleep(1);
          r.feedEof();
          const error = yield* catching(got);
          assert.ok(error instanceof IncompleteReadError);
          assert.equal(dec(error.partial), "abc");
          assert.equal(error.expected, 10);
          assert.equal(dec(buffer.subarray(0, 3)), "abc");
          assert.ok(r.atEof());
        }(),
        { virtualTime: true },
      );
    },
  );
  await t.step(
    "more than twice the limit: the transport is resumed while it waits",
    async () => {
      await run(
        function* () {
          const r = new StreamReader({ limit: 2 });
          const transport = new RecordingTransport();
          r.setTransport(transport);
          r.feedData(enc("12345"));
          assert.deepEqual(transport.log, ["pause"]);
          const buffer = new Uint8Array(8);
          const got = createTask(r.readExactlyInto(buffer));
          yield* sleep(1);
          assert.deepEqual(transport.log, ["pause", "resume"]);
          r.feedData(enc("678"));
          yield* got;
          assert.equal(dec(buffer), "12345678");
        }(),
        { virtualTime: true },
      );
    },
  );
  await t.step(
    "a cancelled readExactlyInto() leaves the buffer and the bytes alone",
    async () => {
      await run(
        function* () {
          const r = new StreamReader();
          const buffer = new Uint8Array(4);
          r.feedData(enc("ab"));
          const first = createTask(r.readExactlyInto(buffer));
          yield* sleep(1);
          first.cancel();
          assert.ok((yield* catching(first)) instanceof CancelledError);
          assert.deepEqual([...buffer], [0, 0, 0, 0]);
          r.feedData(enc("cd"));
          assert.equal(dec(yield* r.readExactly(4)), "abcd");
        }(),
        { virtualTime: true },
      );
    },
  );
  await t.step(
    "bad buffers are a TypeError; a second waiting read is refused",
    async () => {
      await run(function* () {
        const r = new StreamReader();
        assert.throws(
          () =>
            r.readExactlyInto(new Uint16Array(2) as unknown as Uint8Array)
              .next(),
          {
            name: "TypeError",
            message:
              "Cannot readExactlyInto as 'buffer' must be a Uint8Array: received an Uint16Array",
          },
        );
        const first = createTask(r.read(1));
        yield* sleep(0);
        const error = yield* catching(r.readExactlyInto(new Uint8Array(1)));
        assert.equal(
          (error as Error).message,
          "readExactlyInto() called while another coroutine is already waiting for incoming data",
        );
        r.feedData(enc("z"));
        assert.equal(dec(yield* first), "z");
      }());
    },
  );
});

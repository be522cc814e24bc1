// A stream connection reads into one buffer per reader, reused
// (StreamReaderProtocol's getBuffer/bufferUpdated). What a read method
// returns must stay the caller's: never a view of that buffer, never
// overwritten by a later read. A Python peer sends framed messages and lines
// in writes of every size; the server reads them with every read method and
// checks, at the end, every array it kept.

import assert from "node:assert/strict";
import { IncompleteReadError, startServer } from "../../streams/mod.ts";
import type { StreamReader, StreamWriter } from "../../streams/mod.ts";
import { run } from "../../eventloop/mod.ts";
import { fromPromise } from "../../tasks/mod.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

const COUNT = 400;
const LINES = 300;

const lengthOf = (i: number) =>
  i % 3 === 0 ? 1 + (i * 7919) % 70000 : 1 + (i * 31) % 200;

function expectedBody(i: number): Uint8Array {
  const n = lengthOf(i);
  const out = new Uint8Array(n);
  for (let j = 0; j < n; j++) out[j] = (7 * i + j) % 256;
  return out;
}

const expectedLine = (i: number) =>
  new TextEncoder().encode(`line ${i} ${"x".repeat((37 * i) % 3000)}\n`);

/** Compares two arrays by hand (a diff of 70 KiB arrays would take ages). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

peerTest(
  "streams over TCP: every read method returns arrays of its own from the reused read buffer, intact after later reads (a Python peer sends framed messages and lines)",
  ["python3"],
  async () => {
    const kept: { what: string; got: Uint8Array; want: Uint8Array }[] = [];
    const exactSize: string[] = [];
    const keep = (what: string, got: Uint8Array, want: Uint8Array) => {
      kept.push({ what, got, want });
      // Only the bytes returned are allocated: no view of a larger buffer.
      if (got.buffer.byteLength !== got.length) exactSize.push(what);
    };
    const header = new Uint8Array(4);
    const scratch = new Uint8Array(4096);

    function* handle(reader: StreamReader, writer: StreamWriter) {
      for (let i = 0; i < COUNT; i++) {
        const want = expectedBody(i);
        const how = i % 4;
        let length: number;
        if (how === 1) {
          yield* reader.readExactlyInto(header);
          length = new DataView(header.buffer).getUint32(0);
        } else {
          const h = yield* reader.readExactly(4);
          keep(`header ${i}`, h, h.slice());
          length = new DataView(h.buffer, h.byteOffset).getUint32(0);
        }
        assert.equal(length, want.length, `length of message ${i}`);
        if (how === 0) {
          keep(`readExactly ${i}`, yield* reader.readExactly(length), want);
        } else if (how === 1) {
          const body = new Uint8Array(length);
          assert.equal(yield* reader.readExactlyInto(body), body);
          keep(`readExactlyInto ${i}`, body, want);
        } else if (how === 2) {
          let at = 0;
          while (at < length) {
            const n = yield* reader.readInto(
              scratch.subarray(0, Math.min(scratch.length, length - at)),
            );
            assert.ok(n > 0, `readInto() ended early in message ${i}`);
            assert.ok(
              same(scratch.subarray(0, n), want.subarray(at, at + n)),
              `readInto() bytes of message ${i} at ${at}`,
            );
            at += n;
          }
        } else {
          let at = 0;
          while (at < length) {
            const piece = yield* reader.read(length - at);
            assert.ok(piece.length > 0, `read() ended early in message ${i}`);
            keep(
              `read ${i}@${at}`,
              piece,
              want.subarray(at, at + piece.length),
            );
            at += piece.length;
          }
        }
      }
      for (let i = 0; i < LINES; i++) {
        keep(`readLine ${i}`, yield* reader.readLine(), expectedLine(i));
      }
      assert.equal((yield* reader.read()).length, 0);
      try {
        yield* reader.readExactly(1);
        assert.fail("readExactly() at EOF should have thrown");
      } catch (error) {
        assert.ok(error instanceof IncompleteReadError);
      }
      writer.write(new Uint8Array([1]));
      yield* writer.drain();
      writer.close();
      yield* writer.waitClosed();
    }

    await run(function* () {
      let done: Promise<void> | null = null;
      let finished!: () => void;
      let failed!: (error: unknown) => void;
      done = new Promise<void>((resolve, reject) => {
        finished = resolve;
        failed = reject;
      });
      const server = yield* startServer(
        function* (reader, writer) {
          try {
            yield* handle(reader, writer);
            finished();
          } catch (error) {
            failed(error);
            writer.close();
          }
        },
        "127.0.0.1",
        0,
      );
      const port = (server.sockets[0].addr as Deno.NetAddr).port;
      const peer = PeerProcess.python("message_feeder.py", [
        String(port),
        String(COUNT),
        String(LINES),
      ]);
      try {
        yield* fromPromise(done);
        assert.equal((yield* fromPromise(peer.finish())).code, 0);
      } finally {
        yield* fromPromise(peer[Symbol.asyncDispose]());
        server.close();
        yield* server.waitClosed();
      }
    }());
    const broken = kept.filter(({ got, want }) => !same(got, want));
    assert.deepEqual(broken.map(({ what }) => what), []);
    assert.deepEqual(exactSize, []);
    assert.ok(kept.length > COUNT);
  },
);

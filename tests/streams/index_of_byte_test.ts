import assert from "node:assert/strict";
import { run } from "../../eventloop/mod.ts";
import { StreamReader } from "../../streams/mod.ts";
import { indexOfByte, wordSearch } from "../../streams/_index_of_byte.ts";

/** A deterministic pseudo-random byte source (xorshift32). */
function bytes(length: number, seed: number, alphabet: number[]): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet[(x >>> 0) % alphabet.length];
  }
  return out;
}

for (
  const [name, search] of [
    ["indexOfByte()", indexOfByte],
    ["wordSearch()", wordSearch],
  ] as const
) {
  Deno.test(`${name} agrees with indexOf at every alignment, start and match position`, async (t) => {
    // Neighbours of the searched byte, 0x00/0x80/0xff and the sign bit are the
    // values a word-at-a-time test could get wrong.
    for (const byte of [10, 0, 0x7f, 0x80, 0xff, 1]) {
      await t.step(`byte ${byte}`, () => {
        const others = [0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff, 9, 11, 0x0b]
          .filter((v) => v !== byte);
        const base = bytes(2048 + 16, byte + 7, others);
        for (let shift = 0; shift < 8; shift++) {
          const data = base.subarray(shift, shift + 1500);
          // No match at all.
          for (const from of [0, 1, 3, 5, 600]) {
            assert.equal(search(data, byte, from), -1);
          }
          // One match at each position near the start, the middle and the end.
          const positions = [
            ...Array.from({ length: 24 }, (_, i) => i),
            ...Array.from({ length: 24 }, (_, i) => 700 + i),
            ...Array.from({ length: 24 }, (_, i) => 1476 + i),
          ];
          for (const at of positions) {
            const saved = data[at];
            data[at] = byte;
            for (const from of [0, 1, 2, 3, 4, 7, at, at + 1]) {
              assert.equal(
                search(data, byte, from),
                data.indexOf(byte, from),
                `shift ${shift} match ${at} from ${from}`,
              );
            }
            data[at] = saved;
          }
        }
      });
    }

    await t.step("several matches: the first at or after `from`", () => {
      const data = bytes(5000, 3, [10, 32, 120, 200, 0xff]);
      for (const from of [0, 1, 99, 256, 1000, 4700, 4999, 5000]) {
        assert.equal(search(data, 10, from), data.indexOf(10, from));
      }
    });

    await t.step(
      "a match at every offset of the 64-byte blocks and of a window's tail",
      () => {
        // Inside a window: positions around several 64-byte block edges, for
        // a few start offsets (the block edges move with `from`).
        const data = new Uint8Array(8192).fill(0x0b);
        for (let at = 1400; at < 1560; at++) {
          data[at] = 10;
          for (const from of [0, 1, 5, 63]) {
            assert.equal(
              search(data, 10, from),
              at,
              `match ${at} from ${from}`,
            );
          }
          data[at] = 0x0b;
        }
        // At the end of the data, whose last window is not a multiple of 64.
        for (const length of [5000, 5001, 5037, 5063]) {
          const tail = new Uint8Array(length).fill(0x0b);
          for (let at = length - 80; at < length; at++) {
            tail[at] = 10;
            assert.equal(
              search(tail, 10, 0),
              at,
              `length ${length} match ${at}`,
            );
            tail[at] = 0x0b;
          }
        }
      },
    );

    await t.step("a view over a SharedArrayBuffer", () => {
      const shared = new Uint8Array(new SharedArrayBuffer(4096 + 3), 3);
      shared[4000] = 10;
      assert.equal(search(shared, 10, 0), 4000);
      assert.equal(search(shared, 10, 4001), -1);
    });

    await t.step(
      "matches around every window boundary of a 600 KiB array",
      () => {
        const data = new Uint8Array(600 * 1024 + 5).fill(0x0b);
        // Where windows start when searching from 0: after the first 256
        // bytes, windows of 4, 8, 16, 32, 64 and then 128 KiB.
        const edges = [256];
        for (
          let w = 4096;
          edges.at(-1)! < data.length;
          w = Math.min(w * 2, 131072)
        ) {
          edges.push(edges.at(-1)! + w);
        }
        for (const edge of edges) {
          for (
            const at of [
              edge - 17,
              edge - 16,
              edge - 1,
              edge,
              edge + 1,
              edge + 15,
              edge + 16,
            ]
          ) {
            if (at < 0 || at >= data.length) continue;
            data[at] = 10;
            for (const from of [0, 3, Math.max(0, at - 5000), at]) {
              assert.equal(
                search(data, 10, from),
                at,
                `match ${at} from ${from}`,
              );
            }
            assert.equal(search(data, 10, at + 1), -1);
            data[at] = 0x0b;
          }
        }
      },
    );
  });
}

Deno.test("StreamReader.readLine() finds the newline of 64 KiB lines fed at any alignment", async () => {
  const lines = await run(function* () {
    const reader = new StreamReader({ limit: 1 << 17 });
    const backing = new Uint8Array(3 * 65536 + 8).fill(120);
    const got: number[] = [];
    for (let shift = 0; shift < 4; shift++) {
      // A line of 65536 bytes split in two chunks at an odd offset, then a
      // line whose newline is its first byte.
      const line = backing.subarray(shift, shift + 65536);
      line[65535] = 10;
      reader.feedData(line.subarray(0, 40001));
      reader.feedData(line.subarray(40001));
      reader.feedData(new Uint8Array([10]));
      got.push((yield* reader.readLine()).length);
      got.push((yield* reader.readLine()).length);
      line[65535] = 120;
    }
    reader.feedEof();
    got.push((yield* reader.readLine()).length);
    return got;
  }());
  assert.deepEqual(lines, [65536, 1, 65536, 1, 65536, 1, 65536, 1, 0]);
});

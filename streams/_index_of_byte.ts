// A faster `Uint8Array.prototype.indexOf` for one byte value, for the
// separator search of readLine()/readUntil(). V8's typed-array indexOf looks
// at one byte per step (about 25–45 µs for a 64 KiB line on the bench
// machine). Here:
// - short searches, and the first 256 bytes of long ones, use indexOf
//   (most lines are short);
// - then, where WebAssembly SIMD is available, windows of the data are
//   copied into a small WebAssembly memory and searched 64 bytes per step
//   (about 4.5 µs for 64 KiB, copy included, of which the copy is most; 16
//   bytes per step took about 6 µs); the windows double from 4 KiB,
//   so a separator close to `from` costs a small copy, never a whole chunk;
// - else 4 bytes per 32-bit word, 2 words per step, with the classic
//   "has a zero byte" test on `word ^ pattern` (about 15 µs for 64 KiB).

/**
 * Searches this short are left to plain `indexOf` (measured: up to about
 * 1 KiB its lower set-up cost wins).
 */
const SHORT_SEARCH = 1024;
/** How far a long search first looks with `indexOf`. */
const NEAR_SEARCH = 256;
/** The first WebAssembly window; later ones double. */
const FIRST_WINDOW = 4096;

/**
 * The WebAssembly module, built by hand (no toolchain needed), 225 bytes:
 *
 * ```wat
 * (module
 *   (memory (export "mem") 2)              ;; 128 KiB, never grown
 *   (func (export "find") (param $p i32) (param $end i32) (param $byte i32)
 *     (result i32) (local $m i32) (local $pat v128)
 *     (local.set $pat (i8x16.splat (local.get $byte)))
 *     (block (loop                         ;; 64 bytes per step, until a hit
 *       (br_if 1 (i32.gt_u (i32.add (local.get $p) (i32.const 64))
 *                          (local.get $end)))
 *       (br_if 1 (v128.any_true (v128.or
 *         (v128.or (i8x16.eq (v128.load offset=0 (local.get $p)) (local.get $pat))
 *                  (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $pat)))
 *         (v128.or (i8x16.eq (v128.load offset=32 (local.get $p)) (local.get $pat))
 *                  (i8x16.eq (v128.load offset=48 (local.get $p)) (local.get $pat))))))
 *       (local.set $p (i32.add (local.get $p) (i32.const 64)))
 *       (br 0)))
 *     (block (loop                         ;; 16 bytes per step: the hit's block
 *       (br_if 1 (i32.gt_u (i32.add (local.get $p) (i32.const 16))
 *                          (local.get $end)))
 *       (if (local.tee $m (i8x16.bitmask (i8x16.eq
 *             (v128.load (local.get $p)) (local.get $pat))))
 *         (then (return (i32.add (local.get $p) (i32.ctz (local.get $m))))))
 *       (local.set $p (i32.add (local.get $p) (i32.const 16)))
 *       (br 0)))
 *     (block (loop                         ;; the last 0-15 bytes
 *       (br_if 1 (i32.ge_u (local.get $p) (local.get $end)))
 *       (if (i32.eq (i32.load8_u (local.get $p)) (local.get $byte))
 *         (then (return (local.get $p))))
 *       (local.set $p (i32.add (local.get $p) (i32.const 1)))
 *       (br 0)))
 *     (i32.const -1)))
 * ```
 */
const WASM_BASE64 =
  "AGFzbQEAAAABCAFgA39/fwF/AwIBAAUDAQACBw4CBGZpbmQAAANtZW0CAAqzAQGwAQIBfwF7IAL9DyEEAkADQCAAQcAAaiABSw0BIAD9AAAAIAT9IyAA/QAAECAE/SP9UCAA/QAAICAE/SMgAP0AADAgBP0j/VD9UP1TDQEgAEHAAGohAAwACwsCQANAIABBEGogAUsNASAA/QAAACAE/SP9ZCIDBEAgACADaGoPCyAAQRBqIQAMAAsLAkADQCAAIAFPDQEgAC0AACACRgRAIAAPCyAAQQFqIQAMAAsLQX8L";

interface SimdFind {
  find: (start: number, end: number, byte: number) => number;
  memory: Uint8Array;
}

/** The instantiated module; `null` where unavailable; `undefined`: not tried. */
let simd: SimdFind | null | undefined;

function loadSimd(): SimdFind | null {
  try {
    const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const exports = instance.exports as {
      find: SimdFind["find"];
      mem: WebAssembly.Memory;
    };
    return { find: exports.find, memory: new Uint8Array(exports.mem.buffer) };
  } catch {
    // No WebAssembly (or no SIMD) here: the word search does the work.
    return null;
  }
}

/**
 * The index of the first `byte` in `data` at or after `from`, or -1: the
 * same result as `data.indexOf(byte, from)` for a byte value (0–255) and a
 * non-negative integer `from`.
 */
export function indexOfByte(
  data: Uint8Array,
  byte: number,
  from: number,
): number {
  const end = data.length;
  if (end - from <= SHORT_SEARCH) return data.indexOf(byte, from);
  const near = data.subarray(from, from + NEAR_SEARCH).indexOf(byte);
  if (near !== -1) return from + near;
  const start = from + NEAR_SEARCH;
  if (simd === undefined) simd = loadSimd();
  return simd !== null
    ? simdSearch(simd, data, byte, start)
    : wordSearch(data, byte, start);
}

/** The search in WebAssembly memory, window by window. */
function simdSearch(
  simd: SimdFind,
  data: Uint8Array,
  byte: number,
  from: number,
): number {
  const { find, memory } = simd;
  const end = data.length;
  let window = FIRST_WINDOW;
  for (let p = from; p < end;) {
    const length = Math.min(end - p, window);
    memory.set(data.subarray(p, p + length));
    const at = find(0, length, byte);
    if (at !== -1) return p + at;
    p += length;
    window = Math.min(window * 2, memory.length);
  }
  return -1;
}

/** The search 4 bytes at a time, without WebAssembly. */
export function wordSearch(
  data: Uint8Array,
  byte: number,
  from: number,
): number {
  const end = data.length;
  let p = from;
  // Byte by byte up to a 4-byte aligned address (Int32Array needs it).
  const misaligned = (data.byteOffset + p) & 3;
  if (misaligned !== 0) {
    for (let k = 4 - misaligned; k > 0 && p < end; k--, p++) {
      if (data[p] === byte) return p;
    }
    if (p >= end) return -1;
  }
  const words = (end - p) >> 2;
  const view = new Int32Array(data.buffer, data.byteOffset + p, words);
  const pattern = Math.imul(byte, 0x01010101);
  const pairs = words & ~1;
  let i = 0;
  // A byte of `x` is zero where `word` held `byte`; the test below has no
  // false negatives and no false positives for "some byte of x is zero".
  for (; i < pairs; i += 2) {
    const x = view[i] ^ pattern;
    const y = view[i + 1] ^ pattern;
    if (
      (((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080
    ) break;
  }
  // The match, if any, is in the 8 bytes from here; else scan the tail.
  for (p += i << 2; p < end; p++) {
    if (data[p] === byte) return p;
  }
  return -1;
}

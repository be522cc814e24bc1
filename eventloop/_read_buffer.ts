// How big a read buffer a stream transport (or a StreamReader's reused
// buffer) should hold: adaptive, so that an idle connection waits on a small
// buffer and a busy one reads in large blocks.
//
// A Deno read needs its buffer before data arrives (libuv asks for one only
// once the socket is readable; Deno cannot), and a read pending on a quiet
// connection holds it for as long as the peer is quiet. So the size starts
// small, grows fourfold on each read that fills the buffer, and halves after
// a run of reads that use less than a quarter of it. The two thresholds keep
// it from flapping: after halving, a read of the same size fills under half.
//
// Reads that do not nearly fill the buffer are handed over as an exact-size
// copy, and the buffer is read into again; only a nearly full read hands
// over the buffer itself (it then belongs to the receiver and is never read
// into again). Fresh large buffers per read would make V8 collect garbage
// far more often than exact-size copies do.

/** The size a new connection reads with, and the smallest. */
export const MIN_READ_SIZE = 256;
/** The largest read buffer. */
export const MAX_READ_SIZE = 65536;
/** Reads under a quarter of the buffer this many times in a row halve it. */
const SHRINK_AFTER = 8;

/** The read size of one connection. */
export class ReadSize {
  /** The size of the next buffer to read into. */
  size: number = MIN_READ_SIZE;
  #small = 0;

  /** Records a read of `n` bytes into a buffer of `capacity` bytes. */
  update(n: number, capacity: number): void {
    if (n >= capacity) {
      this.#small = 0;
      if (capacity >= this.size && this.size < MAX_READ_SIZE) {
        this.size = Math.min(this.size * 4, MAX_READ_SIZE);
      }
    } else if (n * 4 < this.size) {
      if (++this.#small >= SHRINK_AFTER && this.size > MIN_READ_SIZE) {
        this.size = Math.max(this.size >> 1, MIN_READ_SIZE);
        this.#small = 0;
      }
    } else {
      this.#small = 0;
    }
  }
}

/**
 * Whether a read of `n` bytes into a buffer of `capacity` bytes hands over
 * the buffer itself rather than an exact-size copy.
 */
export function handsOver(n: number, capacity: number): boolean {
  return n * 4 >= capacity * 3;
}

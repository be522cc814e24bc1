// Shared by the reliability tests: any promise that rejects unobserved fails
// the test that was running (the listener keeps the process alive long enough
// to say so), and a small seeded random number generator.

import assert from "node:assert/strict";

const unhandled: unknown[] = [];

globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  unhandled.push(event.reason);
});

/**
 * `Deno.test` that, after `fn`, gives the runtime a macrotask turn (unhandled
 * rejections are reported after the microtask queue drains) and fails if any
 * promise rejected unobserved meanwhile.
 */
export function reliabilityTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test(name, async (t) => {
    unhandled.length = 0;
    try {
      await fn(t);
    } finally {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    assert.deepEqual(
      unhandled.map((e) => e instanceof Error ? `${e.name}: ${e.message}` : e),
      [],
      "promises rejected unobserved",
    );
  });
}

/** mulberry32: a tiny, seedable, well-mixed 32-bit generator. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `n` deterministic bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

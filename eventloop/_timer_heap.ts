// The loop's timers: a binary min-heap of TimerHandles ordered by (when, seq),
// so that timers due at the same time run in the order they were scheduled.
// A cancelled timer stays in the heap until it reaches the top or until a
// clean-up drops it (asyncio's base_events: once there are more than 100
// timers and more than half of them are cancelled); TimerHandle.cancel()
// only counts it.

import type { TimerHandle } from "./handle.ts";

/** Clean-up thresholds, as in asyncio's base_events. */
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;

/** The timers of one loop. */
export class TimerHeap {
  #heap: TimerHandle[] = [];
  #cancelled = 0;
  #seq = 0;

  /** How many timers the heap holds, cancelled ones included. */
  get size(): number {
    return this.#heap.length;
  }

  /** The timers not cancelled, in no particular order (for tests). */
  live(): TimerHandle[] {
    return this.#heap.filter((timer) => !timer._cancelled);
  }

  /** The order of a new timer among those due at the same time. */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Adds a timer; it is marked scheduled until it leaves the heap. */
  push(timer: TimerHandle): void {
    timer._scheduled = true;
    const heap = this.#heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (!less(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  /** A timer in the heap was cancelled (TimerHandle.cancel() tells it). */
  noteCancelled(): void {
    this.#cancelled++;
  }

  /**
   * Takes the next timer due at `now` or earlier that is not cancelled, or
   * returns `null`; cancelled timers met on the way are dropped. Cleans up
   * first when cancelled timers are most of a large heap.
   */
  popDue(now: number): TimerHandle | null {
    const heap = this.#heap;
    if (
      heap.length > MIN_SCHEDULED_TIMER_HANDLES &&
      this.#cancelled > heap.length * MIN_CANCELLED_TIMER_HANDLES_FRACTION
    ) {
      this.#dropCancelled();
    }
    while (heap.length > 0 && heap[0]._when <= now) {
      const timer = this.#pop();
      if (!timer._cancelled) return timer;
      this.#cancelled--;
    }
    return null;
  }

  /**
   * When the next live timer is due, or `null` if there is none; cancelled
   * timers at the top are dropped.
   */
  nextWhen(): number | null {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]._cancelled) {
      this.#pop();
      this.#cancelled--;
    }
    return heap.length > 0 ? heap[0]._when : null;
  }

  /** Empties the heap (the loop closed); no timer stays scheduled. */
  clear(): void {
    for (const timer of this.#heap) timer._scheduled = false;
    this.#heap.length = 0;
    this.#cancelled = 0;
  }

  #pop(): TimerHandle {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r], heap[l]) ? r : l;
        if (!less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    top._scheduled = false;
    return top;
  }

  /**
   * Drops the cancelled timers, in place: the array keeps its identity, so
   * no caller can pop from a stale copy whose timers would run twice. A
   * sorted array is a valid heap.
   */
  #dropCancelled(): void {
    const heap = this.#heap;
    let kept = 0;
    for (let i = 0; i < heap.length; i++) {
      const timer = heap[i];
      if (timer._cancelled) timer._scheduled = false;
      else heap[kept++] = timer;
    }
    heap.length = kept;
    heap.sort(compareTimers);
    this.#cancelled = 0;
  }
}

function compareTimers(a: TimerHandle, b: TimerHandle): number {
  return a._when - b._when || a._seq - b._seq;
}

function less(a: TimerHandle, b: TimerHandle): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

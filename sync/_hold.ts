// Private helper of the sync folder; never re-exported.

/** Something with a plain `release()`: a lock, a semaphore or a condition. */
export interface Releasable {
  release(): void;
}

/**
 * What `hold()` returns: releases its owner once, on the first dispose.
 * A second dispose does nothing, so `using` plus an explicit dispose cannot
 * release someone else's hold.
 */
export class Held implements Disposable {
  #owner: Releasable | null;

  constructor(owner: Releasable) {
    this.#owner = owner;
  }

  [Symbol.dispose](): void {
    const owner = this.#owner;
    if (owner !== null) {
      this.#owner = null;
      owner.release();
    }
  }
}

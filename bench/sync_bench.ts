// Lock benchmarks (issue 4): two tasks taking turns on one lock, against the
// minimal promise mutex a JavaScript developer would write (FIFO hand-off,
// but no cancellation).

import { run } from "../eventloop/mod.ts";
import { createTask, sleep } from "../tasks/mod.ts";
import { Lock } from "../sync/mod.ts";
import type { Comparison } from "./_harness.ts";

const ACQUIRES = 100_000;
const UNCONTENDED = 1_000_000;

/** The plain-promise baseline: the lock is handed to the first waiter. */
class PromiseMutex {
  #locked = false;
  #waiters: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#locked = false;
  }
}

async function promiseMutexShape(): Promise<void> {
  const mutex = new PromiseMutex();
  const worker = async () => {
    for (let i = 0; i < ACQUIRES; i++) {
      await mutex.acquire();
      try {
        await null;
      } finally {
        mutex.release();
      }
    }
  };
  await Promise.all([worker(), worker()]);
}

/** Our Lock, taken and released by hand: what `hold()` is measured against. */
function lockByHand(acquires: number, contended: boolean): () => Promise<void> {
  return () =>
    run(function* () {
      const lock = new Lock();
      function* worker() {
        for (let i = 0; i < acquires; i++) {
          yield* lock.acquire();
          try {
            if (contended) yield* sleep(0);
          } finally {
            lock.release();
          }
        }
      }
      if (!contended) return yield* worker();
      const a = createTask(worker());
      const b = createTask(worker());
      yield* a;
      yield* b;
    }());
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  return [
    {
      title: "2 tasks alternating on one Lock, 100,000 acquires each",
      ops: 2 * ACQUIRES,
      ours: () =>
        run(function* () {
          const lock = new Lock();
          // Each holds the lock across one turn of the loop, so the other
          // is waiting when it is released: they alternate.
          function* worker() {
            for (let i = 0; i < ACQUIRES; i++) {
              yield* lock.acquire();
              try {
                yield* sleep(0);
              } finally {
                lock.release();
              }
            }
          }
          const a = createTask(worker());
          const b = createTask(worker());
          yield* a;
          yield* b;
        }()),
      baselines: { "plain promise mutex": promiseMutexShape },
    },
    {
      // The same with `using _ = yield* lock.hold()`: what the TypeScript
      // transpilation of `using` costs on top.
      title: "2 tasks alternating on one Lock via `using hold()`, 100,000 each",
      ops: 2 * ACQUIRES,
      ours: () =>
        run(function* () {
          const lock = new Lock();
          function* worker() {
            for (let i = 0; i < ACQUIRES; i++) {
              using _ = yield* lock.hold();
              yield* sleep(0);
            }
          }
          const a = createTask(worker());
          const b = createTask(worker());
          yield* a;
          yield* b;
        }()),
      baselines: {
        "plain promise mutex": promiseMutexShape,
        "the same with acquire()/release()": lockByHand(ACQUIRES, true),
      },
    },
    {
      // What `using` costs on its own: the lock is free, so each turn is
      // the acquire, the release and, for `using`, the block's disposal.
      title: "1,000,000 uncontended `using _ = yield* lock.hold()`",
      ops: UNCONTENDED,
      ours: () =>
        run(function* () {
          const lock = new Lock();
          for (let i = 0; i < UNCONTENDED; i++) {
            using _ = yield* lock.hold();
          }
        }()),
      baselines: {
        "acquire()/release() in try/finally": lockByHand(UNCONTENDED, false),
        "hold(), disposed by hand": () =>
          run(function* () {
            const lock = new Lock();
            for (let i = 0; i < UNCONTENDED; i++) {
              const held = yield* lock.hold();
              held[Symbol.dispose]();
            }
          }()),
      },
    },
  ];
}

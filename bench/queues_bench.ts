// Queue benchmarks (issue 4): items through a bounded queue, one producer
// and one consumer, against the minimal promise queue a JavaScript developer
// would write (which has no cancellation, shutdown or join).

import { run } from "../eventloop/mod.ts";
import { createTask } from "../tasks/mod.ts";
import { Queue } from "../queues/mod.ts";
import type { Comparison } from "./_harness.ts";

const ITEMS = 1_000_000;
const MAXSIZE = 100;

/** The plain-promise baseline: resolvers in arrays, no cancellation. */
class PromiseQueue<T> {
  #items: T[] = [];
  #getters: (() => void)[] = [];
  #putters: (() => void)[] = [];
  #maxsize: number;

  constructor(maxsize: number) {
    this.#maxsize = maxsize;
  }

  async put(item: T): Promise<void> {
    while (this.#items.length >= this.#maxsize) {
      await new Promise<void>((resolve) => this.#putters.push(resolve));
    }
    this.#items.push(item);
    this.#getters.shift()?.();
  }

  async get(): Promise<T> {
    while (this.#items.length === 0) {
      await new Promise<void>((resolve) => this.#getters.push(resolve));
    }
    const item = this.#items.shift()!;
    this.#putters.shift()?.();
    return item;
  }
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  return [
    {
      title: "1,000,000 items through Queue(100), 1 producer 1 consumer",
      ops: ITEMS,
      ours: () =>
        run(function* () {
          const queue = new Queue<number>(MAXSIZE);
          const consumer = createTask(function* () {
            let sum = 0;
            for (let i = 0; i < ITEMS; i++) sum += yield* queue.get();
            return sum;
          }());
          for (let i = 0; i < ITEMS; i++) yield* queue.put(i);
          return yield* consumer;
        }()),
      baselines: {
        "plain promise queue": async () => {
          const queue = new PromiseQueue<number>(MAXSIZE);
          const consumer = (async () => {
            let sum = 0;
            for (let i = 0; i < ITEMS; i++) sum += await queue.get();
            return sum;
          })();
          for (let i = 0; i < ITEMS; i++) await queue.put(i);
          return await consumer;
        },
      },
    },
  ];
}

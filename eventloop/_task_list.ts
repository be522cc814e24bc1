// The loop's set of pending tasks, as an intrusive doubly-linked list: adding
// and removing a task costs two pointer writes and no hashing, where a `Set`
// has to give every task an identity hash first. Every task is added once when
// made and removed once when done, so this is on the path of each task.

/** What the list links: a task's own `_livePrev`/`_liveNext` fields. */
export interface Linked {
  _livePrev: Linked | null;
  _liveNext: Linked | null;
}

/** A set of tasks with O(1) add/delete and insertion-order iteration. */
export class TaskList<T extends Linked> implements Iterable<T> {
  #head: T | null = null;
  #tail: T | null = null;
  #size = 0;

  constructor(items?: Iterable<T>) {
    if (items !== undefined) { for (const item of items) this.add(item); }
  }

  get size(): number {
    return this.#size;
  }

  has(item: T): boolean {
    return item._livePrev !== null || this.#head === item;
  }

  add(item: T): this {
    if (this.has(item)) return this;
    item._liveNext = null;
    item._livePrev = this.#tail;
    if (this.#tail === null) this.#head = item;
    else this.#tail._liveNext = item;
    this.#tail = item;
    this.#size++;
    return this;
  }

  delete(item: T): boolean {
    if (!this.has(item)) return false;
    const prev = item._livePrev as T | null;
    const next = item._liveNext as T | null;
    if (prev === null) this.#head = next;
    else prev._liveNext = next;
    if (next === null) this.#tail = prev;
    else next._livePrev = prev;
    item._livePrev = null;
    item._liveNext = null;
    this.#size--;
    return true;
  }

  /**
   * Empties the list and unlinks every item, so that the items can join
   * another list: membership is read from the links themselves.
   */
  clear(): void {
    let item = this.#head;
    while (item !== null) {
      const next = item._liveNext as T | null;
      item._livePrev = null;
      item._liveNext = null;
      item = next;
    }
    this.#head = null;
    this.#tail = null;
    this.#size = 0;
  }

  *[Symbol.iterator](): Generator<T, void, unknown> {
    // The next link is read before yielding, so deleting the current item
    // while iterating is safe.
    let item = this.#head;
    while (item !== null) {
      const next = item._liveNext as T | null;
      yield item;
      item = next;
    }
  }
}

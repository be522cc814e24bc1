// What a transport or a server puts on the loop's ready queue for its own
// work: a Runnable that runs a function, made once and pushed as often as
// needed. A Handle is for users' callbacks: it checks and reports more.

import type { Runnable } from "./handle.ts";

/** A Runnable that runs `_run` (which must not throw). */
export class Step implements Runnable {
  _cancelled = false;

  /** @param _run What it runs: a transport's own method, which never throws. */
  constructor(readonly _run: () => void) {}
}

/**
 * A Runnable that calls `method` on `target`: what an object pushes for its
 * own private method, with no closure per object (the method is shared by
 * every instance of its class).
 */
export class MethodStep<T> implements Runnable {
  _cancelled = false;

  /**
   * @param _target The object it runs the method of.
   * @param _method One of its methods, which never throws.
   */
  constructor(
    readonly _target: T,
    readonly _method: (this: T) => void,
  ) {}

  _run(): void {
    this._method.call(this._target);
  }
}

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

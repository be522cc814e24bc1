// "Unclosed transport/server" reports. A resource registered here is
// reported through the module logger, with where it was made when its loop
// was in debug mode, if it is still open
// - when it is garbage-collected (asyncio's ResourceWarning from `__del__`):
//   nothing reads or accepts on it any more and nobody closed it; or
// - when its loop closes: an open listener or connection has an I/O
//   operation in flight that keeps it, and the program, alive, so it would
//   never be collected.
// `untrack()` (called by its `close()`) ends the watch.

import type { EventLoop } from "./event_loop.ts";
import { getLogger } from "./log.ts";
import { captureSourceTraceback } from "./_debug.ts";
import { formatAddr } from "./_net.ts";

interface Entry {
  ref: WeakRef<object>;
  loop: EventLoop;
  description: string;
  /** An address shown after the description (formatted when reported). */
  addr: unknown;
  sourceTraceback: string | null;
  /** Closes the Deno resource behind it without touching the loop. */
  release: Release | null;
}

const byResource = new WeakMap<object, Entry>();
const openByLoop = new WeakMap<EventLoop, Set<Entry>>();

const unclosed = new FinalizationRegistry<Entry>((entry) => {
  openByLoop.get(entry.loop)?.delete(entry);
  report(entry, "it was garbage-collected while open");
});

/**
 * What closes the resource behind: a function, or the Deno resource itself
 * (no closure to keep per resource).
 */
type Release = (() => void) | { close(): void };

function describe(entry: Entry): string {
  return entry.addr === undefined
    ? entry.description
    : `${entry.description} ${formatAddr(entry.addr)}`;
}

function report(entry: Entry, what: string): void {
  const description = describe(entry);
  const lines = [`Unclosed ${description}: ${what}; call close()`];
  if (entry.sourceTraceback !== null) {
    lines.push(`created at:\n${entry.sourceTraceback}`);
  }
  getLogger().warning(lines.join("\n"), {
    extra: {
      description,
      sourceTraceback: entry.sourceTraceback,
    },
  });
}

/**
 * Watches `resource` until {@linkcode untrack}. `description` (such as
 * `"transport to"`, followed by `addr` formatted when it is reported: no
 * string is built per connection) and `release` must not hold `resource`
 * itself.
 */
export function trackUnclosed(
  resource: object,
  description: string,
  loop: EventLoop,
  release?: Release,
  addr?: unknown,
): void {
  if (byResource.has(resource)) return;
  const entry: Entry = {
    ref: new WeakRef(resource),
    loop,
    description,
    addr,
    sourceTraceback: loop.getDebug() ? captureSourceTraceback() : null,
    release: release ?? null,
  };
  byResource.set(resource, entry);
  let open = openByLoop.get(loop);
  if (open === undefined) openByLoop.set(loop, open = new Set());
  open.add(entry);
  unclosed.register(resource, entry, resource);
}

/** `resource` was closed: nothing to report. Idempotent. */
export function untrack(resource: object): void {
  const entry = byResource.get(resource);
  if (entry === undefined) return;
  byResource.delete(resource);
  openByLoop.get(entry.loop)?.delete(entry);
  unclosed.unregister(resource);
}

/** Reports the resources of `loop` still open; called by `loop.close()`. */
export function reportUnclosedAtClose(loop: EventLoop): void {
  const open = openByLoop.get(loop);
  if (open === undefined) return;
  openByLoop.delete(loop);
  for (const entry of open) {
    const resource = entry.ref.deref();
    if (resource === undefined) continue;
    byResource.delete(resource);
    unclosed.unregister(resource);
    report(
      entry,
      "it was still open when its event loop closed, so it was closed for you (an open connection or listener would keep the program running)",
    );
    // Deno keeps a process alive while a listener or a read is pending, so a
    // resource left open would hang the program after run() returns (Python
    // would exit and let the OS close it).
    try {
      const release = entry.release;
      if (typeof release === "function") release();
      else release?.close();
    } catch {
      // Already closed underneath: nothing left to release.
    }
  }
}

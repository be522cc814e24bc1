// The cancellation fuzzer's programs: a seed becomes a plan (a tree of
// operations for a handful of tasks, plus when to cancel what), fixed before
// anything runs, so a failing seed replays the same program.

import { Rng } from "./_harness.ts";

/** One step of a task's program. */
export type Op =
  | { k: "sleep"; d: number }
  | { k: "yield" }
  | { k: "lock"; manual: boolean; body: Op[] }
  | { k: "sem"; body: Op[] }
  | { k: "condWait" }
  | { k: "condNotify"; all: boolean }
  | { k: "eventWait" }
  | { k: "eventSet" }
  | { k: "eventClear" }
  | { k: "barrier" }
  | { k: "barrierReset" }
  | { k: "put" }
  | { k: "get" }
  | { k: "putNowait" }
  | { k: "getNowait" }
  | { k: "future"; d: number }
  | { k: "fail" }
  | {
    /**
     * A storm of `n` timers on the loop, due within `spread` time units
     * (many in the same pass), `cancelShare` of them cancelled at once and
     * some cancelled by another timer's callback, possibly in the pass
     * where both are due. Every live timer must run exactly once.
     */
    k: "timers";
    n: number;
    cancelShare: number;
    spread: number;
    seed: number;
  }
  | { k: "gather"; children: Op[][]; returnExceptions: boolean }
  | {
    k: "wait";
    children: Op[][];
    timeout: number | undefined;
    returnWhen: "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED";
  }
  | { k: "timeout"; d: number; body: Op[] }
  | { k: "waitFor"; d: number; body: Op[] }
  | { k: "taskGroup"; children: Op[][]; body: Op[] }
  | { k: "shield"; body: Op[] }
  | { k: "asCompleted"; children: Op[][]; timeout: number | undefined }
  | { k: "echo"; n: number }
  | { k: "child"; n: number }
  | {
    k: "feedRead";
    how: "read" | "readExactly" | "readUntil" | "readLine";
    n: number;
  };

/** A whole program. */
export interface Plan {
  seed: number;
  /** Loopback streams and real time (else virtual time, no I/O). */
  streams: boolean;
  semValue: number;
  barrierParties: number;
  queueMaxsize: number;
  tasks: Op[][];
  /** Times (seconds from the start) at which a random live task is cancelled. */
  cancelAt: number[];
  /** Loop passes after which a random live task is cancelled. */
  cancelAtPass: number[];
  /**
   * The chance that a task woken by a future (a lock, a slot, an item, a
   * notification handed to it) is cancelled before it resumes.
   */
  handoff: number;
  /** When the main task stops waiting and cancels whatever is left. */
  horizon: number;
  /** Tasks start eagerly (`eagerTaskFactory`). */
  eager: boolean;
  /** The queue's class. */
  queueKind: "fifo" | "lifo" | "priority";
  /** The Condition shares the Lock of the lock operations. */
  sharedCondLock: boolean;
  /**
   * Condition waits loop over `wait()` (counting wake-ups, so a lost
   * notification is seen) instead of calling `waitFor()`.
   */
  condByWait: boolean;
  /** The echo server listens on a Unix socket instead of TCP. */
  unix: boolean;
}

/** The time unit of a plan: virtual seconds, or a few real milliseconds. */
function unit(streams: boolean): number {
  return streams ? 0.002 : 1;
}

const LEAVES: readonly Op["k"][] = [
  "sleep",
  "sleep",
  "yield",
  "condWait",
  "condNotify",
  "condNotify",
  "eventWait",
  "eventSet",
  "eventSet",
  "eventClear",
  "barrier",
  "barrier",
  "barrierReset",
  "put",
  "put",
  "get",
  "get",
  "putNowait",
  "getNowait",
  "future",
  "fail",
];

const COMPOSITES: readonly Op["k"][] = [
  "lock",
  "lock",
  "sem",
  "sem",
  "gather",
  "wait",
  "timeout",
  "timeout",
  "waitFor",
  "taskGroup",
  "shield",
  "asCompleted",
];

function genOps(rng: Rng, plan: Plan, depth: number, max: number): Op[] {
  const ops: Op[] = [];
  const n = rng.range(1, max);
  for (let i = 0; i < n; i++) ops.push(genOp(rng, plan, depth));
  return ops;
}

function genChildren(rng: Rng, plan: Plan, depth: number): Op[][] {
  const children: Op[][] = [];
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) children.push(genOps(rng, plan, depth + 1, 3));
  return children;
}

function genOp(rng: Rng, plan: Plan, depth: number): Op {
  const u = unit(plan.streams);
  const dur = () => rng.int(5) * u;
  if (plan.streams && rng.chance(0.2)) {
    return { k: "echo", n: rng.pick([1, 7, 100, 4096, 70000]) };
  }
  if (plan.streams && rng.chance(0.06)) {
    return { k: "child", n: rng.pick([0, 10, 70000]) };
  }
  if (plan.streams && rng.chance(0.15)) {
    return {
      k: "feedRead",
      how: rng.pick(["read", "readExactly", "readUntil", "readLine"] as const),
      n: rng.pick([1, 100, 1000, 20000]),
    };
  }
  const kind = depth < 2 && rng.chance(0.35)
    ? rng.pick(COMPOSITES)
    : rng.pick(LEAVES);
  const body = () => genOps(rng, plan, depth + 1, 3);
  switch (kind) {
    case "sleep":
      return { k: "sleep", d: dur() };
    case "future":
      return { k: "future", d: dur() };
    case "condNotify":
      return { k: "condNotify", all: rng.chance(0.3) };
    case "lock":
      return { k: "lock", manual: rng.chance(0.5), body: body() };
    case "sem":
      return { k: "sem", body: body() };
    case "gather":
      return {
        k: "gather",
        children: genChildren(rng, plan, depth),
        returnExceptions: rng.chance(0.5),
      };
    case "wait":
      return {
        k: "wait",
        children: genChildren(rng, plan, depth),
        timeout: rng.chance(0.5) ? rng.int(6) * u : undefined,
        returnWhen: rng.pick(
          ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"] as const,
        ),
      };
    case "timeout":
      return { k: "timeout", d: rng.int(6) * u, body: body() };
    case "waitFor":
      return { k: "waitFor", d: rng.int(6) * u, body: body() };
    case "taskGroup":
      return {
        k: "taskGroup",
        children: genChildren(rng, plan, depth),
        body: genOps(rng, plan, depth + 1, 2),
      };
    case "shield":
      return { k: "shield", body: body() };
    case "asCompleted":
      return {
        k: "asCompleted",
        children: genChildren(rng, plan, depth),
        timeout: rng.chance(0.5) ? rng.int(6) * u : undefined,
      };
    default:
      return { k: kind } as Op;
  }
}

/** The program of `seed`. */
export function makePlan(seed: number, streams: boolean): Plan {
  const rng = new Rng(seed * 2654435761 + (streams ? 1 : 0));
  const u = unit(streams);
  const plan: Plan = {
    seed,
    streams,
    semValue: rng.range(1, 3),
    barrierParties: rng.range(2, 3),
    queueMaxsize: rng.range(0, 3),
    tasks: [],
    cancelAt: [],
    cancelAtPass: [],
    handoff: 0,
    horizon: 30 * u,
    eager: false,
    queueKind: "fifo",
    sharedCondLock: false,
    condByWait: false,
    unix: false,
  };
  const nTasks = rng.range(2, 7);
  for (let i = 0; i < nTasks; i++) plan.tasks.push(genOps(rng, plan, 0, 6));
  const nCancels = rng.range(0, 8);
  for (let i = 0; i < nCancels; i++) {
    if (rng.chance(0.5)) plan.cancelAt.push(rng.int(25) * u);
    else plan.cancelAtPass.push(rng.range(1, 60));
  }
  plan.handoff = rng.pick([0, 0, 0.1, 0.3, 0.6]);
  plan.eager = rng.chance(0.25);
  plan.queueKind = rng.pick(["fifo", "fifo", "lifo", "priority"] as const);
  plan.sharedCondLock = rng.chance(0.25);
  plan.condByWait = rng.chance(0.5);
  plan.unix = streams && rng.chance(0.3);
  // Drawn last, so that the rest of a seed's plan is what it was before
  // timer storms were added.
  if (rng.chance(0.3)) {
    const storms = rng.range(1, 2);
    for (let i = 0; i < storms; i++) {
      const ops = plan.tasks[rng.int(plan.tasks.length)];
      ops.splice(rng.int(ops.length + 1), 0, {
        k: "timers",
        // More than 100 timers, more than half cancelled: the loop then
        // drops the cancelled ones from its heap in the pass that runs the
        // due ones.
        n: rng.range(120, 400),
        cancelShare: rng.pick([0.55, 0.7, 0.9]),
        spread: rng.int(3),
        seed: rng.int(2 ** 31),
      });
    }
  }
  return plan;
}

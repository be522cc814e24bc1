// Runs a fuzz plan and checks the invariants afterwards. Every operation
// records what it did (who holds the lock, how many semaphore slots are in
// use, which queue items were put and got, which `finally` blocks ran), and
// every breach is collected as a violation rather than thrown, so one run
// reports all it found.

import {
  CancelledError,
  type EventLoop,
  type Future,
  getRunningLoop,
  run,
  type Server,
  TimeoutError,
  type TimerHandle,
} from "../../eventloop/mod.ts";
import {
  allTasks,
  asCompleted,
  type Coroutine,
  createTask,
  currentTask,
  eagerTaskFactory,
  ExceptionGroup,
  gather,
  shield,
  sleep,
  type Task,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from "../../tasks/mod.ts";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
} from "../../sync/mod.ts";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
} from "../../queues/mod.ts";
import {
  IncompleteReadError,
  LimitOverrunError,
  openConnection,
  openUnixConnection,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";
import {
  createSubprocessExec,
  PIPE,
  type Process,
} from "../../subprocess/mod.ts";
import { Rng } from "./_harness.ts";

import type { Op, Plan } from "./_fuzz_plan.ts";

/** The error the `fail` operation throws. */
export class FuzzError extends Error {
  override name = "FuzzError";
}

/**
 * Whether `error` is a FuzzError or a group made only of FuzzErrors. A group
 * may also hold the error of a `tg.createTask()` called after a child failed
 * (with eager tasks a child can fail inside `createTask()`, so the body's next
 * call meets a group that is shutting down, as in asyncio).
 */
function isFuzzFailure(error: unknown): boolean {
  if (error instanceof FuzzError) return true;
  if (
    error instanceof Error && error.constructor === Error &&
    /TaskGroup is shutting down/.test(error.message)
  ) return true;
  if (error instanceof ExceptionGroup) {
    return error.errors.length > 0 && error.errors.every(isFuzzFailure);
  }
  return false;
}

/** Errors a loopback connection may end with when its peer was cancelled. */
function isConnectionError(error: unknown): boolean {
  return error instanceof IncompleteReadError ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted;
}

/** Runs `coro`; false if it threw an error `expected` accepts. */
function* ignoring(
  coro: Coroutine<unknown>,
  expected: (error: unknown) => boolean,
): Coroutine<boolean> {
  try {
    yield* coro;
    return true;
  } catch (error) {
    if (!expected(error)) throw error;
    return false;
  }
}

function describe(error: unknown): string {
  if (error instanceof ExceptionGroup) {
    return `${error.name}: ${error.message} [${
      error.errors.map(describe).join(" | ")
    }]`;
  }
  return error instanceof Error
    ? `${error.name}: ${error.message}\n${error.stack}`
    : String(error);
}

/** A timer of a `timers` operation, and what became of it. */
interface StormTimer {
  handle: TimerHandle;
  /** How many times its callback ran: 1 if live, 0 if cancelled. */
  runs: number;
  /** Cancelled before its callback ran. */
  cancelled: boolean;
  /** The storm timer its callback cancels, if any. */
  victim: StormTimer | null;
}

/** The shared state of one run. */
class World {
  readonly violations: string[] = [];
  readonly lock = new Lock();
  lockHolder: number | null = null;
  readonly sem: BoundedSemaphore;
  semInUse = 0;
  readonly cond: Condition;
  /** The Condition's lock (so a waiter taking it back can be told apart). */
  readonly condLock: Lock;
  condValue = 0;
  /** Tasks blocked in `cond.wait()` (plans with `condByWait`). */
  readonly condWaiters = new Set<Task<unknown>>();
  /** Wake-ups notify() owes to waiters and that none has taken yet. */
  condOwed = 0;
  readonly event = new Event();
  readonly barrier: Barrier;
  readonly queue: Queue<number>;
  nextItem = 0;
  readonly putDone = new Set<number>();
  readonly got: number[] = [];
  nextOp = 0;
  readonly entered = new Map<number, string>();
  readonly finallies = new Map<number, number>();
  readonly futures: Future<unknown>[] = [];
  readonly exceptionContexts: string[] = [];
  port = 0;
  /** The echo server's Unix socket, for plans with `unix`. */
  path = "";
  /**
   * The feed: one connection on which a server writes FEED_SIZE bytes of
   * a known sequence while tasks take turns reading it in random ways.
   */
  feed: { reader: StreamReader; writer: StreamWriter } | null = null;
  readonly feedLock = new Lock();
  /** What reads returned, in order; bytes the feed server wrote. */
  readonly feedGot: Uint8Array[] = [];
  feedWritten = 0;
  feedBytesByOps = 0;
  echoes = 0;
  children = 0;
  readonly processes: Process[] = [];
  handoffCancels = 0;
  /** The timers of the `timers` operations, checked at the end. */
  readonly stormTimers: StormTimer[] = [];
  /** The loop time by which every storm timer is due. */
  stormsDueBy = 0;
  /** Called with each future the loop makes (set by chaos()). */
  onFuture: ((fut: Future<unknown>) => void) | null = null;

  constructor(readonly plan: Plan, readonly loop: EventLoop) {
    this.sem = new BoundedSemaphore(plan.semValue);
    this.barrier = new Barrier(plan.barrierParties);
    this.queue = plan.queueKind === "lifo"
      ? new LifoQueue<number>(plan.queueMaxsize)
      : plan.queueKind === "priority"
      ? new PriorityQueue<number>(plan.queueMaxsize)
      : new Queue<number>(plan.queueMaxsize);
    this.condLock = plan.sharedCondLock ? this.lock : new Lock();
    this.cond = new Condition(this.condLock);
  }

  violate(message: string): void {
    this.violations.push(message);
  }
}

function* seq(w: World, ops: Op[]): Coroutine<void> {
  for (const op of ops) yield* tracked(w, op);
}

/** Runs one operation inside a `finally` that must run exactly once. */
function* tracked(w: World, op: Op): Coroutine<void> {
  const id = w.nextOp++;
  w.entered.set(id, op.k);
  try {
    yield* perform(w, op, id);
  } finally {
    w.finallies.set(id, (w.finallies.get(id) ?? 0) + 1);
  }
}

function* perform(w: World, op: Op, id: number): Coroutine<void> {
  switch (op.k) {
    case "sleep":
      return yield* sleep(op.d);
    case "yield":
      yield;
      return;
    case "lock": {
      if (op.manual) {
        yield* w.lock.acquire();
        try {
          yield* insideLock(w, op.body, id);
        } finally {
          w.lock.release();
        }
      } else {
        using _ = yield* w.lock.hold();
        yield* insideLock(w, op.body, id);
      }
      return;
    }
    case "sem": {
      using _ = yield* w.sem.hold();
      w.semInUse++;
      if (w.semInUse > w.plan.semValue) {
        w.violate(`${w.semInUse} tasks inside a Semaphore(${w.plan.semValue})`);
      }
      try {
        yield* seq(w, op.body);
      } finally {
        w.semInUse--;
      }
      return;
    }
    case "condWait": {
      yield* w.cond.acquire();
      try {
        const seen = w.condValue;
        if (w.plan.condByWait) {
          while (w.condValue === seen) yield* countedWait(w);
        } else {
          yield* w.cond.waitFor(() => w.condValue !== seen);
        }
      } finally {
        if (!w.cond.locked()) {
          w.violate("Condition.waitFor() ended without the lock held");
        } else {
          w.cond.release();
        }
      }
      return;
    }
    case "condNotify": {
      using _ = yield* w.cond.hold();
      w.condValue++;
      // As the Condition does, count only waiters whose wait is still
      // pending: not cancelled, not woken already (a woken one may be
      // queued on the lock to take it back).
      let pending = 0;
      for (const t of w.condWaiters) {
        const fut = t.waitingOn();
        if (
          fut !== null && !fut.done() && !w.condLock._lot.has(fut)
        ) pending++;
      }
      w.condOwed += op.all ? pending : Math.min(1, pending);
      if (op.all) w.cond.notifyAll();
      else w.cond.notify();
      return;
    }
    case "eventWait":
      // The event may be clear again when this returns: a set() wakes every
      // waiter, even if clear() follows before they run (as in asyncio).
      yield* w.event.wait();
      return;
    case "eventSet":
      w.event.set();
      return;
    case "eventClear":
      w.event.clear();
      return;
    case "barrier":
      try {
        const index = yield* w.barrier.wait();
        if (!(index >= 0 && index < w.plan.barrierParties)) {
          w.violate(`Barrier.wait() returned ${index}`);
        }
      } catch (error) {
        if (!(error instanceof BrokenBarrierError)) throw error;
      }
      return;
    case "barrierReset":
      return yield* w.barrier.reset();
    case "put": {
      const item = w.nextItem++;
      yield* w.queue.put(item);
      w.putDone.add(item);
      return;
    }
    case "get": {
      const item = yield* w.queue.get();
      w.got.push(item);
      w.queue.taskDone();
      return;
    }
    case "putNowait": {
      const item = w.nextItem++;
      try {
        w.queue.putNowait(item);
        w.putDone.add(item);
      } catch (error) {
        if (!(error instanceof QueueFull)) throw error;
      }
      return;
    }
    case "getNowait":
      try {
        w.got.push(w.queue.getNowait());
        w.queue.taskDone();
      } catch (error) {
        if (!(error instanceof QueueEmpty)) throw error;
      }
      return;
    case "future": {
      const fut = w.loop.createFuture<number>();
      const handle = w.loop.callLater(op.d, () => {
        if (!fut.done()) fut.setResult(id);
      });
      try {
        const value = yield* fut;
        if (value !== id) w.violate(`future ${id} resolved with ${value}`);
      } finally {
        handle.cancel();
      }
      return;
    }
    case "fail":
      throw new FuzzError(`fail ${id}`);
    case "timers":
      return yield* timerStorm(w, op);
    case "gather": {
      const coros = op.children.map((ops) => seq(w, ops));
      try {
        const results = yield* gather(coros, {
          returnExceptions: op.returnExceptions,
        });
        for (const r of results) {
          if (
            r !== undefined && !(r instanceof CancelledError) &&
            !isFuzzFailure(r)
          ) {
            w.violate(`gather() gave ${describe(r)}`);
          }
        }
      } catch (error) {
        if (!isFuzzFailure(error)) throw error;
      }
      return;
    }
    case "wait": {
      const tasks = op.children.map((ops) => createTask(seq(w, ops)));
      try {
        const [done, pending] = yield* wait(tasks, {
          timeout: op.timeout,
          returnWhen: op.returnWhen,
        });
        if (done.size + pending.size !== tasks.length) {
          w.violate(
            `wait() split ${tasks.length} tasks into ${done.size}+${pending.size}`,
          );
        }
        for (const t of done) {
          if (!t.done()) w.violate("wait() put a pending task in 'done'");
        }
        for (const t of pending) {
          if (t.done()) w.violate("wait() put a done task in 'pending'");
        }
      } finally {
        for (const t of tasks) t.cancel();
        const outcomes = yield* gather(tasks, { returnExceptions: true });
        for (const r of outcomes) {
          if (
            r !== undefined && !(r instanceof CancelledError) &&
            !isFuzzFailure(r)
          ) {
            w.violate(`a wait() child ended with ${describe(r)}`);
          }
        }
      }
      return;
    }
    case "timeout":
      try {
        yield* timeout(op.d, seq(w, op.body));
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
      return;
    case "waitFor":
      try {
        yield* waitFor(seq(w, op.body), op.d);
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
      }
      return;
    case "taskGroup":
      try {
        yield* taskGroup(function* (tg) {
          for (const ops of op.children) tg.createTask(seq(w, ops));
          yield* seq(w, op.body);
        });
      } catch (error) {
        if (!isFuzzFailure(error)) throw error;
      }
      return;
    case "shield": {
      const inner = createTask(seq(w, op.body));
      try {
        yield* shield(inner);
      } catch (error) {
        if (error instanceof CancelledError && !inner.done()) {
          // The shield stops watching the inner task once the outer one is
          // cancelled (asyncio 3.12 too), so an error it ends with later is
          // ours to read, or it is reported as never retrieved.
          inner.addDoneCallback((t) => {
            if (!t.cancelled()) t.exception();
          });
        }
        if (!isFuzzFailure(error)) throw error;
      }
      return;
    }
    case "asCompleted": {
      const tasks = op.children.map((ops) => createTask(seq(w, ops)));
      try {
        for (const next of asCompleted(tasks, { timeout: op.timeout })) {
          try {
            yield* next;
          } catch (error) {
            if (
              error instanceof TimeoutError && op.timeout !== undefined
            ) break;
            if (!(error instanceof CancelledError) && !isFuzzFailure(error)) {
              throw error;
            }
            if (
              error instanceof CancelledError && currentTask()!.cancelling()
            ) {
              throw error;
            }
          }
        }
      } finally {
        for (const t of tasks) t.cancel();
        yield* gather(tasks, { returnExceptions: true });
      }
      return;
    }
    case "echo":
      return yield* echo(w, op.n, id);
    case "feedRead":
      return yield* feedRead(w, op.how, op.n);
    case "child":
      return yield* child(w, op.n, id);
  }
}

/**
 * One `cond.wait()`, counted: a normal return takes one owed wake-up; once
 * nobody waits, nothing is owed (a notification passed on to nobody is gone).
 */
function* countedWait(w: World): Coroutine<void> {
  const me = currentTask()!;
  w.condWaiters.add(me);
  let woken = false;
  try {
    yield* w.cond.wait();
    woken = true;
  } finally {
    w.condWaiters.delete(me);
    if (woken) w.condOwed = Math.max(0, w.condOwed - 1);
    if (w.condWaiters.size === 0) w.condOwed = 0;
  }
}

function* insideLock(w: World, body: Op[], id: number): Coroutine<void> {
  if (w.lockHolder !== null) {
    w.violate(`op ${id} got the Lock while op ${w.lockHolder} holds it`);
  }
  w.lockHolder = id;
  try {
    yield* seq(w, body);
  } finally {
    if (w.lockHolder !== id) {
      w.violate(`op ${id} leaves the Lock held by ${w.lockHolder}`);
    }
    w.lockHolder = null;
  }
}

/** Sends `n` bytes to the echo server on a fresh connection, reads them back. */
function* echo(w: World, n: number, id: number): Coroutine<void> {
  const data = new Rng(id + 1).bytes(n);
  const [reader, writer] = w.plan.unix
    ? yield* openUnixConnection(w.path)
    : yield* openConnection("127.0.0.1", w.port);
  try {
    writer.write(data);
    yield* writer.drain();
    const back = yield* reader.readExactly(n);
    if (back.length !== n || back.some((b, i) => b !== data[i])) {
      w.violate(`echo ${id}: ${n} bytes came back different`);
    }
    w.echoes++;
  } catch (error) {
    // The server's task for this connection may have been cancelled.
    if (!isConnectionError(error)) throw error;
  } finally {
    writer.close();
    yield* ignoring(writer.waitClosed(), isConnectionError);
  }
}

/**
 * Pipes `n` bytes through `cat` with communicate(); a cancelled run kills
 * the child and waits for it, as a careful caller does (cancelling
 * communicate() does not stop the child).
 */
function* child(w: World, n: number, id: number): Coroutine<void> {
  const data = new Rng(id + 1).bytes(n);
  const proc = yield* createSubprocessExec("cat", [], {
    stdin: PIPE,
    stdout: PIPE,
  });
  w.processes.push(proc);
  let done = false;
  try {
    const [out] = yield* proc.communicate(data);
    done = true;
    if (
      out === null || out.length !== n || out.some((b, i) => b !== data[i])
    ) {
      w.violate(`child ${id}: ${n} bytes came back different`);
    }
    if (proc.returncode !== 0) {
      w.violate(`child ${id}: cat exited with ${proc.returncode}`);
    }
    w.children++;
  } finally {
    if (!done && proc.returncode === null) proc.kill();
    yield* proc.wait();
  }
}

const FEED_SIZE = 300_000;
const feedByte = (i: number) => (i * 7 + (i >> 8)) % 256;

/** The feed server: writes the sequence in uneven chunks, then closes. */
function feeder(w: World) {
  return function* (_reader: StreamReader, writer: StreamWriter) {
    try {
      for (let at = 0; at < FEED_SIZE;) {
        const n = Math.min(FEED_SIZE - at, 1 + (at * 31) % 9000);
        const chunk = new Uint8Array(n);
        for (let i = 0; i < n; i++) chunk[i] = feedByte(at + i);
        writer.write(chunk);
        w.feedWritten += n;
        at += n;
        yield* writer.drain();
        if (at % 3 === 0) yield* sleep(0.001);
      }
    } catch (error) {
      if (!isConnectionError(error)) throw error;
    } finally {
      writer.close();
    }
  };
}

/**
 * One read of the feed, one task at a time (a StreamReader serves one
 * waiting reader). A cancelled read must leave its bytes for the next.
 */
function* feedRead(
  w: World,
  how: "read" | "readExactly" | "readUntil" | "readLine",
  n: number,
): Coroutine<void> {
  if (w.feed === null) return;
  const reader = w.feed.reader;
  using _ = yield* w.feedLock.hold();
  try {
    switch (how) {
      case "read":
        w.feedGot.push(yield* reader.read(n));
        break;
      case "readExactly":
        w.feedGot.push(yield* reader.readExactly(n));
        break;
      case "readUntil":
        w.feedGot.push(yield* reader.readUntil(new Uint8Array([feedByte(n)])));
        break;
      case "readLine":
        w.feedGot.push(yield* reader.readLine());
        break;
    }
  } catch (error) {
    // At EOF the bytes read so far come with the error, and are consumed.
    if (error instanceof IncompleteReadError) w.feedGot.push(error.partial);
    else if (!(error instanceof LimitOverrunError)) throw error;
  }
}

/** Reads the rest of the feed and checks nothing was lost or repeated. */
function* checkFeed(w: World): Coroutine<void> {
  const feed = w.feed;
  if (feed === null) return;
  const rest = yield* ignoring(
    timeout(
      5,
      function* () {
        while (true) {
          const chunk = yield* feed.reader.read(65536);
          if (chunk.length === 0) return;
          w.feedGot.push(chunk);
        }
      }(),
    ),
    (error) => error instanceof TimeoutError,
  );
  if (!rest) w.violate("the feed did not reach EOF");
  let at = 0;
  for (const chunk of w.feedGot) {
    for (let i = 0; i < chunk.length; i++, at++) {
      if (chunk[i] !== feedByte(at)) {
        w.violate(`feed byte ${at} is wrong: a byte was lost or repeated`);
        return;
      }
    }
  }
  if (at !== w.feedWritten) {
    w.violate(`the feed server wrote ${w.feedWritten} bytes, ${at} were read`);
  }
  feed.writer.close();
  yield* ignoring(feed.writer.waitClosed(), isConnectionError);
}

/**
 * Schedules a storm of timers (see the `timers` operation), cancels most of
 * them, and waits until all are due. The timers belong to the loop, not to
 * the task: they run (or not) even if the task is cancelled meanwhile, and
 * checkInvariants counts their runs at the end.
 */
function* timerStorm(
  w: World,
  op: Extract<Op, { k: "timers" }>,
): Coroutine<void> {
  const rng = new Rng(op.seed);
  const u = w.plan.streams ? 0.002 : 1;
  const loop = w.loop;
  const cancel = (timer: StormTimer) => {
    if (timer.runs === 0 && !timer.cancelled) {
      timer.cancelled = true;
      timer.handle.cancel();
    }
  };
  const timers: StormTimer[] = [];
  for (let i = 0; i < op.n; i++) {
    const timer: StormTimer = {
      handle: null as unknown as TimerHandle,
      runs: 0,
      cancelled: false,
      victim: null,
    };
    timer.handle = loop.callLater(rng.int(op.spread + 1) * u, () => {
      timer.runs++;
      if (timer.victim !== null) cancel(timer.victim);
    });
    timers.push(timer);
  }
  // Some timers cancel another when they run: in the same pass if both are
  // due together (the victim may already be on the ready queue).
  for (const timer of timers) {
    if (rng.chance(0.1)) timer.victim = timers[rng.int(timers.length)];
  }
  for (const timer of timers) if (rng.chance(op.cancelShare)) cancel(timer);
  w.stormTimers.push(...timers);
  const dueBy = loop.time() + (op.spread + 1) * u;
  w.stormsDueBy = Math.max(w.stormsDueBy, dueBy);
  yield* sleep((op.spread + 1) * u);
}

/** The server side of `echo`: echoes until EOF. */
function* echoHandler(
  reader: StreamReader,
  writer: StreamWriter,
): Coroutine<void> {
  try {
    while (true) {
      const chunk = yield* reader.read(65536);
      if (chunk.length === 0) break;
      writer.write(chunk);
      yield* writer.drain();
    }
  } catch (error) {
    if (!isConnectionError(error)) throw error;
  } finally {
    writer.close();
  }
}

/** A top-level task: its own failures are expected, anything else is not. */
function* top(w: World, ops: Op[]): Coroutine<void> {
  try {
    yield* seq(w, ops);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    if (!isFuzzFailure(error)) w.violate(`a task failed: ${describe(error)}`);
  }
}

/** Schedules the plan's cancellations; returns a function that stops them. */
function chaos(w: World, main: Task<unknown>): () => void {
  const rng = new Rng(w.plan.seed ^ 0x5eed);
  const loop = w.loop;
  const cancelOne = () => {
    const live = [...allTasks(loop)].filter((t) => t !== main && !t.done());
    if (live.length === 0) return;
    const victim = live[rng.int(live.length)];
    victim.cancel(rng.chance(0.3) ? "fuzz" : undefined);
    if (rng.chance(0.1)) victim.cancel();
  };
  const timers = w.plan.cancelAt.map((at) => loop.callLater(at, cancelOne));
  const passes = new Set(w.plan.cancelAtPass);
  const last = Math.max(0, ...w.plan.cancelAtPass);
  let pass = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    pass++;
    if (passes.has(pass)) cancelOne();
    if (pass < last) loop.callSoon(tick);
  };
  if (last > 0) loop.callSoon(tick);
  // Registered before the waiting task's wake-up, this done-callback runs in
  // the same pass, after the future was handed a result and before the task
  // resumes: the moment where a hand-off is most easily lost.
  w.onFuture = (fut) => {
    fut.addDoneCallback(() => {
      if (stopped || fut.cancelled() || !rng.chance(w.plan.handoff)) return;
      for (const t of allTasks(loop)) {
        if (t.waitingOn() === fut && t !== main) {
          t.cancel();
          w.handoffCancels++;
        }
      }
    });
  };
  return () => {
    stopped = true;
    w.onFuture = null;
    for (const t of timers) t.cancel();
  };
}

/**
 * On virtual time every operation happens at a whole time unit, so at each
 * half unit the loop is idle: nothing is ready to run. A waiter then still
 * queued on a free resource was stranded (a hand-off lost); it would wait
 * forever, so it is a bug even if the end-of-program sweep frees it.
 */
function watchStranded(w: World): () => void {
  const timers: TimerHandle[] = [];
  for (let at = 0.5; at < w.plan.horizon; at += 1) {
    timers.push(w.loop.callLater(at, () => {
      const q = w.queue;
      const found: string[] = [];
      if (!w.lock.locked() && w.lock._lot.hasWaiters()) {
        found.push(`${w.lock}`);
      }
      if (w.sem._value > 0 && String(w.sem).includes("waiters:")) {
        found.push(`${w.sem}`);
      }
      if (w.event.isSet() && String(w.event).includes("waiters:")) {
        found.push(`${w.event}`);
      }
      if (q.qsize() > 0 && q._getters.parked > 0) found.push(`${q}`);
      // (While the lock is held, a woken waiter may be queued to take it
      // back; with the lock free it would have.)
      if (w.condOwed > 0 && w.condWaiters.size > 0 && !w.cond.locked()) {
        found.push(`${w.cond} owing ${w.condOwed} wake-up(s)`);
      }
      if (!q.full() && q._putters.parked > 0) found.push(`${q}`);
      for (const f of found) w.violate(`a waiter stranded at ${at}: ${f}`);
    }));
  }
  return () => {
    for (const t of timers) t.cancel();
  };
}

/** Cancels every task but `main` until none is left; false if some survive. */
function* sweep(w: World, main: Task<unknown>): Coroutine<boolean> {
  const patience = w.plan.streams ? 2 : 100;
  for (let round = 0; round < 10; round++) {
    const live = [...allTasks(w.loop)].filter((t) => t !== main && !t.done());
    if (live.length === 0) return true;
    for (const t of live) t.cancel();
    yield* wait(live, { timeout: patience });
  }
  const live = [...allTasks(w.loop)].filter((t) => t !== main && !t.done());
  for (const t of live) w.violate(`task survives cancellation: ${t}`);
  return live.length === 0;
}

function* checkInvariants(w: World, main: Task<unknown>): Coroutine<void> {
  // Every live storm timer ran exactly once, and no cancelled one ran.
  // Always sleep past the last due time: a timer already due by the clock is
  // only run by the loop's next pass, which a busy machine can delay past
  // the time checked here.
  const untilDue = Math.max(0, w.stormsDueBy - w.loop.time());
  if (w.stormTimers.length > 0) {
    yield* sleep(untilDue + (w.plan.streams ? 0.002 : 1));
  }
  const wrong = w.stormTimers.filter((t) => t.runs !== (t.cancelled ? 0 : 1));
  for (const t of wrong.slice(0, 5)) {
    w.violate(
      `a ${t.cancelled ? "cancelled" : "live"} storm timer ran ${t.runs} times`,
    );
  }
  if (wrong.length > 5) {
    w.violate(`... and ${wrong.length - 5} more storm timers ran wrongly`);
  }
  // Every finally ran exactly once.
  for (const [id, kind] of w.entered) {
    const n = w.finallies.get(id) ?? 0;
    if (n !== 1) w.violate(`the finally of op ${id} (${kind}) ran ${n} times`);
  }
  // Sync primitives are back to rest.
  if (w.lock.locked() || w.lockHolder !== null) {
    w.violate(`Lock still held (${w.lock}, holder ${w.lockHolder})`);
  }
  if (String(w.lock) !== "<Lock [unlocked]>") {
    w.violate(`Lock keeps waiters: ${w.lock}`);
  }
  const semRest = `<BoundedSemaphore [unlocked, value:${w.plan.semValue}]>`;
  if (String(w.sem) !== semRest || w.semInUse !== 0) {
    w.violate(`Semaphore not restored: ${w.sem}, in use ${w.semInUse}`);
  }
  if (String(w.cond) !== "<Condition [unlocked]>") {
    w.violate(`Condition not at rest: ${w.cond}`);
  }
  if (w.barrier.nWaiting !== 0) {
    w.violate(`Barrier keeps waiters: ${w.barrier}`);
  }
  // The barrier still trips for a full round (after a reset if broken).
  if (w.barrier.broken) yield* w.barrier.reset();
  const round: Task<number>[] = [];
  for (let i = 0; i < w.plan.barrierParties; i++) {
    round.push(createTask(w.barrier.wait()));
  }
  const [, stuck] = yield* wait(round, { timeout: w.plan.streams ? 2 : 100 });
  if (stuck.size > 0) {
    w.violate(`a fresh Barrier round does not trip: ${w.barrier}`);
    for (const t of stuck) t.cancel();
    yield* gather(round, { returnExceptions: true });
  } else {
    const indices = round.map((t) => t.result()).sort();
    const expected = round.map((_, i) => i);
    if (indices.join() !== expected.join()) {
      w.violate(`a fresh Barrier round gave indices ${indices}`);
    }
  }
  // Queue: every item put came out exactly once, none came from nowhere.
  const q = w.queue;
  if (q._getters.size !== 0 || q._putters.size !== 0) {
    w.violate(`Queue keeps waiters: ${q}`);
  }
  while (!q.empty()) {
    w.got.push(q.getNowait());
    q.taskDone();
  }
  const seen = new Set<number>();
  for (const item of w.got) {
    if (seen.has(item)) w.violate(`queue item ${item} came out twice`);
    if (!w.putDone.has(item)) {
      w.violate(`queue item ${item} came out but its put() did not finish`);
    }
    seen.add(item);
  }
  for (const item of w.putDone) {
    if (!seen.has(item)) w.violate(`queue item ${item} was lost`);
  }
  try {
    yield* timeout(w.plan.streams ? 2 : 100, q.join());
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    w.violate(`Queue.join() hangs with nothing left: ${q}`);
  }
  // No child process left running. A child killed by a `finally` whose
  // wait() was itself cancelled may not be reaped yet: it must be soon.
  for (const proc of w.processes) {
    if (proc.returncode !== null) continue;
    const reaped = yield* ignoring(
      timeout(2, proc.wait()),
      (error) => error instanceof TimeoutError,
    );
    if (!reaped) {
      w.violate(`child process left running: ${proc}`);
      proc.kill();
      yield* proc.wait();
    }
  }
  // Every future settled, no task or timer left behind.
  for (const fut of w.futures) {
    if (!fut.done()) w.violate(`a Future was left pending: ${fut}`);
  }
  const others = [...allTasks(w.loop)].filter((t) => t !== main);
  for (const t of others) w.violate(`task left behind: ${t}`);
  for (let i = 0; i < 3; i++) yield;
  const timers = w.loop._timers.live();
  for (const t of timers) w.violate(`timer left behind: ${t}`);
}

/** What a run found. */
export interface Outcome {
  /**
   * The breaches found. The loop's exception handler still adds to it when a
   * future or task of the run that was lost with its error unread is
   * garbage-collected ("exception was never retrieved").
   */
  violations: string[];
  /** Operations started, echoes completed: to show the fuzzer does work. */
  ops: number;
  echoes: number;
  children: number;
  handoffCancels: number;
  /** Bytes of the feed that the feedRead operations took. */
  feedBytes: number;
}

/** Runs `plan` on a fresh loop and checks the invariants afterwards. */
export async function runPlan(plan: Plan): Promise<Outcome> {
  let world: World | null = null;
  await run(
    function* (): Coroutine<void> {
      const loop = getRunningLoop();
      const w = new World(plan, loop);
      world = w;
      const main = currentTask()!;
      const createFuture = loop.createFuture.bind(loop);
      loop.createFuture = <T>(): Future<T> => {
        const fut = createFuture<T>();
        w.futures.push(fut as Future<unknown>);
        w.onFuture?.(fut as Future<unknown>);
        return fut;
      };
      if (plan.eager) loop.setTaskFactory(eagerTaskFactory);
      // Holds only the violations, not the world, so that a finished run
      // can be collected (the handler outlives it: see Outcome.violations).
      const violations = w.violations;
      loop.setExceptionHandler((_loop, context) => {
        violations.push(
          `exception handler called: ${context.message} ${
            context.exception ? describe(context.exception) : ""
          }`,
        );
      });
      let server: Server | null = null;
      let dir: string | null = null;
      if (plan.unix) {
        dir = Deno.makeTempDirSync();
        w.path = `${dir}/echo.sock`;
        server = yield* startUnixServer(echoHandler, w.path);
      } else if (plan.streams) {
        server = yield* startServer(echoHandler, "127.0.0.1", 0);
        w.port = (server.sockets[0].addr as Deno.NetAddr).port;
      }
      let feedServer: Server | null = null;
      if (plan.streams) {
        feedServer = yield* startServer(feeder(w), "127.0.0.1", 0);
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          (feedServer.sockets[0].addr as Deno.NetAddr).port,
        );
        w.feed = { reader, writer };
      }
      try {
        const tasks = plan.tasks.map((ops, i) =>
          createTask(top(w, ops), { name: `top-${i}` })
        );
        const stop = chaos(w, main);
        const stopWatching = plan.streams ? () => {} : watchStranded(w);
        yield* wait(tasks, { timeout: plan.horizon });
        stop();
        stopWatching();
        yield* sweep(w, main);
        for (const chunk of w.feedGot) w.feedBytesByOps += chunk.length;
        yield* checkFeed(w);
        for (const t of tasks) {
          if (!t.cancelled() && t.exception() != null) {
            w.violate(`top task failed: ${describe(t.exception())}`);
          }
        }
      } finally {
        if (feedServer !== null) {
          w.feed?.writer.close();
          feedServer.close();
          const closed = yield* ignoring(
            timeout(5, feedServer.waitClosed()),
            (error) => error instanceof TimeoutError,
          );
          if (!closed) w.violate("the feed server's connection was left open");
        }
        if (server !== null) {
          server.close();
          const closed = yield* ignoring(
            timeout(5, server.waitClosed()),
            (error) => error instanceof TimeoutError,
          );
          if (!closed) {
            w.violate("Server.waitClosed() hangs: a connection was left open");
          }
          if (dir !== null) Deno.removeSync(dir, { recursive: true });
        }
      }
      yield* checkInvariants(w, main);
    }(),
    { virtualTime: !plan.streams },
  );
  const w = world as World | null;
  if (w === null) throw new Error("the run did not start");
  // The world (and the futures it lists) may now be collected: a lost
  // future with an unread error is then reported to the handler, which adds
  // to `violations` (see the test).
  return {
    violations: w.violations,
    ops: w.nextOp,
    echoes: w.echoes,
    children: w.children,
    handoffCancels: w.handoffCancels,
    feedBytes: w.feedBytesByOps,
  };
}

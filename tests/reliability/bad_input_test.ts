// Bad input over the public API, as a table: wrong types, negative sizes and
// timeouts, NaN and Infinity where they make no sense, closed loops, finished
// tasks and futures, misused primitives, reused transports and servers. Each
// row must throw the right error class with a message that names the argument
// (and the value received), at once: no row may hang, and none may leave a
// task or timer behind.

import assert from "node:assert/strict";
import {
  DatagramProtocol,
  type EventLoop,
  Future,
  getRunningLoop,
  InvalidStateError,
  newEventLoop,
  Protocol,
  run,
  setEventLoop,
  type Transport,
  VirtualClock,
} from "../../eventloop/mod.ts";
import {
  allTasks,
  asCompleted,
  type Coroutine,
  createTask,
  currentTask,
  ensureFuture,
  ExceptionGroup,
  fromPromise,
  gather,
  shield,
  sleep,
  taskGroup,
  timeout,
  timeoutAt,
  wait,
  waitFor,
} from "../../tasks/mod.ts";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Lock,
  Semaphore,
} from "../../sync/mod.ts";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../../queues/mod.ts";
import {
  FlowControlProtocol,
  openConnection,
  openUnixConnection,
  startServer,
  StreamReader,
  StreamWriter,
} from "../../streams/mod.ts";
import {
  createSubprocessExec,
  createSubprocessShell,
} from "../../subprocess/mod.ts";
import { reliabilityTest } from "./_harness.ts";

// deno-lint-ignore no-explicit-any -- the table calls the API with wrong types
type Any = any;
type ErrorClass = new (...args: Any[]) => Error;

interface Row {
  /** The call, as a user would write it. */
  name: string;
  /** Makes the call; a coroutine it returns is run with `yield*`. */
  call: () => unknown;
  error: ErrorClass;
  /** Parts the message must contain: the argument's name, the value. */
  says: string[];
}

const NO_TASK = () => sleep(0);
const f = () => {};
const closedLoop = (): EventLoop => {
  const loop = newEventLoop();
  loop.close();
  return loop;
};

/** Arguments: types, sizes, NaN and Infinity, checked before anything runs. */
const ARGUMENTS: Row[] = [
  // tasks
  {
    name: "sleep(NaN)",
    call: () => sleep(NaN),
    error: TypeError,
    says: ["'delay'", "received NaN"],
  },
  {
    name: 'sleep("1")',
    call: () => sleep("1" as Any),
    error: TypeError,
    says: ["'delay'", 'received "1"'],
  },
  {
    name: "createTask(42)",
    call: () => createTask(42 as Any),
    error: TypeError,
    says: ["coroutine", "received 42"],
  },
  {
    name: "createTask(coro, { signal: 3 })",
    call: () => createTask(NO_TASK(), { signal: 3 as Any }),
    error: TypeError,
    says: ["'signal'", "received 3"],
  },
  {
    name: "ensureFuture(42)",
    call: () => ensureFuture(42 as Any),
    error: TypeError,
    says: ["ensureFuture()", "received 42"],
  },
  {
    name: "fromPromise(42)",
    call: () => fromPromise(42 as Any),
    error: TypeError,
    says: ["fromPromise()", "received 42"],
  },
  {
    name: "fromPromise(promise, { signal: 3 })",
    call: () => fromPromise(Promise.resolve(1), { signal: 3 as Any }),
    error: TypeError,
    says: ["'signal'", "received 3"],
  },
  {
    name: "fromPromise(fn, { controller: 3 }) starts nothing",
    call: () =>
      fromPromise(() => {
        throw new Error("the source must not be called");
      }, { controller: 3 as Any }),
    error: TypeError,
    says: ["'controller'", "received 3"],
  },
  {
    name: "fromPromise(promise, { loop: 42 })",
    call: () => fromPromise(Promise.resolve(1), { loop: 42 as Any }),
    error: TypeError,
    says: ["'loop'", "received 42"],
  },
  {
    name: "ensureFuture(coro, { loop: 42 })",
    call: () => ensureFuture(NO_TASK(), { loop: 42 as Any }),
    error: TypeError,
    says: ["'loop'", "received 42"],
  },
  {
    name: "shield(42)",
    call: () => shield(42 as Any),
    error: TypeError,
    says: ["received 42"],
  },
  {
    name: "gather(42)",
    call: () => gather(42 as Any),
    error: TypeError,
    says: ["'aws'", "received 42"],
  },
  {
    name: "gather([42])",
    call: () => gather([42 as Any]),
    error: TypeError,
    says: ["received 42"],
  },
  {
    name: 'gather([], { returnExceptions: "yes" })',
    call: () => gather([], { returnExceptions: "yes" as Any }),
    error: TypeError,
    says: ["'returnExceptions'", 'received "yes"'],
  },
  {
    name: "wait(42)",
    call: () => wait(42 as Any),
    error: TypeError,
    says: ["'aws'", "received 42"],
  },
  {
    name: "wait([])",
    call: () => wait([]),
    error: RangeError,
    says: ["'aws'", "empty"],
  },
  {
    name: "wait([task], { timeout: NaN })",
    call: () => wait([createTask(NO_TASK())], { timeout: NaN }),
    error: TypeError,
    says: ["'timeout'", "received NaN"],
  },
  {
    name: 'wait([task], { returnWhen: "SOMETIMES" })',
    call: () =>
      wait([createTask(NO_TASK())], { returnWhen: "SOMETIMES" as Any }),
    error: RangeError,
    says: ["'returnWhen'", 'received "SOMETIMES"'],
  },
  {
    name: "waitFor(42, 1)",
    call: () => waitFor(42 as Any, 1),
    error: TypeError,
    says: ["'aw'", "received 42"],
  },
  {
    name: "waitFor(coro, NaN)",
    call: () => waitFor(NO_TASK(), NaN),
    error: TypeError,
    says: ["'timeout'", "received NaN"],
  },
  {
    name: 'waitFor(coro, "1")',
    call: () => waitFor(NO_TASK(), "1" as Any),
    error: TypeError,
    says: ["'timeout'", 'received "1"'],
  },
  {
    name: "asCompleted(42)",
    call: () => asCompleted(42 as Any),
    error: TypeError,
    says: ["'aws'", "received 42"],
  },
  {
    name: "asCompleted([], { timeout: NaN })",
    call: () => asCompleted([], { timeout: NaN }),
    error: TypeError,
    says: ["'timeout'", "received NaN"],
  },
  {
    name: "timeout(NaN, body)",
    call: () => timeout(NaN, NO_TASK()),
    error: TypeError,
    says: ["'delay'", "received NaN"],
  },
  {
    name: "timeout(1, 42)",
    call: () => timeout(1, 42 as Any),
    error: TypeError,
    says: ["'body'", "received 42"],
  },
  {
    name: 'timeoutAt("x", body)',
    call: () => timeoutAt("x" as Any, NO_TASK()),
    error: TypeError,
    says: ["'when'", 'received "x"'],
  },
  {
    name: "taskGroup(42)",
    call: () => taskGroup(42 as Any),
    error: TypeError,
    says: ["'body'", "received 42"],
  },
  {
    name: "tg.createTask(42)",
    // The body's error comes out of the group, as in asyncio.
    call: function* () {
      try {
        yield* taskGroup(function* (tg) {
          tg.createTask(42 as Any);
          yield;
        });
        assert.fail("the group should have thrown");
      } catch (error) {
        assert.ok(error instanceof ExceptionGroup);
        assert.equal(error.errors.length, 1);
        throw error.errors[0];
      }
    },
    error: TypeError,
    says: ["received 42"],
  },
  // eventloop
  {
    name: "loop.callSoon(42)",
    call: () => getRunningLoop().callSoon(42 as Any),
    error: TypeError,
    says: ["'callback'", "received 42"],
  },
  {
    name: "loop.callLater(NaN, f)",
    call: () => getRunningLoop().callLater(NaN, f),
    error: TypeError,
    says: ["'delay'", "received NaN"],
  },
  {
    name: 'loop.callAt("x", f)',
    call: () => getRunningLoop().callAt("x" as Any, f),
    error: TypeError,
    says: ["'when'", 'received "x"'],
  },
  {
    name: "future.addDoneCallback(42)",
    call: () => getRunningLoop().createFuture().addDoneCallback(42 as Any),
    error: TypeError,
    says: ["'callback'", "received 42"],
  },
  {
    name: "loop.setTaskFactory(42)",
    call: () => getRunningLoop().setTaskFactory(42 as Any),
    error: TypeError,
    says: ["'factory'", "received 42"],
  },
  {
    name: "loop.setExceptionHandler(42)",
    call: () => getRunningLoop().setExceptionHandler(42 as Any),
    error: TypeError,
    says: ["'handler'", "received 42"],
  },
  {
    name: "loop.slowCallbackDuration = NaN",
    call: () => {
      getRunningLoop().slowCallbackDuration = NaN;
    },
    error: TypeError,
    says: ["slowCallbackDuration", "received NaN"],
  },
  {
    name: 'loop.addSignalHandler("SIGFOO", f)',
    call: () => getRunningLoop().addSignalHandler("SIGFOO" as Any, f),
    error: TypeError,
    says: ["'signal'", 'received "SIGFOO"'],
  },
  {
    name: 'loop.addSignalHandler("sigint", f)',
    call: () => getRunningLoop().addSignalHandler("sigint" as Any, f),
    error: TypeError,
    says: ["'signal'", 'received "sigint"'],
  },
  {
    name: 'loop.addSignalHandler("SIGINT", 42)',
    call: () => getRunningLoop().addSignalHandler("SIGINT", 42 as Any),
    error: TypeError,
    says: ["'callback'", "received 42"],
  },
  {
    name: "loop.createServer(factory, host, -5)",
    call: () =>
      getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", -5),
    error: RangeError,
    says: ["'port'", "received -5"],
  },
  {
    name: "loop.createServer(factory, host, 0, { backlog: -1 })",
    call: () =>
      getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", 0, {
        backlog: -1,
      }),
    error: RangeError,
    says: ["'backlog'", "received -1"],
  },
  {
    name: "loop.createConnection(42, host, 80)",
    call: () => getRunningLoop().createConnection(42 as Any, "127.0.0.1", 80),
    error: TypeError,
    says: ["'protocolFactory'", "received 42"],
  },
  {
    name: "loop.createDatagramEndpoint(factory, { localAddr: 5 })",
    call: () =>
      getRunningLoop().createDatagramEndpoint(() => new DatagramProtocol(), {
        localAddr: 5 as Any,
      }),
    error: TypeError,
    says: ["'localAddr'", "received 5"],
  },
  {
    name: "loop.runInExecutor(null, 42)",
    call: () => getRunningLoop().runInExecutor(null, 42 as Any),
    error: TypeError,
    says: ["'fn'", "received 42"],
  },
  {
    name: "setEventLoop(42)",
    call: () => setEventLoop(42 as Any),
    error: TypeError,
    says: ["'loop'", "received 42"],
  },
  {
    name: "t.reschedule(NaN) inside timeout()",
    call: () =>
      timeout(5, function* (t) {
        t.reschedule(NaN);
        yield;
      }),
    error: TypeError,
    says: ["'when'", "received NaN"],
  },
  // sync
  {
    name: "new Semaphore(-1)",
    call: () => new Semaphore(-1),
    error: RangeError,
    says: ["'value'", "received -1"],
  },
  {
    name: "new Semaphore(1.5)",
    call: () => new Semaphore(1.5),
    error: RangeError,
    says: ["'value'", "received 1.5"],
  },
  {
    name: "new Semaphore(NaN)",
    call: () => new Semaphore(NaN),
    error: TypeError,
    says: ["'value'", "received NaN"],
  },
  {
    name: "new Semaphore(Infinity)",
    call: () => new Semaphore(Infinity),
    error: RangeError,
    says: ["'value'", "received Infinity"],
  },
  {
    name: 'new BoundedSemaphore("2")',
    call: () => new BoundedSemaphore("2" as Any),
    error: TypeError,
    says: ["'value'", 'received "2"'],
  },
  {
    name: "new Barrier(0)",
    call: () => new Barrier(0),
    error: RangeError,
    says: ["'parties'", "received 0"],
  },
  {
    name: "new Barrier(Infinity)",
    call: () => new Barrier(Infinity),
    error: RangeError,
    says: ["'parties'", "received Infinity"],
  },
  {
    name: "new Barrier(1.5)",
    call: () => new Barrier(1.5),
    error: RangeError,
    says: ["'parties'", "received 1.5"],
  },
  {
    name: "new Condition(42)",
    call: () => new Condition(42 as Any),
    error: TypeError,
    says: ["'lock'", "received 42"],
  },
  {
    name: "condition.waitFor(42)",
    call: () => new Condition().waitFor(42 as Any),
    error: TypeError,
    says: ["'predicate'", "received 42"],
  },
  {
    name: "condition.notify(-1) with the lock held",
    call: function* () {
      const cond = new Condition();
      using _ = yield* cond.hold();
      cond.notify(-1);
    },
    error: RangeError,
    says: ["'n'", "received -1"],
  },
  {
    name: "condition.notify(NaN) with the lock held",
    call: function* () {
      const cond = new Condition();
      using _ = yield* cond.hold();
      cond.notify(NaN);
    },
    error: TypeError,
    says: ["'n'", "received NaN"],
  },
  // queues
  {
    name: "new Queue(1.5)",
    call: () => new Queue(1.5),
    error: RangeError,
    says: ["'maxsize'", "received 1.5"],
  },
  {
    name: "new Queue(NaN)",
    call: () => new Queue(NaN),
    error: TypeError,
    says: ["'maxsize'", "received NaN"],
  },
  {
    name: 'new LifoQueue("3")',
    call: () => new LifoQueue("3" as Any),
    error: TypeError,
    says: ["'maxsize'", 'received "3"'],
  },
  {
    name: "new PriorityQueue(0, { compare: 3 })",
    call: () => new PriorityQueue(0, { compare: 3 as Any }),
    error: TypeError,
    says: ["'compare'", "received 3"],
  },
  // streams
  {
    name: "new StreamReader({ limit: 0 })",
    call: () => new StreamReader({ limit: 0 }),
    error: RangeError,
    says: ["'limit'", "received 0"],
  },
  {
    name: "new StreamReader({ limit: NaN })",
    call: () => new StreamReader({ limit: NaN }),
    error: RangeError,
    says: ["'limit'", "received NaN"],
  },
  {
    name: "new StreamReader({ limit: Infinity })",
    call: () => new StreamReader({ limit: Infinity }),
    error: RangeError,
    says: ["'limit'", "received Infinity"],
  },
  {
    name: "reader.readExactly(-1)",
    call: () => new StreamReader().readExactly(-1),
    error: RangeError,
    says: ["'n'", "received -1"],
  },
  {
    name: "reader.readExactly(1.5)",
    call: () => new StreamReader().readExactly(1.5),
    error: RangeError,
    says: ["'n'", "received 1.5"],
  },
  {
    name: "reader.read(NaN)",
    call: () => new StreamReader().read(NaN),
    error: TypeError,
    says: ["'n'", "received NaN"],
  },
  {
    name: 'reader.readUntil("\\n")',
    call: () => new StreamReader().readUntil("\n" as Any),
    error: TypeError,
    says: ["'separator'", 'received "\\n"'],
  },
  {
    name: "reader.readUntil(new Uint8Array(0))",
    call: () => new StreamReader().readUntil(new Uint8Array(0)),
    error: RangeError,
    says: ["'separator'", "empty"],
  },
  {
    name: "reader.readUntil([])",
    call: () => new StreamReader().readUntil([]),
    error: RangeError,
    says: ["'separator'", "empty"],
  },
  {
    name: "reader.read(1.5)",
    call: () => new StreamReader().read(1.5),
    error: TypeError,
    says: ["'n'", "received 1.5"],
  },
  {
    name: 'reader.feedData("x")',
    call: () => new StreamReader().feedData("x" as Any),
    error: TypeError,
    says: ["'data'", 'received "x"'],
  },
  {
    name: "new StreamWriter(42, ...)",
    call: () => new StreamWriter(42 as Any, null as Any),
    error: TypeError,
    says: ["'transport'", "received 42"],
  },
  {
    name: 'openConnection("127.0.0.1", -1)',
    call: () => openConnection("127.0.0.1", -1),
    error: RangeError,
    says: ["'port'", "received -1"],
  },
  {
    name: 'openConnection("127.0.0.1", 70000)',
    call: () => openConnection("127.0.0.1", 70000),
    error: RangeError,
    says: ["'port'", "received 70000"],
  },
  {
    name: 'openConnection("127.0.0.1", NaN)',
    call: () => openConnection("127.0.0.1", NaN),
    error: RangeError,
    says: ["'port'", "received NaN"],
  },
  {
    name: "openConnection(42, 80)",
    call: () => openConnection(42 as Any, 80),
    error: TypeError,
    says: ["'host'", "received 42"],
  },
  {
    name: 'openConnection("127.0.0.1", 80, { limit: -1 })',
    call: () => openConnection("127.0.0.1", 80, { limit: -1 }),
    error: RangeError,
    says: ["'limit'", "received -1"],
  },
  {
    name: "openUnixConnection(42)",
    call: () => openUnixConnection(42 as Any),
    error: TypeError,
    says: ["'path'", "received 42"],
  },
  {
    name: 'startServer(42, "127.0.0.1", 0)',
    call: () => startServer(42 as Any, "127.0.0.1", 0),
    error: TypeError,
    says: ["'clientConnectedCb'", "received 42"],
  },
  // subprocess
  {
    name: "createSubprocessExec(42)",
    call: () => createSubprocessExec(42 as Any),
    error: TypeError,
    says: ["'program'", "received 42"],
  },
  {
    name: 'createSubprocessExec("ls", "-l")',
    call: () => createSubprocessExec("ls", "-l" as Any),
    error: TypeError,
    says: ["'args'", 'received "-l"'],
  },
  {
    name: 'createSubprocessExec("ls", [], { stdin: "bogus" })',
    call: () => createSubprocessExec("ls", [], { stdin: "bogus" as Any }),
    error: TypeError,
    says: ["'stdin'", 'received "bogus"'],
  },
  {
    name: 'createSubprocessExec("ls", [], { limit: 0 })',
    call: () => createSubprocessExec("ls", [], { limit: 0 }),
    error: RangeError,
    says: ["'limit'", "received 0"],
  },
  {
    name: 'createSubprocessExec("ls", [], { cwd: 42 })',
    call: () => createSubprocessExec("ls", [], { cwd: 42 as Any }),
    error: TypeError,
    says: ["'cwd'", "received 42"],
  },
  {
    name: 'createSubprocessExec("ls", [], { env: 42 })',
    call: () => createSubprocessExec("ls", [], { env: 42 as Any }),
    error: TypeError,
    says: ["'env'", "received 42"],
  },
  {
    name: "createSubprocessShell(42)",
    call: () => createSubprocessShell(42 as Any),
    error: TypeError,
    says: ["'cmd'", "received 42"],
  },
  // arguments that were taken as something else
  {
    name: "currentTask(42)",
    call: () => currentTask(42 as Any),
    error: TypeError,
    says: ["'loop'", "received 42"],
  },
  {
    name: "allTasks(42)",
    call: () => allTasks(42 as Any),
    error: TypeError,
    says: ["'loop'", "received 42"],
  },
  {
    name: "loop.callExceptionHandler(42)",
    call: () => getRunningLoop().callExceptionHandler(42 as Any),
    error: TypeError,
    says: ["'context'", "received 42"],
  },
  {
    name: "reader.setTransport(42)",
    call: () => new StreamReader().setTransport(42 as Any),
    error: TypeError,
    says: ["'transport'", "received 42"],
  },
  {
    name: "writer.writeLines(42)",
    call: () => fakeWriter().writeLines(42 as Any),
    error: TypeError,
    says: ["'chunks'", "received 42"],
  },
  {
    name: 'writer.writeLines([bytes, "text"])',
    call: () => fakeWriter().writeLines([new Uint8Array(1), "text" as Any]),
    error: TypeError,
    says: ["'chunks[1]'", 'received "text"'],
  },
  {
    name: 'new VirtualClock().advanceTo("5")',
    call: () => new VirtualClock().advanceTo("5" as Any),
    error: TypeError,
    says: ["'when'", 'received "5"'],
  },
];

/** A StreamWriter over a transport that must never be written to. */
function fakeWriter(): StreamWriter {
  const transport = {
    write: () => assert.fail("nothing may be written"),
    writeLines: () => assert.fail("nothing may be written"),
  } as Any;
  return new StreamWriter(transport, new FlowControlProtocol());
}

/** States: closed loops, finished tasks and futures, misused primitives. */
const STATES: Row[] = [
  {
    name: "closedLoop.callSoon(f)",
    call: () => closedLoop().callSoon(f),
    error: Error,
    says: ["Event loop is closed", "callSoon()"],
  },
  {
    name: "closedLoop.callLater(1, f)",
    call: () => closedLoop().callLater(1, f),
    error: Error,
    says: ["Event loop is closed"],
  },
  {
    name: "closedLoop.createTask(coro)",
    call: () => closedLoop().createTask(NO_TASK()),
    error: Error,
    says: ["Event loop is closed", "createTask()"],
  },
  {
    name: "closedLoop.runUntilComplete(coro)",
    call: () => fromPromise(closedLoop().runUntilComplete(NO_TASK())),
    error: Error,
    says: ["Event loop is closed"],
  },
  {
    name: "runningLoop.runForever()",
    call: () => fromPromise(getRunningLoop().runForever()),
    error: Error,
    says: ["already running"],
  },
  {
    name: "runningLoop.close()",
    call: () => getRunningLoop().close(),
    error: Error,
    says: ["Cannot close a running event loop"],
  },
  {
    name: "run(coro) inside a running loop",
    call: () => fromPromise(run(NO_TASK())),
    error: Error,
    says: ["run() cannot be called from a running event loop"],
  },
  {
    name: "finishedTask.setResult(1)",
    call: function* () {
      const task = createTask(NO_TASK());
      yield* task;
      (task as Any).setResult(1);
    },
    error: Error,
    says: ["setResult()"],
  },
  {
    name: "finishedFuture.setResult(2)",
    call: () => {
      const fut = getRunningLoop().createFuture<number>();
      fut.setResult(1);
      fut.setResult(2);
    },
    error: InvalidStateError,
    says: ["finished result=1"],
  },
  {
    name: "pendingFuture.result()",
    call: () => getRunningLoop().createFuture().result(),
    error: InvalidStateError,
    says: ["not ready"],
  },
  {
    name: "a task that awaits itself",
    call: function* () {
      const task: Any = createTask(function* () {
        yield* task;
      }());
      yield* task;
    },
    error: Error,
    says: ["cannot await on itself"],
  },
  {
    name: "a Future of another loop",
    call: function* () {
      const other = newEventLoop();
      try {
        yield* other.createFuture();
      } finally {
        other.close();
      }
    },
    error: Error,
    says: ["attached to a different loop"],
  },
  {
    name: "yield of a Promise",
    call: function* () {
      yield Promise.resolve(1) as Any;
    },
    error: TypeError,
    says: ["got a Promise", "fromPromise"],
  },
  {
    name: "lock.release() of a free lock",
    call: () => new Lock().release(),
    error: Error,
    says: ["not acquired"],
  },
  {
    name: "condition.notify() without the lock",
    call: () => new Condition().notify(),
    error: Error,
    says: ["lock is not acquired"],
  },
  {
    name: "boundedSemaphore.release() once too often",
    call: () => new BoundedSemaphore(1).release(),
    error: Error,
    says: ["released too many times"],
  },
  {
    name: "barrier.wait() after abort()",
    call: function* () {
      const barrier = new Barrier(2);
      yield* barrier.abort();
      yield* barrier.wait();
    },
    error: BrokenBarrierError,
    says: ["aborted"],
  },
  {
    name: "queue.taskDone() once too often",
    call: () => new Queue().taskDone(),
    error: Error,
    says: ["taskDone() called too many times"],
  },
  {
    name: "queue.putNowait() on a full queue",
    call: () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      q.putNowait(2);
    },
    error: QueueFull,
    says: ["full"],
  },
  {
    name: "queue.getNowait() on an empty queue",
    call: () => new Queue().getNowait(),
    error: QueueEmpty,
    says: ["empty"],
  },
  {
    name: "queue.put() after shutdown()",
    call: function* () {
      const q = new Queue<number>();
      q.shutdown();
      yield* q.put(1);
    },
    error: QueueShutDown,
    says: ["shut down"],
  },
  {
    name: "reader.setTransport() twice",
    call: () => {
      const reader = new StreamReader();
      const transport = { pauseReading() {}, resumeReading() {} } as Any;
      reader.setTransport(transport);
      reader.setTransport(transport);
    },
    error: Error,
    says: ["twice"],
  },
];

/** Runs `row` on virtual time: the error at once, nothing left behind. */
async function check(row: Row): Promise<void> {
  await run(
    function* (): Coroutine<void> {
      const start = getRunningLoop().time();
      let thrown: unknown = undefined;
      try {
        const value = row.call();
        if (isCoroutine(value)) {
          yield* timeout(60, value);
        } else if (value instanceof Future) {
          yield* timeout(
            60,
            function* () {
              return yield* value;
            }(),
          );
        }
      } catch (error) {
        thrown = error;
      }
      assert.ok(
        thrown instanceof row.error && thrown.constructor === row.error,
        `${row.name}: expected ${row.error.name}, got ${
          thrown instanceof Error ? thrown.constructor.name : String(thrown)
        }: ${thrown instanceof Error ? thrown.message : ""}`,
      );
      for (const part of row.says) {
        assert.ok(
          (thrown as Error).message.includes(part),
          `${row.name}: the message "${
            (thrown as Error).message
          }" does not say ${part}`,
        );
      }
      assert.equal(getRunningLoop().time(), start, `${row.name} waited`);
      for (let i = 0; i < 3; i++) yield;
      const me = currentTask();
      const left = [...allTasks()].filter((t) => t !== me);
      for (const t of left) t.cancel();
      assert.deepEqual(left.map(String), [], `${row.name} left tasks behind`);
      const timers = getRunningLoop()._timers.live();
      assert.deepEqual(timers.map(String), [], `${row.name} left timers`);
    }(),
    { virtualTime: true },
  );
}

function isCoroutine(value: unknown): value is Coroutine<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function";
}

reliabilityTest(
  "bad arguments to the public API throw TypeError/RangeError naming the argument and the value, at once",
  async (t) => {
    for (const row of ARGUMENTS) {
      await t.step(row.name, () => check(row));
    }
  },
);

reliabilityTest(
  "misuse in the wrong state (closed loops, finished tasks and futures, primitives) throws the documented error at once",
  async (t) => {
    for (const row of STATES) {
      await t.step(row.name, () => check(row));
    }
  },
);

reliabilityTest(
  "reused servers and transports refuse a second life with a clear error",
  async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (_reader, writer) {
          writer.close();
          yield* writer.waitClosed();
        },
        "127.0.0.1",
        0,
      );
      const port = (server.sockets[0].addr as Deno.NetAddr).port;
      const [, writer] = yield* openConnection("127.0.0.1", port);
      writer.close();
      yield* writer.waitClosed();
      const tls = yield* catching(
        getRunningLoop().startTls(
          writer.transport as Transport,
          writer._protocol,
          {},
        ),
      );
      assert.ok(tls instanceof Error && tls.constructor === Error, `${tls}`);
      assert.match(tls.message, /Cannot start TLS on a closing transport/);

      server.close();
      yield* server.waitClosed();
      const serving = yield* catching(server.startServing());
      assert.ok(serving instanceof Error);
      assert.match(
        serving.message,
        /Cannot start serving: the server is closed/,
      );
      const forever = yield* catching(server.serveForever());
      assert.ok(forever instanceof Error);
      assert.match(
        forever.message,
        /Cannot serve forever: the server is closed/,
      );
      assert.deepEqual(server.sockets, []);
    }());
  },
);

function* catching(coro: Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* coro;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

import assert from "node:assert/strict";
import {
  Barrier,
  Condition,
  type Coroutine,
  createSubprocessExec,
  createSubprocessShell,
  createTask,
  Event,
  type EventLoop,
  getLogger,
  getRunningLoop,
  Lock,
  type LogRecord,
  openConnection,
  openReadPipe,
  openUnixConnection,
  openWritePipe,
  type Process,
  Protocol,
  Queue,
  run,
  Semaphore,
  type Server,
  serving,
  sleep,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
  SubprocessProtocol,
  TaskGroup,
  taskGroup,
  timeout,
  timeoutAt,
  toThread,
  type Transport,
  wait,
  waitFor,
} from "../../mod.ts";
import { API } from "../../lint/_api.ts";
import { collectGarbage } from "./_gc.ts";

/** Runs `body`, collects garbage, and returns what the logger received. */
async function captureLogs(body: () => Promise<unknown>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => records.push(record);
  getLogger().addHandler(handler);
  try {
    await body();
    await collectGarbage();
  } finally {
    getLogger().removeHandler(handler);
  }
  return records;
}

/** The names in the "never awaited" reports among `records`. */
function neverAwaited(records: LogRecord[]): string[] {
  return records.flatMap((r) => {
    const match = r.message.match(/^coroutine '([^']+)' was never awaited/);
    return match === null ? [] : [match[1]];
  });
}

/** What the makers below need: objects of every class with coroutines. */
interface Fixtures {
  loop: EventLoop;
  server: Server;
  reader: StreamReader;
  writer: StreamWriter;
  transport: Transport;
  process: Process;
  path: string;
}

/**
 * One way to make each coroutine the module exports (by the name debug mode
 * reports), without starting it. The test checks this table against the
 * module's exports, so a coroutine added to the module must be added here.
 */
const MAKERS: Record<string, (f: Fixtures) => Coroutine<unknown>> = {
  "sleep": () => sleep(1),
  "wait": (f) => wait([f.loop.createFuture()]),
  "waitFor": (f) => waitFor(f.loop.createFuture(), 1),
  "timeout": () => timeout(1, () => sleep(0)),
  "timeoutAt": () => timeoutAt(1, () => sleep(0)),
  "taskGroup": () => taskGroup(function* () {}),
  "toThread": () => toThread(new URL("./_gc.ts", import.meta.url), "none"),
  "openConnection": () => openConnection("127.0.0.1", 1),
  "openUnixConnection": (f) => openUnixConnection(f.path),
  "startServer": () => startServer(function* () {}, "127.0.0.1", 0),
  "startUnixServer": (f) => startUnixServer(function* () {}, f.path),
  "createSubprocessExec": () => createSubprocessExec("true"),
  "createSubprocessShell": () => createSubprocessShell("true"),
  "TaskGroup.run": () => new TaskGroup().run(function* () {}),
  "Lock.acquire": () => new Lock().acquire(),
  "Lock.hold": () => new Lock().hold(),
  "Event.wait": () => new Event().wait(),
  "Condition.acquire": () => new Condition().acquire(),
  "Condition.hold": () => new Condition().hold(),
  "Condition.wait": () => new Condition().wait(),
  "Condition.waitFor": () => new Condition().waitFor(() => true),
  "Semaphore.acquire": () => new Semaphore(1).acquire(),
  "Semaphore.hold": () => new Semaphore(1).hold(),
  "Barrier.wait": () => new Barrier(2).wait(),
  "Barrier.reset": () => new Barrier(2).reset(),
  "Barrier.abort": () => new Barrier(2).abort(),
  "Queue.put": () => new Queue<number>().put(1),
  "Queue.get": () => new Queue<number>().get(),
  "Queue.join": () => new Queue<number>().join(),
  "StreamReader.read": (f) => f.reader.read(1),
  "StreamReader.readLine": (f) => f.reader.readLine(),
  "StreamReader.readUntil": (f) => f.reader.readUntil(),
  "StreamReader.readExactly": (f) => f.reader.readExactly(1),
  "StreamReader.readInto": (f) => f.reader.readInto(new Uint8Array(1)),
  "StreamReader.readExactlyInto": (f) =>
    f.reader.readExactlyInto(new Uint8Array(1)),
  "StreamWriter.drain": (f) => f.writer.drain(),
  "StreamWriter.waitClosed": (f) => f.writer.waitClosed(),
  "StreamWriter.startTls": (f) => f.writer.startTls(true),
  "Server.startServing": (f) => f.server.startServing(),
  "Server.serveForever": (f) => f.server.serveForever(),
  "Server.waitClosed": (f) => f.server.waitClosed(),
  "Process.wait": (f) => f.process.wait(),
  "Process.communicate": (f) => f.process.communicate(),
  "EventLoop.createConnection": (f) =>
    f.loop.createConnection(() => new Protocol(), "127.0.0.1", 1),
  "EventLoop.createServer": (f) =>
    f.loop.createServer(() => new Protocol(), "127.0.0.1", 0),
  "EventLoop.createUnixConnection": (f) =>
    f.loop.createUnixConnection(() => new Protocol(), f.path),
  "EventLoop.createUnixServer": (f) =>
    f.loop.createUnixServer(() => new Protocol(), f.path),
  "EventLoop.startTls": (f) =>
    f.loop.startTls(f.transport, new Protocol(), true),
  "EventLoop.createDatagramEndpoint": (f) =>
    f.loop.createDatagramEndpoint(() => new Protocol(), {
      localAddr: { hostname: "127.0.0.1", port: 0 },
    }),
  "EventLoop.subprocessExec": (f) =>
    f.loop.subprocessExec(() => new SubprocessProtocol(), "true"),
  "EventLoop.subprocessShell": (f) =>
    f.loop.subprocessShell(() => new SubprocessProtocol(), "true"),
  "EventLoop.shutdownDefaultExecutor": (f) => f.loop.shutdownDefaultExecutor(),
  "EventLoop.getaddrinfo": (f) => f.loop.getaddrinfo("127.0.0.1", 80),
  "EventLoop.getnameinfo": (f) => f.loop.getnameinfo(["127.0.0.1", 80]),
  "EventLoop.connectReadPipe": (f) =>
    f.loop.connectReadPipe(() => new Protocol(), new ReadableStream()),
  "EventLoop.connectWritePipe": (f) =>
    f.loop.connectWritePipe(() => new Protocol(), new WritableStream()),
  "EventLoop.sendfile": (f) =>
    f.loop.sendfile(f.transport, {
      read: () => Promise.resolve(null),
      seekSync: () => 0,
    }),
  "openReadPipe": () => openReadPipe(new ReadableStream()),
  "openWritePipe": () => openWritePipe(new WritableStream()),
  "serving": (f) => serving(f.server, () => sleep(0)),
};

/** Every coroutine the module exports, as lint/_api.ts derives them. */
function exportedCoroutines(): string[] {
  return [
    ...Object.keys(API.functions.coroutines),
    ...Object.entries(API.classes).flatMap(([cls, info]) =>
      Object.keys(info.coroutines ?? {}).map((method) => `${cls}.${method}`)
    ),
  ].sort();
}

/** Runs `body` on a debug-mode loop, with fixtures it may use. */
function withFixtures(
  body: (f: Fixtures) => void,
  debug = true,
): Promise<void> {
  return run(
    function* () {
      const dir = Deno.makeTempDirSync();
      const server = yield* startServer(
        function* (_r, w) {
          w.close();
        },
        "127.0.0.1",
        0,
      );
      const port = (server.sockets[0].addr as Deno.NetAddr).port;
      const [reader, writer] = yield* openConnection("127.0.0.1", port);
      const [transport] = yield* getRunningLoop().createConnection(
        () => new Protocol(),
        "127.0.0.1",
        port,
      );
      const process = yield* createSubprocessExec("true");
      try {
        body({
          loop: getRunningLoop(),
          server,
          reader,
          writer,
          transport,
          process,
          path: `${dir}/none.sock`,
        });
      } finally {
        yield* process.wait();
        transport.close();
        writer.close();
        yield* writer.waitClosed();
        server.close();
        yield* server.waitClosed();
        Deno.removeSync(dir, { recursive: true });
      }
    }(),
    { debug },
  );
}

Deno.test("debug mode reports every coroutine of the module collected before it started", async (t) => {
  await t.step("the table covers every coroutine the module exports", () => {
    assert.deepEqual(Object.keys(MAKERS).sort(), exportedCoroutines());
  });

  await t.step("each one dropped is reported once, by name", async () => {
    const records = await captureLogs(() =>
      withFixtures((f) => {
        for (const make of Object.values(MAKERS)) make(f);
      })
    );
    assert.deepEqual(neverAwaited(records).sort(), exportedCoroutines());
    for (const record of records) {
      assert.equal(record.level, "warning");
    }
  });

  await t.step(
    "with the creation site, without the module's frames",
    async () => {
      const records = await captureLogs(() =>
        run(
          function* () {
            (function dropsALock() {
              void new Lock().acquire(); // the mistake under test
            })();
            yield* sleep(0);
          }(),
          { debug: true },
        )
      );
      const mine = records.filter((r) => r.message.includes("'Lock.acquire'"));
      assert.equal(mine.length, 1);
      assert.match(
        mine[0].message,
        /^coroutine 'Lock.acquire' was never awaited\ncreated at:\nat dropsALock \(.*never_awaited_test\.ts:\d+:\d+\)\n/,
      );
      const root = new URL("../../", import.meta.url).href;
      for (const folder of ["tasks", "eventloop", "sync"]) {
        assert.ok(!mine[0].message.includes(`${root}${folder}/`), folder);
      }
      assert.equal(mine[0].extra?.coroutine, "Lock.acquire");
      assert.match(
        String(mine[0].extra?.sourceTraceback),
        /^at dropsALock/,
      );
    },
  );

  await t.step(
    "a factory returning another's coroutine reports once, by its own name",
    async () => {
      const records = await captureLogs(() =>
        run(
          function* () {
            void taskGroup(function* () {});
            void new Condition().acquire();
            yield* sleep(0);
          }(),
          { debug: true },
        )
      );
      assert.deepEqual(neverAwaited(records).sort(), [
        "Condition.acquire",
        "taskGroup",
      ]);
    },
  );
});

Deno.test("debug mode does not report a coroutine that was started, closed or cancelled", async (t) => {
  await t.step("awaited, run as a task, closed, thrown into", async () => {
    const records = await captureLogs(() =>
      run(
        function* () {
          yield* sleep(0);
          const lock = new Lock();
          yield* lock.acquire();
          lock.release();
          const task = createTask(new Queue<number>().get());
          yield* sleep(0);
          task.cancel();
          // Cancelled before its first step: the Task throws into it.
          const early = createTask(sleep(1));
          early.cancel();
          sleep(1).return(undefined);
          const thrown = new Event().wait();
          assert.throws(() => thrown.throw(new Error("stop")), /stop/);
          yield* sleep(0);
        }(),
        { debug: true },
      )
    );
    assert.deepEqual(neverAwaited(records), []);
  });

  await t.step(
    "a wrapped coroutine behaves as the coroutine it wraps",
    async () => {
      const [value, item, held] = await run(
        function* () {
          const queue = new Queue<string>();
          queue.putNowait("item");
          const lock = new Lock();
          const value = yield* sleep(0.01, "slept");
          const item = yield* queue.get();
          using _ = yield* lock.hold();
          return [value, item, lock.locked()] as const;
        }(),
        { debug: true },
      );
      assert.deepEqual([value, item, held], ["slept", "item", true]);
    },
  );

  await t.step("a wrapped coroutine still runs once", async () => {
    await run(
      function* () {
        for (
          const [what, make] of [
            ["sleep()", () => sleep(0.01)],
            ["Event.wait()", () => {
              const event = new Event();
              getRunningLoop().callLater(0.01, () => event.set());
              return event.wait();
            }],
          ] as const
        ) {
          const coro: Coroutine<unknown> = make();
          const task = createTask(coro);
          assert.throws(
            () => createTask(coro),
            /^Error: coroutine is being awaited already: /,
            what,
          );
          yield* task;
          assert.throws(
            () => createTask(coro),
            /^Error: cannot reuse already awaited coroutine: /,
            what,
          );
        }
      }(),
      { debug: true },
    );
  });

  await t.step("nothing is watched with debug mode off", async () => {
    const records = await captureLogs(() =>
      withFixtures((f) => {
        for (const make of Object.values(MAKERS)) make(f);
      }, false)
    );
    assert.deepEqual(neverAwaited(records), []);
  });

  await t.step("nothing is watched outside the loop's passes", async () => {
    const records = await captureLogs(async () => {
      const loop = getRunningLoopOrNull();
      assert.equal(loop, null);
      (() => {
        void new Lock().acquire();
      })();
      await run(sleep(0), { debug: true });
    });
    assert.deepEqual(neverAwaited(records), []);
  });
});

function getRunningLoopOrNull(): EventLoop | null {
  try {
    return getRunningLoop();
  } catch {
    return null;
  }
}

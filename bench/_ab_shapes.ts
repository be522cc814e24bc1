// The shapes of bench/ab.ts, each run on the copy of the library it is given.

import { EchoLoadClient } from "./_echo_client.ts";

/** A copy of the library: its root module. */
export type Lib = typeof import("../mod.ts");

/** One shape: does its work once. */
export interface Shape {
  name: string;
  run(): Promise<unknown>;
  /** Runs per timing, for shapes too short to time alone. */
  repeat?: number;
  /** Releases what the runs kept (the echo load client). */
  done?(): void;
}

/** The shapes, run on `lib`. */
export function shapes(lib: Lib): Shape[] {
  return [
    ...inMemory(lib),
    ...echoShapes(lib),
  ];
}

function inMemory(lib: Lib): Shape[] {
  return [
    {
      name: "task step: 10,000 tasks x 100 sleep(0)",
      run: () =>
        lib.run(function* () {
          function* stepper() {
            for (let i = 0; i < 100; i++) yield* lib.sleep(0);
          }
          const tasks = [];
          for (let i = 0; i < 10_000; i++) {
            tasks.push(lib.createTask(stepper()));
          }
          for (const task of tasks) yield* task;
        }()),
    },
    {
      name: "done future: 1,000,000 yield*, x5",
      repeat: 5,
      run: () =>
        lib.run(function* () {
          const fut = lib.getRunningLoop().createFuture<number>();
          fut.setResult(1);
          let sum = 0;
          for (let i = 0; i < 1_000_000; i++) sum += yield* fut;
          return sum;
        }()),
    },
    {
      name: "Lock: 2 tasks alternating, 100,000 acquires each",
      run: () =>
        lib.run(function* () {
          const lock = new lib.Lock();
          function* worker() {
            for (let i = 0; i < 100_000; i++) {
              yield* lock.acquire();
              try {
                yield* lib.sleep(0);
              } finally {
                lock.release();
              }
            }
          }
          const a = lib.createTask(worker());
          const b = lib.createTask(worker());
          yield* a;
          yield* b;
        }()),
    },
    {
      name: "Lock hold(): 2 tasks alternating, 100,000 each",
      run: () =>
        lib.run(function* () {
          const lock = new lib.Lock();
          function* worker() {
            for (let i = 0; i < 100_000; i++) {
              using _ = yield* lock.hold();
              yield* lib.sleep(0);
            }
          }
          const a = lib.createTask(worker());
          const b = lib.createTask(worker());
          yield* a;
          yield* b;
        }()),
    },
    {
      name: "Lock uncontended: 1,000,000 acquire/release, x3",
      repeat: 3,
      run: () =>
        lib.run(function* () {
          const lock = new lib.Lock();
          for (let i = 0; i < 1_000_000; i++) {
            yield* lock.acquire();
            lock.release();
          }
        }()),
    },
    {
      name: "Lock hold() uncontended: 1,000,000 `using hold()`, x3",
      repeat: 3,
      run: () =>
        lib.run(function* () {
          const lock = new lib.Lock();
          for (let i = 0; i < 1_000_000; i++) {
            using _ = yield* lock.hold();
          }
        }()),
    },
    {
      name: "Lock hold() by hand: 1,000,000 hold() + dispose(), x3",
      repeat: 3,
      run: () =>
        lib.run(function* () {
          const lock = new lib.Lock();
          for (let i = 0; i < 1_000_000; i++) {
            const held = yield* lock.hold();
            held[Symbol.dispose]();
          }
        }()),
    },
    {
      name: "Queue(100): 1,000,000 items, 1 producer 1 consumer",
      run: () =>
        lib.run(function* () {
          const queue = new lib.Queue<number>(100);
          const consumer = lib.createTask(function* () {
            let sum = 0;
            for (let i = 0; i < 1_000_000; i++) sum += yield* queue.get();
            return sum;
          }());
          for (let i = 0; i < 1_000_000; i++) yield* queue.put(i);
          return yield* consumer;
        }()),
    },
    {
      name: "gather() of 10,000 short tasks, x5",
      repeat: 5,
      run: () =>
        lib.run(function* () {
          function* short(i: number) {
            yield* lib.sleep(0);
            return i;
          }
          const coros = [];
          for (let i = 0; i < 10_000; i++) coros.push(short(i));
          const results = yield* lib.gather(coros);
          if (results.length !== 10_000) throw new Error("lost results");
        }()),
    },
    {
      name: "taskGroup() of 10,000 short tasks, x5",
      repeat: 5,
      run: () =>
        lib.run(function* () {
          function* short(i: number) {
            yield* lib.sleep(0);
            return i;
          }
          let sum = 0;
          yield* lib.taskGroup(function* (tg) {
            for (let i = 0; i < 10_000; i++) {
              tg.createTask(short(i)).addDoneCallback((t) => {
                sum += t.result();
              });
            }
          });
          if (sum !== (10_000 * 9_999) / 2) throw new Error("lost work");
        }()),
    },
    {
      name: "sleep(0.001) x 100,000 on virtual time",
      run: () =>
        lib.run(
          function* () {
            for (let i = 0; i < 100_000; i++) yield* lib.sleep(0.001);
          }(),
          { virtualTime: true },
        ),
    },
    {
      name: "Semaphore(2): 4 tasks, 50,000 acquires each",
      run: () =>
        lib.run(function* () {
          const sem = new lib.Semaphore(2);
          function* worker() {
            for (let i = 0; i < 50_000; i++) {
              yield* sem.acquire();
              try {
                yield* lib.sleep(0);
              } finally {
                sem.release();
              }
            }
          }
          const tasks = [0, 1, 2, 3].map(() => lib.createTask(worker()));
          for (const t of tasks) yield* t;
        }()),
    },
    {
      name: "Event: 1,000 waiters x 100 set/clear rounds",
      run: () =>
        lib.run(function* () {
          const event = new lib.Event();
          let woken = 0;
          function* waiter() {
            for (let i = 0; i < 100; i++) {
              yield* event.wait();
              woken++;
              yield* lib.sleep(0);
            }
          }
          const tasks = [];
          for (let i = 0; i < 1_000; i++) tasks.push(lib.createTask(waiter()));
          for (let i = 0; i < 100; i++) {
            yield* lib.sleep(0);
            event.set();
            yield* lib.sleep(0);
            event.clear();
          }
          for (const t of tasks) yield* t;
        }()),
    },
    {
      name: "Condition: ping-pong, 50,000 notify/wait each",
      run: () =>
        lib.run(function* () {
          const cond = new lib.Condition();
          let turn = 0;
          function* player(me: number) {
            for (let i = 0; i < 50_000; i++) {
              using _ = yield* cond.hold();
              yield* cond.waitFor(() => turn === me);
              turn = 1 - me;
              cond.notify();
            }
          }
          const a = lib.createTask(player(0));
          const b = lib.createTask(player(1));
          yield* a;
          yield* b;
        }()),
    },
    {
      name: "StreamReader: 200,000 lines fed one by one, readLine()",
      run: () =>
        lib.run(function* () {
          const reader = new lib.StreamReader();
          const line = new TextEncoder().encode("x".repeat(40) + "\n");
          const feeder = lib.createTask(function* () {
            for (let i = 0; i < 200_000; i++) {
              reader.feedData(line);
              yield* lib.sleep(0);
            }
            reader.feedEof();
          }());
          let n = 0;
          while ((yield* reader.readLine()).length > 0) n++;
          yield* feeder;
          if (n !== 200_000) throw new Error("lost lines");
        }()),
    },
    {
      name: "StreamReader: 200,000 x readExactly(64) of 1 KiB chunks",
      run: () =>
        lib.run(function* () {
          const reader = new lib.StreamReader();
          const chunk = new Uint8Array(1024);
          const feeder = lib.createTask(function* () {
            for (let i = 0; i < 200_000 / 16; i++) {
              reader.feedData(chunk);
              yield* lib.sleep(0);
            }
            reader.feedEof();
          }());
          for (let i = 0; i < 200_000; i++) yield* reader.readExactly(64);
          yield* feeder;
        }()),
    },
  ];
}

/** The echo shapes: one shared load client, a server on either copy. */
function echoShapes(lib: Lib): Shape[] {
  let client: EchoLoadClient | null = null;
  const load = { connections: 10, size: 1024, requests: 10_000 };
  const streams = () =>
    lib.run(function* () {
      const server = yield* lib.startServer(
        function* (reader, writer) {
          try {
            while (true) {
              writer.write(yield* reader.readExactly(load.size));
              yield* writer.drain();
            }
          } catch (error) {
            if (!(error instanceof lib.IncompleteReadError)) throw error;
          }
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const { port } = server.sockets[0].addr as Deno.NetAddr;
      client ??= new EchoLoadClient();
      yield* lib.fromPromise(client.run({ ...load, port }));
      server.close();
      yield* server.waitClosed();
    }());
  const protocol = () =>
    lib.run(function* () {
      class Echo extends lib.Protocol {
        #t: { write(d: Uint8Array): void } | null = null;
        override connectionMade(t: object) {
          this.#t = t as { write(d: Uint8Array): void };
        }
        override dataReceived(data: Uint8Array) {
          this.#t!.write(data);
        }
      }
      const server = yield* lib.getRunningLoop().createServer(
        () => new Echo(),
        "127.0.0.1",
        0,
      );
      const { port } = server.sockets[0].addr as Deno.NetAddr;
      client ??= new EchoLoadClient();
      yield* lib.fromPromise(client.run({ ...load, port }));
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    }());
  const close = () => {
    client?.close();
    client = null;
  };
  return [
    {
      name: "echo, streams readExactly: 10 conn x 1 KiB",
      run: streams,
      done: close,
    },
    { name: "echo, Protocol: 10 conn x 1 KiB", run: protocol, done: close },
  ];
}

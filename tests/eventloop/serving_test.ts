// serving(server, body) and `using server`: asyncio's `async with server:`
// inside coroutines, with python3 clients.
import assert from "node:assert/strict";
import {
  CancelledError,
  getRunningLoop,
  Protocol,
  run,
  type Server,
  serving,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  sleep,
} from "../../tasks/mod.ts";
import { Event } from "../../sync/mod.ts";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

function portOf(server: Server): number {
  return (server.sockets[0].addr as Deno.NetAddr).port;
}

/** A python3 client: connects, waits `delay` seconds, sends "bye", reads to EOF. */
function pythonClient(port: number, delay: number) {
  return new Deno.Command("python3", {
    args: [
      "-c",
      `import socket, time
s = socket.create_connection(("127.0.0.1", ${port}))
time.sleep(${delay})
s.sendall(b"bye\\n")
print(s.recv(100).decode().strip() or "eof", flush=True)`,
    ],
    stdout: "piped",
  }).spawn();
}

/** A server whose handler answers "ok" to a line and closes. */
function* lineServer(log: string[], connected: Event): Coroutine<Server> {
  return yield* startServer(
    function* (reader: StreamReader, writer: StreamWriter) {
      connected.set();
      const line = new TextDecoder().decode(yield* reader.readLine()).trim();
      log.push(`handler got ${line}`);
      writer.write(new TextEncoder().encode("ok\n"));
      writer.close();
      yield* writer.waitClosed();
      log.push("handler closed");
    },
    "127.0.0.1",
    0,
  );
}

test("serving(): after the body, the server stops listening and waits for its connections to end", async () => {
  const log: string[] = [];
  let client: Deno.ChildProcess | null = null;
  await run(function* () {
    const connected = new Event();
    const server = yield* lineServer(log, connected);
    const port = portOf(server);
    const result = yield* serving(server, function* (s) {
      assert.equal(s, server);
      client = pythonClient(port, 0.3);
      yield* connected.wait();
      log.push("body done");
      return 42;
    });
    log.push("serving returned");
    assert.equal(result, 42);
    assert.deepEqual(server.sockets, []);
    // Nobody listens any more.
    try {
      yield* getRunningLoop().createConnection(
        () => new Protocol(),
        "127.0.0.1",
        port,
      );
      assert.fail("connected to a closed server");
    } catch (error) {
      assert.ok(error instanceof Deno.errors.ConnectionRefused);
    }
  }());
  const { stdout } = await client!.output();
  assert.equal(new TextDecoder().decode(stdout).trim(), "ok");
  // serving() waited for the python client's connection to end.
  assert.deepEqual(log, [
    "body done",
    "handler got bye",
    "handler closed",
    "serving returned",
  ]);
});

test("serving(): a body that throws or is cancelled still closes the server before the error goes on", async () => {
  await run(function* () {
    const server = yield* getRunningLoop().createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
    );
    try {
      yield* serving(
        server,
        function* () {
          yield* sleep(0);
          throw new RangeError("body failed");
        }(),
      );
      assert.fail("no error");
    } catch (error) {
      assert.ok(error instanceof RangeError);
    }
    assert.equal(server.isServing(), false);
    assert.deepEqual(server.sockets, []);

    const other = yield* getRunningLoop().createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
    );
    const task = createTask(serving(other, sleep(3600)));
    yield* sleep(0.01);
    task.cancel();
    try {
      yield* task;
      assert.fail("not cancelled");
    } catch (error) {
      assert.ok(error instanceof CancelledError);
    }
    assert.equal(other.isServing(), false);
  }());
});

test("serving() refuses what is not a server or a coroutine", async () => {
  await run(function* () {
    const server = yield* getRunningLoop().createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
    );
    let ran = false;
    const body = function* () {
      ran = true;
      yield;
    }();
    assert.throws(
      () => serving({} as never, body).next(),
      (e: Error) =>
        e instanceof TypeError &&
        /expects a Server as 'server': received an object/.test(e.message),
    );
    assert.equal(ran, false);
    assert.throws(
      () => serving(server, 42 as never).next(),
      /expects a coroutine, or a function returning one, as 'body': received 42/,
    );
    // The server is entered before a body function runs, so it is closed
    // (and waited for) before the error comes out.
    try {
      yield* serving(server, (() => "not a coroutine") as never);
      assert.fail("no error");
    } catch (error) {
      assert.ok(error instanceof TypeError);
      assert.match(
        error.message,
        /'body' must return a coroutine: received "not a coroutine"/,
      );
    }
    assert.equal(server.isServing(), false);
    yield* server.waitClosed();
  }());
});

test("Server [Symbol.dispose]: `using` in a coroutine closes the listener at the end of the scope", async () => {
  await run(function* () {
    let port = 0;
    let outside: Server;
    {
      using server = yield* getRunningLoop().createServer(
        () => new Protocol(),
        "127.0.0.1",
        0,
      );
      outside = server;
      port = portOf(server);
      const conn = yield* fromPromise(
        Deno.connect({ hostname: "127.0.0.1", port }),
      );
      conn.close();
    }
    assert.equal(outside.isServing(), false);
    yield* outside.waitClosed();
    try {
      const conn = yield* fromPromise(
        Deno.connect({ hostname: "127.0.0.1", port }),
      );
      conn.close();
      assert.fail("still listening");
    } catch (error) {
      assert.ok(error instanceof Deno.errors.ConnectionRefused);
    }
  }());
});

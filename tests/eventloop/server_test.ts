// eventloop/server.ts: the Server that createServer() and
// createUnixServer() return, on real loopback sockets (accepting under
// load and after errors is tests/eventloop/accept_test.ts; serving() and
// `using` are tests/eventloop/serving_test.ts).

import assert from "node:assert/strict";
import {
  type EventLoop,
  type Future,
  getRunningLoop,
  newEventLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { createTask, sleep, waitFor } from "../../tasks/mod.ts";
import { caught } from "../tasks/_combinators.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Records what a connection gets, and when it is lost. */
class Recorder extends Protocol {
  data = "";
  transport: Transport | null = null;
  lost: Future<Error | null>;
  constructor(loop: EventLoop = getRunningLoop()) {
    super();
    this.lost = loop.createFuture();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.data += dec.decode(data);
  }
  override connectionLost(error: Error | null): void {
    this.lost.setResult(error);
  }
}

class Echo extends Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

function portOf(addr: Deno.Addr): number {
  return (addr as Deno.NetAddr).port;
}

/** Waits until `predicate()` holds, giving the loop turns (bounded). */
function* until(predicate: () => boolean, what: string) {
  for (let i = 0; i < 20000 && !predicate(); i++) {
    yield* sleep(0.001);
  }
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

Deno.test("Server: startServing, serveForever, closeClients, abortClients, asyncDispose, all interfaces", async (t) => {
  await t.step(
    "startServing: false accepts nothing until startServing()",
    async () => {
      await run(function* () {
        const loop = getRunningLoop();
        let made = 0;
        const server = yield* loop.createServer(
          () => {
            made++;
            return new Protocol();
          },
          "127.0.0.1",
          0,
          { startServing: false },
        );
        assert.ok(!server.isServing());
        const port = portOf(server.sockets[0].addr);
        // The kernel completes the handshake; the server has not accepted.
        const [t1, c1] = yield* loop.createConnection(
          () => new Recorder(),
          "127.0.0.1",
          port,
        );
        yield* sleep(0.02);
        assert.equal(made, 0);
        yield* server.startServing();
        assert.ok(server.isServing());
        yield* until(() => made === 1, "the accept");
        t1.close();
        yield* c1.lost;
        server.close();
        yield* server.waitClosed();
      }());
    },
  );
  await t.step(
    "serveForever() serves until cancelled, then closes the server",
    async () => {
      await run(function* () {
        const loop = getRunningLoop();
        const server = yield* loop.createServer(() => new Echo(), null, 0);
        const addr = server.sockets[0].addr as Deno.NetAddr;
        assert.equal(addr.hostname, "0.0.0.0");
        const task = createTask(server.serveForever());
        yield* sleep(0);
        const [transport, p] = yield* loop.createConnection(
          () => new Recorder(),
          "127.0.0.1",
          addr.port,
        );
        transport.write(enc.encode("x"));
        yield* until(() => p.data === "x", "the echo");
        transport.close();
        yield* p.lost;
        task.cancel();
        try {
          yield* task;
          assert.fail("serveForever() returned");
        } catch (error) {
          assert.equal((error as Error).name, "CancelledError");
        }
        assert.ok(!server.isServing());
        assert.equal(server.sockets.length, 0);
      }());
    },
  );
  await t.step(
    "closeClients() and abortClients() end accepted connections; waitClosed waits for them",
    async () => {
      await run(function* () {
        const loop = getRunningLoop();
        const server = yield* loop.createServer(
          () => new Recorder(),
          "127.0.0.1",
          0,
        );
        const port = portOf(server.sockets[0].addr);
        const clients = [];
        for (let i = 0; i < 3; i++) {
          clients.push(
            yield* loop.createConnection(
              () => new Recorder(),
              "127.0.0.1",
              port,
            ),
          );
        }
        server.close();
        let closed = false;
        const waiting = createTask(function* () {
          yield* server.waitClosed();
          closed = true;
        }());
        yield* sleep(0.02);
        assert.equal(closed, false, "waitClosed() waits for the clients");
        // Existing connections still work after close().
        clients[0][0].write(enc.encode("still"));
        server.closeClients();
        for (const [, p] of clients) assert.equal(yield* p.lost, null);
        yield* waiting;
        assert.ok(closed);
      }());
      await run(function* () {
        const loop = getRunningLoop();
        const server = yield* loop.createServer(
          () => new Recorder(),
          "127.0.0.1",
          0,
        );
        const [, p] = yield* loop.createConnection(
          () => new Recorder(),
          "127.0.0.1",
          portOf(server.sockets[0].addr),
        );
        yield* sleep(0.01);
        server.abortClients();
        yield* p.lost;
        server.close();
        yield* server.waitClosed();
      }());
    },
  );
  await t.step("Symbol.asyncDispose closes the server", async () => {
    const loop = newEventLoop();
    const running = loop.runForever();
    const server = await loop.createTask(
      loop.createServer(() => new Protocol(), "127.0.0.1", 0),
    );
    {
      await using s = server;
      assert.ok(s.isServing());
    }
    assert.equal(server.sockets.length, 0);
    loop.stop();
    await running;
    loop.close();
  });
});

Deno.test("Server.waitClosed() counts a connection accepted but not yet given its protocol", async () => {
  // Regression: close() + waitClosed() right after a client connected could
  // return before the accepted connection was served, and the loop then
  // ended with that connection open (the resource sanitizer caught it).
  for (let i = 0; i < 20; i++) {
    await run(function* () {
      const loop = getRunningLoop();
      let made = 0;
      const server = yield* loop.createServer(
        () => {
          made++;
          return new Recorder();
        },
        "127.0.0.1",
        0,
      );
      const [transport, p] = yield* loop.createConnection(
        () => new Recorder(),
        "127.0.0.1",
        portOf(server.sockets[0].addr),
      );
      server.close();
      transport.close();
      yield* server.waitClosed();
      assert.equal(made, 1, "the accepted connection was served");
      yield* p.lost;
    }());
  }
});

Deno.test("Server.sockets: where it listens, a copy each time, empty once closed", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* loop.createServer(() => new Protocol(), [
      "127.0.0.1",
      "::1",
    ], 0);
    const sockets = server.sockets;
    assert.equal(sockets.length, 2);
    assert.notEqual(server.sockets, sockets, "a new array each time");
    assert.ok(Object.isFrozen(sockets[0]), "entries cannot be changed");
    sockets.pop();
    assert.equal(server.sockets.length, 2, "the server's own list is kept");
    assert.equal((sockets[0].addr as Deno.NetAddr).hostname, "127.0.0.1");
    assert.equal(server.getLoop(), loop);
    server.close();
    assert.deepEqual(server.sockets, []);
    yield* server.waitClosed();
  }());
});

Deno.test("Server text form: its addresses, IPv6 in brackets, a Unix path as it is", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const tcp = yield* loop.createServer(() => new Protocol(), "::1", 0);
      assert.equal(
        String(tcp),
        `<Server sockets=[[::1]:${portOf(tcp.sockets[0].addr)}]>`,
      );
      tcp.close();
      assert.equal(String(tcp), "<Server sockets=[]>");
      const path = `${dir}/s.sock`;
      const unix = yield* loop.createUnixServer(() => new Protocol(), path);
      assert.equal(String(unix), `<Server sockets=[${path}]>`);
      unix.close();
      yield* tcp.waitClosed();
      yield* unix.waitClosed();
    }());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Server: a closed server refuses to serve, and close() twice is one close", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* loop.createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
    );
    assert.ok(server.isServing());
    server.close();
    server.close();
    assert.equal(server.isServing(), false);
    const starting = yield* caught(server.startServing());
    assert.match(
      String(starting),
      /Cannot start serving: the server is closed/,
    );
    const forever = yield* caught(server.serveForever());
    assert.match(String(forever), /Cannot serve forever: the server is closed/);
    yield* server.waitClosed();
    // Already closed: returns without waiting.
    yield* server.waitClosed();
  }());
});

Deno.test("Server.serveForever() runs once at a time", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const server = yield* loop.createServer(
      () => new Protocol(),
      "127.0.0.1",
      0,
    );
    const first = createTask(server.serveForever());
    yield* sleep(0);
    // Bounded: a second serveForever() that ran would never return.
    const second = yield* waitFor(caught(server.serveForever()), 5);
    assert.match(
      String(second),
      /serveForever\(\) is already running on this server/,
    );
    assert.ok(!first.done(), "the first one serves on");
    server.close();
    // close() ends serveForever() as a cancellation, as in asyncio.
    assert.equal(((yield* caught(first)) as Error).name, "CancelledError");
    yield* server.waitClosed();
  }());
});

Deno.test("Server [Symbol.dispose] closes it: using, in a coroutine", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    let kept: { isServing(): boolean; sockets: unknown[] } | null = null;
    {
      using server = yield* loop.createServer(
        () => new Echo(),
        "127.0.0.1",
        0,
      );
      kept = server;
      const [transport, p] = yield* loop.createConnection(
        () => new Recorder(),
        "127.0.0.1",
        portOf(server.sockets[0].addr),
      );
      transport.write(enc.encode("hi"));
      yield* until(() => p.data === "hi", "the echo");
      transport.close();
      yield* p.lost;
    }
    assert.equal(kept.isServing(), false);
    assert.deepEqual(kept.sockets, []);
  }());
});

// A closed loop refuses its network and subprocess methods before anything
// is opened or spawned (asyncio's "Event loop is closed"). Each call is made
// from a task of another, running loop; each row then checks that nothing
// happened: the port is still free, no socket file exists, the listener's
// first connection is a probe's own, no child ran. The sanitizers catch any
// listener, connection or child left behind.

import assert from "node:assert/strict";
import {
  DatagramProtocol,
  type EventLoop,
  getRunningLoop,
  newEventLoop,
  Protocol,
  run,
  SubprocessProtocol,
} from "../../eventloop/mod.ts";
import "../../subprocess/mod.ts";
import type { Coroutine } from "../../tasks/mod.ts";
import { freePort } from "./_net_fixtures.ts";

const enc = new TextEncoder();

function closedLoop(): EventLoop {
  const loop = newEventLoop();
  loop.close();
  return loop;
}

/** Runs `call` in a running loop; returns what it threw. */
async function refusal(call: () => Coroutine<unknown>): Promise<unknown> {
  return await run(function* () {
    try {
      yield* call();
    } catch (error) {
      return error;
    }
    assert.fail("expected the closed loop to refuse");
  }());
}

function assertClosedError(error: unknown, method: string): void {
  assert.ok(error instanceof Error, `got ${error}`);
  assert.equal(
    error.message,
    `Event loop is closed: ${method} was called after close()`,
  );
}

/** The listener's first connection must be the probe's (it writes "p"). */
async function firstIsProbe(
  listener: Deno.Listener,
  connect: () => Promise<Deno.Conn>,
): Promise<void> {
  const probe = await connect();
  await probe.write(enc.encode("p"));
  const first = await listener.accept();
  const buf = new Uint8Array(1);
  assert.equal(await first.read(buf), 1, "the first connection is the probe");
  first.close();
  probe.close();
}

Deno.test("a closed loop refuses createServer() and listens on nothing", async () => {
  const port = freePort();
  const error = await refusal(() =>
    closedLoop().createServer(() => new Protocol(), "127.0.0.1", port)
  );
  assertClosedError(error, "createServer()");
  Deno.listen({ hostname: "127.0.0.1", port }).close();
});

Deno.test("a closed loop refuses createUnixServer() and creates no socket file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  try {
    const error = await refusal(() =>
      closedLoop().createUnixServer(() => new Protocol(), path)
    );
    assertClosedError(error, "createUnixServer()");
    assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed loop refuses createConnection() and connects nothing", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    const error = await refusal(() =>
      closedLoop().createConnection(() => new Protocol(), "127.0.0.1", port)
    );
    assertClosedError(error, "createConnection()");
    await firstIsProbe(
      listener,
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    );
  } finally {
    listener.close();
  }
});

Deno.test("a closed loop refuses createUnixConnection() and connects nothing", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  try {
    const error = await refusal(() =>
      closedLoop().createUnixConnection(() => new Protocol(), path)
    );
    assertClosedError(error, "createUnixConnection()");
    await firstIsProbe(
      listener,
      () => Deno.connect({ transport: "unix", path }),
    );
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed loop refuses createDatagramEndpoint() and binds nothing", async () => {
  const port = freePort();
  const error = await refusal(() =>
    closedLoop().createDatagramEndpoint(() => new DatagramProtocol(), {
      localAddr: ["127.0.0.1", port],
    })
  );
  assertClosedError(error, "createDatagramEndpoint()");
  // The port is free: a running loop binds it.
  await run(function* () {
    const [transport] = yield* getRunningLoop().createDatagramEndpoint(
      () => new DatagramProtocol(),
      { localAddr: ["127.0.0.1", port] },
    );
    transport.close();
  }());
});

Deno.test("a closed loop refuses subprocessExec()/subprocessShell() and spawns no child", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("subprocessExec", async () => {
      const marker = `${dir}/exec`;
      const error = await refusal(() =>
        closedLoop().subprocessExec(
          () => new SubprocessProtocol(),
          "touch",
          [marker],
          { stdin: "null", stdout: "null", stderr: "null" },
        )
      );
      assertClosedError(error, "subprocessExec()");
      await new Promise((r) => setTimeout(r, 100));
      assert.throws(() => Deno.statSync(marker), Deno.errors.NotFound);
    });
    await t.step("subprocessShell", async () => {
      const marker = `${dir}/shell`;
      const error = await refusal(() =>
        closedLoop().subprocessShell(
          () => new SubprocessProtocol(),
          `touch ${marker}`,
          { stdin: "null", stdout: "null", stderr: "null" },
        )
      );
      assertClosedError(error, "subprocessShell()");
      await new Promise((r) => setTimeout(r, 100));
      assert.throws(() => Deno.statSync(marker), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed loop refuses startTls()", async () => {
  const loop = closedLoop();
  const error = await refusal(() =>
    loop.startTls(
      {} as never,
      new Protocol(),
      true,
    )
  );
  assertClosedError(error, "startTls()");
});

Deno.test("a closed loop refuses connectReadPipe()/connectWritePipe() and leaves the streams alone", async () => {
  const readable = new ReadableStream<Uint8Array>();
  const writable = new WritableStream<Uint8Array>();
  assertClosedError(
    await refusal(() =>
      closedLoop().connectReadPipe(() => new Protocol(), readable)
    ),
    "connectReadPipe()",
  );
  assertClosedError(
    await refusal(() =>
      closedLoop().connectWritePipe(() => new Protocol(), writable)
    ),
    "connectWritePipe()",
  );
  assert.equal(readable.locked, false);
  assert.equal(writable.locked, false);
});

Deno.test("a closed loop refuses sendfile() and reads nothing of the file", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "not to be read");
  using file = await Deno.open(path);
  file.seekSync(4, Deno.SeekMode.Start);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    const error = await run(function* () {
      const loop = getRunningLoop();
      const [transport] = yield* loop.createConnection(
        () => new Protocol(),
        "127.0.0.1",
        (listener.addr as Deno.NetAddr).port,
      );
      try {
        yield* closedLoop().sendfile(transport, file);
      } catch (error) {
        return error;
      } finally {
        transport.close();
      }
    }());
    assertClosedError(error, "sendfile()");
    assert.equal(file.seekSync(0, Deno.SeekMode.Current), 4);
    const conn = await accepted;
    assert.equal(await conn.read(new Uint8Array(16)), null); // nothing sent
    conn.close();
  } finally {
    listener.close();
    await Deno.remove(path);
  }
});

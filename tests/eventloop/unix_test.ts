import assert from "node:assert/strict";
import {
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { sleep } from "../../tasks/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

class Echo extends Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

class Client extends Protocol {
  data = "";
  lost = getRunningLoop().createFuture<Error | null>();
  override dataReceived(data: Uint8Array): void {
    this.data += dec.decode(data);
  }
  override connectionLost(error: Error | null): void {
    this.lost.setResult(error);
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("createUnixServer() and createUnixConnection() talk over a real Unix socket", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/echo.sock`;
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* loop.createUnixServer(() => new Echo(), path);
      assert.deepEqual(server.sockets[0].addr, { transport: "unix", path });
      const [transport, client] = yield* loop.createUnixConnection(
        () => new Client(),
        path,
      );
      assert.equal(
        (transport.getExtraInfo("peername") as Deno.UnixAddr).transport,
        "unix",
      );
      assert.ok(transport.canWriteEof());
      transport.write(enc.encode("over unix"));
      for (let i = 0; i < 2000 && client.data !== "over unix"; i++) {
        yield* sleep(0.001);
      }
      assert.equal(client.data, "over unix");
      transport.writeEof();
      // The echo protocol closes on EOF, so the client sees a clean end.
      assert.equal(yield* client.lost, null);
      server.close();
      yield* server.waitClosed();
      assert.ok(!exists(path), "the socket file is removed on close");
    }());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createUnixServer() replaces a stale socket file and refuses other files", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/stale.sock`;
  try {
    // A socket file left behind by a process that exited while listening.
    const code = `Deno.listen({ transport: "unix", path: ${
      JSON.stringify(path)
    } }); Deno.exit(0);`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
    }).output();
    assert.ok(out.success);
    assert.ok(exists(path));
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* loop.createUnixServer(() => new Echo(), path);
      assert.ok(server.isServing());
      server.close();
      yield* server.waitClosed();
      assert.ok(!exists(path));
      const file = `${dir}/regular`;
      Deno.writeTextFileSync(file, "not a socket");
      let caught: unknown;
      try {
        yield* loop.createUnixServer(() => new Echo(), file);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof Deno.errors.AddrInUse, String(caught));
      assert.equal(Deno.readTextFileSync(file), "not a socket");
    }());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createUnixConnection() to a missing socket throws NotFound; arguments are checked", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    let caught: unknown;
    try {
      yield* loop.createUnixConnection(
        () => new Client(),
        "/nonexistent/dir/x.sock",
      );
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Deno.errors.NotFound, String(caught));
    assert.throws(
      () => loop.createUnixConnection(() => new Client(), "").next(),
      /'path' must be a non-empty string: received ""/,
    );
    assert.throws(
      () =>
        loop.createUnixServer(() => new Echo(), 1 as unknown as string).next(),
      /'path' must be a non-empty string: received 1/,
    );
  }());
});

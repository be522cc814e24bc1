import assert from "node:assert/strict";
import {
  DatagramProtocol,
  type DatagramTransport,
  getRunningLoop,
  run,
} from "../../eventloop/mod.ts";
import { sleep } from "../../tasks/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

class Collect extends DatagramProtocol {
  got: [string, Deno.NetAddr][] = [];
  errors: Error[] = [];
  events: string[] = [];
  lost = getRunningLoop().createFuture<Error | null>();
  override connectionMade(_t: DatagramTransport): void {
    this.events.push("made");
  }
  override datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
    this.got.push([dec.decode(data), addr]);
  }
  override errorReceived(error: Error): void {
    this.errors.push(error);
  }
  override connectionLost(error: Error | null): void {
    this.events.push("lost");
    this.lost.setResult(error);
  }
}

function* until(predicate: () => boolean, what: string) {
  for (let i = 0; i < 5000 && !predicate(); i++) yield* sleep(0.001);
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

Deno.test("createDatagramEndpoint() sends and receives datagrams on loopback (node:dgram without --unstable-net)", async () => {
  assert.equal(
    typeof (Deno as { listenDatagram?: unknown }).listenDatagram,
    "undefined",
    "this test covers the node:dgram path",
  );
  await run(function* () {
    const loop = getRunningLoop();
    const [server, serverSide] = yield* loop.createDatagramEndpoint(
      () => new Collect(),
      { localAddr: ["127.0.0.1", 0] },
    );
    const where = server.getExtraInfo("sockname") as Deno.NetAddr;
    assert.equal(where.hostname, "127.0.0.1");
    assert.ok(where.port > 0);
    const [client, clientSide] = yield* loop.createDatagramEndpoint(
      () => new Collect(),
      { remoteAddr: { hostname: "127.0.0.1", port: where.port } },
    );
    assert.deepEqual(client.getExtraInfo("peername"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: where.port,
    });
    client.sendto(enc.encode("one"));
    client.sendto(enc.encode("two"), ["127.0.0.1", where.port]);
    yield* until(() => serverSide.got.length === 2, "two datagrams");
    assert.deepEqual(serverSide.got.map(([text]) => text).sort(), [
      "one",
      "two",
    ]);
    const from = serverSide.got[0][1];
    const clientAddr = client.getExtraInfo("sockname") as Deno.NetAddr;
    assert.equal(from.port, clientAddr.port);
    // A reply goes back to the sender's address.
    server.sendto(enc.encode("reply"), from);
    yield* until(() => clientSide.got.length === 1, "the reply");
    assert.equal(clientSide.got[0][0], "reply");
    // Bad arguments.
    assert.throws(() => server.sendto(enc.encode("x")), /'addr' is required/);
    assert.throws(
      () => client.sendto(enc.encode("x"), ["127.0.0.1", 9]),
      /must be the endpoint's remoteAddr/,
    );
    assert.throws(
      () => server.sendto("text" as unknown as Uint8Array, from),
      TypeError,
    );
    client.close();
    server.close();
    assert.ok(client.isClosing());
    assert.equal(yield* clientSide.lost, null);
    assert.equal(yield* serverSide.lost, null);
    assert.deepEqual(serverSide.events, ["made", "lost"]);
  }());
});

Deno.test("createDatagramEndpoint() drops datagrams from others when it has a remoteAddr", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [a, aSide] = yield* loop.createDatagramEndpoint(() => new Collect(), {
      localAddr: ["127.0.0.1", 0],
    });
    const aAddr = a.getExtraInfo("sockname") as Deno.NetAddr;
    const [b, bSide] = yield* loop.createDatagramEndpoint(() => new Collect(), {
      localAddr: ["127.0.0.1", 0],
    });
    const bAddr = b.getExtraInfo("sockname") as Deno.NetAddr;
    const [c, cSide] = yield* loop.createDatagramEndpoint(() => new Collect(), {
      localAddr: ["127.0.0.1", 0],
      remoteAddr: ["127.0.0.1", aAddr.port],
    });
    const cAddr = c.getExtraInfo("sockname") as Deno.NetAddr;
    b.sendto(enc.encode("stranger"), cAddr);
    a.sendto(enc.encode("friend"), cAddr);
    yield* until(() => cSide.got.length === 1, "the friend's datagram");
    yield* sleep(0.02);
    assert.deepEqual(cSide.got.map(([t]) => t), ["friend"]);
    assert.equal(bAddr.hostname, "127.0.0.1");
    for (const t of [a, b, c]) t.abort();
    yield* aSide.lost;
    yield* bSide.lost;
    yield* cSide.lost;
  }());
});

Deno.test("createDatagramEndpoint() checks its arguments", async () => {
  await run(function* () {
    yield* sleep(0);
    const loop = getRunningLoop();
    const cases: [() => unknown, ErrorConstructor, RegExp][] = [
      [
        () => loop.createDatagramEndpoint(() => new Collect(), {}).next(),
        TypeError,
        /'localAddr' or 'remoteAddr' is required/,
      ],
      [
        () =>
          loop.createDatagramEndpoint(() => new Collect(), {
            localAddr: ["127.0.0.1", -1],
          }).next(),
        RangeError,
        /'port'.*received -1/,
      ],
      [
        () =>
          loop.createDatagramEndpoint(() => new Collect(), {
            remoteAddr: ["127.0.0.1", 0],
          }).next(),
        RangeError,
        /'remoteAddr' must have a port/,
      ],
      [
        () =>
          loop.createDatagramEndpoint(() => new Collect(), {
            localAddr: "x" as unknown as [string, number],
          }).next(),
        TypeError,
        /'localAddr' must be \[host, port\]/,
      ],
      [
        () =>
          loop.createDatagramEndpoint(42 as unknown as () => Collect, {
            localAddr: ["127.0.0.1", 0],
          }).next(),
        TypeError,
        /'protocolFactory' must be a function: received 42/,
      ],
      [
        () =>
          loop.createDatagramEndpoint(() => new Collect(), {
            localAddr: ["127.0.0.1", 0],
            allowBroadcast: 1 as unknown as boolean,
          }).next(),
        TypeError,
        /'allowBroadcast' must be a boolean/,
      ],
    ];
    for (const [call, type, message] of cases) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof type, String(error));
        assert.match((error as Error).message, message);
        return true;
      });
    }
  }());
});

Deno.test("createDatagramEndpoint() uses Deno.listenDatagram under --unstable-net", async () => {
  const mod = new URL("../../eventloop/mod.ts", import.meta.url).href;
  const code = `
    import { DatagramProtocol, getRunningLoop, run } from ${
    JSON.stringify(mod)
  };
    class Got extends DatagramProtocol {
      got = getRunningLoop().createFuture();
      datagramReceived(data, addr) { this.got.setResult(new TextDecoder().decode(data) + "@" + addr.hostname); }
    }
    const out = await run(function* () {
      const loop = getRunningLoop();
      const [server, p] = yield* loop.createDatagramEndpoint(() => new Got(), { localAddr: ["127.0.0.1", 0] });
      const { port } = server.getExtraInfo("sockname");
      const [client] = yield* loop.createDatagramEndpoint(() => new DatagramProtocol(), { remoteAddr: ["127.0.0.1", port] });
      client.sendto(new TextEncoder().encode("hi"));
      const text = yield* p.got;
      client.close();
      server.close();
      return text;
    }());
    console.log(typeof Deno.listenDatagram, out);
  `;
  const file = await Deno.makeTempFile({ suffix: ".js" });
  await Deno.writeTextFile(file, code);
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--unstable-net", "--allow-net", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  assert.equal(
    dec.decode(result.stdout).trim(),
    "function hi@127.0.0.1",
    dec.decode(result.stderr),
  );
});

Deno.test("createDatagramEndpoint() under --unstable-net refuses broadcast sends without allowBroadcast, as the kernel does", async () => {
  // Deno.listenDatagram turns SO_BROADCAST on for every socket, so the
  // library must refuse what the kernel would refuse without the option.
  const mod = new URL("../../eventloop/mod.ts", import.meta.url).href;
  const code = `
    import { DatagramProtocol, getRunningLoop, run } from ${
    JSON.stringify(mod)
  };
    class Errors extends DatagramProtocol {
      errors = [];
      errorReceived(error) { this.errors.push(error.name); }
    }
    const out = await run(function* () {
      const loop = getRunningLoop();
      const results = [];
      for (const allowBroadcast of [false, true]) {
        const [t, p] = yield* loop.createDatagramEndpoint(() => new Errors(), {
          localAddr: ["0.0.0.0", 0],
          allowBroadcast,
        });
        t.sendto(new Uint8Array([1]), ["255.255.255.255", 9]);
        t.sendto(new Uint8Array([2]), ["127.255.255.255", 9]);
        const later = loop.createFuture();
        loop.callLater(0.1, () => later.setResult());
        yield* later;
        results.push(allowBroadcast + ":" + p.errors.join(","));
        t.close();
      }
      return results.join(" ");
    }());
    console.log(out);
  `;
  const file = await Deno.makeTempFile({ suffix: ".js" });
  await Deno.writeTextFile(file, code);
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--unstable-net",
      "--allow-net",
      "--allow-sys",
      file,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  assert.equal(
    dec.decode(result.stdout).trim(),
    "false:PermissionDenied,PermissionDenied true:",
    dec.decode(result.stderr),
  );
});

Deno.test("DatagramTransport: a failed send goes to errorReceived() and the endpoint stays open", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [t, p] = yield* loop.createDatagramEndpoint(() => new Collect(), {
      localAddr: ["127.0.0.1", 0],
    });
    // Port 0 cannot be sent to.
    t.sendto(enc.encode("nowhere"), ["127.0.0.1", 0]);
    yield* until(() => p.errors.length === 1, "errorReceived");
    assert.ok(p.errors[0] instanceof Error);
    assert.equal(t.getWriteBufferSize(), 0);
    assert.ok(!t.isClosing());
    // Still usable: a datagram to itself arrives.
    const self = t.getExtraInfo("sockname") as Deno.NetAddr;
    t.sendto(enc.encode("me"), self);
    yield* until(() => p.got.length === 1, "the datagram to itself");
    t.close();
    assert.equal(yield* p.lost, null);
    assert.deepEqual(p.events, ["made", "lost"]);
  }());
});

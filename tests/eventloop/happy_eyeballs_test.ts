// createConnection over several addresses: one after the other by default,
// racing with happyEyeballsDelay (RFC 8305, asyncio's staggered_race),
// interleaved by family, restricted by family, and every attempt's error
// with allErrors. The peers are python3: an asyncio server on 127.0.0.1,
// and on ::1 a listener whose queue is full, where a connect hangs.

import assert from "node:assert/strict";
import {
  type AddrInfo,
  AF_INET,
  AF_INET6,
  EventLoop,
  GaiError,
  type GetAddrInfoOptions,
  getRunningLoop,
  Protocol,
  run,
  SOCK_STREAM,
  type SockAddr,
  TimeoutError,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, ExceptionGroup, waitFor } from "../../tasks/mod.ts";
import { blackhole, freePort } from "./_net_fixtures.ts";
import { hasPeer, PeerProcess, peerTest } from "../_peers.ts";

const dec = new TextDecoder();

/**
 * A loop whose resolver answers the names in `answers` with fixed addresses
 * (asyncio lets a loop subclass override getaddrinfo; createConnection
 * resolves through it). The family option is honoured, as a resolver does.
 */
class FixedResolverLoop extends EventLoop {
  constructor(readonly answers: Record<string, SockAddr[]>) {
    super();
  }
  override *getaddrinfo(
    host: string | null,
    port: number | string | null,
    options?: GetAddrInfoOptions,
  ): Coroutine<AddrInfo[]> {
    const fixed = host === null ? undefined : this.answers[host];
    if (fixed === undefined) {
      return yield* super.getaddrinfo(host, port, options);
    }
    const family = options?.family ?? 0;
    return fixed
      .map((sockaddr): AddrInfo => [
        sockaddr.length === 4 ? AF_INET6 : AF_INET,
        SOCK_STREAM,
        6,
        "",
        sockaddr,
      ])
      .filter(([f]) => family === 0 || f === family);
  }
}

/** Collects what the server sends. */
class Reader extends Protocol {
  text = "";
  done = getRunningLoop().createFuture<void>();
  override dataReceived(data: Uint8Array): void {
    this.text += dec.decode(data);
  }
  override connectionLost(): void {
    if (!this.done.done()) this.done.setResult();
  }
}

/** tests/peers/dual_stack_server.py: its greeting server's and blackhole's ports. */
async function withPeers(
  body: (live: number, hole: number) => Promise<void>,
): Promise<void> {
  await using peer = PeerProcess.python("dual_stack_server.py");
  const live = Number(await peer.readLine());
  const hole = Number(await peer.readLine());
  await body(live, hole);
  assert.equal((await peer.finish()).code, 0);
}

/** Connects to dual.test; returns the peer's address and its greeting. */
function* greeting(
  options: Parameters<EventLoop["createConnection"]>[3] = {},
): Coroutine<[string, string]> {
  const [transport, reader] = yield* getRunningLoop().createConnection(
    () => new Reader(),
    "dual.test",
    9, // The fixed answers carry their own ports.
    options,
  );
  const peer = transport.getExtraInfo("peername") as Deno.NetAddr;
  yield* reader.done;
  transport.close();
  return [peer.hostname, reader.text];
}

/** The error a coroutine throws (fails if it returns). */
function* failure(coro: Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* coro;
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to throw");
}

peerTest(
  "createConnection() with happyEyeballsDelay races the addresses; without it, they go one after the other (python3 peers)",
  ["python3"],
  async (t) => {
    await withPeers(async (live, hole) => {
      const loopFactory = () =>
        new FixedResolverLoop({
          "dual.test": [["::1", hole, 0, 0], ["127.0.0.1", live]],
        });

      await t.step(
        "without a delay, a silent first address holds the connection up",
        async () => {
          await run(
            function* () {
              const error = yield* failure(waitFor(greeting(), 0.3));
              assert.ok(error instanceof TimeoutError, `got ${error}`);
            }(),
            { loopFactory },
          );
        },
      );

      await t.step(
        "with a delay, the next address is tried while the first hangs, and the first to answer wins",
        async () => {
          const [host, text] = await run(
            waitFor(greeting({ happyEyeballsDelay: 0.05 }), 5),
            { loopFactory },
          );
          assert.equal(host, "127.0.0.1");
          assert.equal(text, "hello from python\n");
        },
      );

      await t.step(
        "family restricts the addresses: AF_INET skips the silent IPv6 one",
        async () => {
          const [host, text] = await run(
            waitFor(greeting({ family: AF_INET }), 5),
            { loopFactory },
          );
          assert.equal(host, "127.0.0.1");
          assert.equal(text, "hello from python\n");
        },
      );
    });
  },
);

peerTest(
  "createConnection() without a delay tries the next address when one is refused (python3 peer)",
  ["python3"],
  async () => {
    await withPeers(async (live) => {
      const refused = freePort("::1");
      const [host, text] = await run(greeting(), {
        loopFactory: () =>
          new FixedResolverLoop({
            "dual.test": [["::1", refused, 0, 0], ["127.0.0.1", live]],
          }),
      });
      assert.equal(host, "127.0.0.1");
      assert.equal(text, "hello from python\n");
    });
  },
);

Deno.test("createConnection(): a racing winner aborts the attempt still hanging, leaving no connect op behind", async () => {
  // Deno's own blackhole; the op sanitizer fails the test if the hanging
  // connect to it outlives the call.
  const hole = await blackhole("::1");
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = server.accept();
  try {
    const host = await run(
      function* () {
        const [transport] = yield* getRunningLoop().createConnection(
          () => new Protocol(),
          "dual.test",
          9,
          { happyEyeballsDelay: 0.02 },
        );
        const peer = transport.getExtraInfo("peername") as Deno.NetAddr;
        transport.close();
        return peer.hostname;
      }(),
      {
        loopFactory: () =>
          new FixedResolverLoop({
            "dual.test": [
              ["::1", hole.port, 0, 0],
              ["127.0.0.1", (server.addr as Deno.NetAddr).port],
            ],
          }),
      },
    );
    assert.equal(host, "127.0.0.1");
    (await accepted).close();
  } finally {
    server.close();
    hole.close();
  }
});

Deno.test("createConnection() interleaves address families: interleave=1 alternates them, 0 keeps the resolver's order", async (t) => {
  const [a, b] = [freePort("::1"), freePort("::1")];
  const c = freePort("127.0.0.1");
  const loopFactory = () =>
    new FixedResolverLoop({
      "dual.test": [["::1", a, 0, 0], ["::1", b, 0, 0], ["127.0.0.1", c]],
    });
  /** The addresses tried, in order, read from allErrors' group. */
  function* attempts(
    options: Parameters<EventLoop["createConnection"]>[3],
  ): Coroutine<string[]> {
    const error = yield* failure(greeting({ ...options, allErrors: true }));
    assert.ok(error instanceof ExceptionGroup, `got ${error}`);
    return (error.errors as Error[]).map((e) =>
      /connecting to (\S+)\)/.exec(e.message)?.[1] ?? e.message
    );
  }
  const v6a = `[::1]:${a}`, v6b = `[::1]:${b}`, v4 = `127.0.0.1:${c}`;
  await t.step("interleave: 1", async () => {
    assert.deepEqual(
      await run(attempts({ interleave: 1 }), { loopFactory }),
      [v6a, v4, v6b],
    );
  });
  await t.step("interleave: 2 puts two of the first family first", async () => {
    assert.deepEqual(
      await run(attempts({ interleave: 2 }), { loopFactory }),
      [v6a, v6b, v4],
    );
  });
  await t.step("no interleave keeps the order", async () => {
    assert.deepEqual(await run(attempts({}), { loopFactory }), [v6a, v6b, v4]);
  });
  await t.step(
    "happyEyeballsDelay alone interleaves with 1 (asyncio)",
    async () => {
      assert.deepEqual(
        await run(attempts({ happyEyeballsDelay: 0.01 }), { loopFactory }),
        [v6a, v4, v6b],
      );
    },
  );
});

Deno.test("createConnection() when every attempt fails: allErrors gives all the errors; otherwise one error, as asyncio decides", async (t) => {
  const a = freePort("::1");
  const b = freePort("127.0.0.1");
  const loopFactory = () =>
    new FixedResolverLoop({
      "dual.test": [["::1", a, 0, 0], ["127.0.0.1", b]],
      "one.test": [["127.0.0.1", b]],
    });
  await t.step(
    "allErrors: an ExceptionGroup of every attempt's error",
    async () => {
      const error = await run(
        failure(greeting({ allErrors: true })),
        { loopFactory },
      );
      assert.ok(error instanceof ExceptionGroup);
      assert.equal(error.errors.length, 2);
      for (const e of error.errors) {
        assert.ok(e instanceof Deno.errors.ConnectionRefused, `got ${e}`);
      }
      assert.match(
        (error.errors[0] as Error).message,
        new RegExp(`\\[::1\\]:${a}`),
      );
      assert.match(
        (error.errors[1] as Error).message,
        new RegExp(`127.0.0.1:${b}`),
      );
    },
  );
  await t.step(
    "different errors without allErrors: one Error that lists them",
    async () => {
      const error = await run(failure(greeting()), { loopFactory });
      assert.ok(!(error instanceof ExceptionGroup));
      assert.ok(error instanceof Error);
      assert.match(error.message, /^Multiple exceptions: /);
      assert.match(error.message, new RegExp(`\\[::1\\]:${a}.*127.0.0.1:${b}`));
    },
  );
  await t.step("a single attempt: its own error, with its class", async () => {
    const error = await run(
      function* () {
        return yield* failure(
          getRunningLoop().createConnection(
            () => new Protocol(),
            "one.test",
            9,
          ),
        );
      }(),
      { loopFactory },
    );
    assert.ok(error instanceof Deno.errors.ConnectionRefused, `got ${error}`);
  });
});

Deno.test("createConnection() resolves names through the system resolver, restricted by family and flags", async (t) => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    await t.step("localhost (from /etc/hosts) connects", async () => {
      const accepted = listener.accept();
      const peer = await run(function* () {
        const [transport] = yield* getRunningLoop().createConnection(
          () => new Protocol(),
          "localhost",
          port,
          { family: AF_INET },
        );
        const peer = transport.getExtraInfo("peername") as Deno.NetAddr;
        transport.close();
        return peer;
      }());
      (await accepted).close();
      assert.equal(peer.hostname, "127.0.0.1");
    });
    await t.step(
      "family: AF_INET6 on an IPv4 address is a GaiError",
      async () => {
        const error = await run(failure(
          connectTo("127.0.0.1", port, {
            family: AF_INET6,
          }),
        ));
        assert.ok(error instanceof GaiError, `got ${error}`);
        assert.equal(error.code, "EAI_ADDRFAMILY");
      },
    );
  } finally {
    listener.close();
  }
});

function* connectTo(
  host: string,
  port: number,
  options: Parameters<EventLoop["createConnection"]>[3],
): Coroutine<[Transport, Protocol]> {
  return yield* getRunningLoop().createConnection(
    () => new Protocol(),
    host,
    port,
    options,
  );
}

/** Whether the system resolves localhost to both ::1 and 127.0.0.1. */
function dualStackLocalhost(): boolean {
  if (!hasPeer("python3")) return false;
  const out = new Deno.Command("python3", {
    args: [
      "-c",
      "import socket; print(sorted({a[4][0] for a in socket.getaddrinfo('localhost', 80, type=socket.SOCK_STREAM)}))",
    ],
  }).outputSync();
  return dec.decode(out.stdout).trim() === "['127.0.0.1', '::1']";
}

Deno.test({
  name:
    "createConnection('localhost', { happyEyeballsDelay }) reaches the family that listens when /etc/hosts gives localhost both",
  ignore: !dualStackLocalhost(),
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    const accepted = listener.accept();
    try {
      const host = await run(function* () {
        const [transport] = yield* getRunningLoop().createConnection(
          () => new Protocol(),
          "localhost",
          port,
          { happyEyeballsDelay: 0.05 },
        );
        const peer = transport.getExtraInfo("peername") as Deno.NetAddr;
        transport.close();
        return peer.hostname;
      }());
      assert.equal(host, "127.0.0.1");
      (await accepted).close();
    } finally {
      listener.close();
    }
  },
});

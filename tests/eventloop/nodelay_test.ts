// TCP_NODELAY: on by default on every TCP transport (asyncio's
// base_events._set_nodelay), and `transport.setNoDelay()` to change it.
// Observed, not assumed: a Python peer times rounds in which the Deno side
// answers with two small writes a millisecond apart. With Nagle's algorithm
// the second waits for the peer's delayed ACK of the first (about 40 ms on
// Linux); without it a round takes about a millisecond.

import assert from "node:assert/strict";
import {
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { fromPromise } from "../../tasks/mod.ts";
import { PeerProcess, peerTest } from "../_peers.ts";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROUNDS = 20;
/** A median round above this means Nagle's algorithm held the 2nd write. */
const NAGLE_MS = 20;

/** Answers each byte with "a", then "b" in a separate write 1 ms later. */
class TwoWrites extends Protocol {
  transport!: Transport;
  lost = getRunningLoop().createFuture<void>();
  constructor(readonly noDelay: boolean | null = null) {
    super();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
    if (this.noDelay !== null) transport.setNoDelay(this.noDelay);
  }
  override dataReceived(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      this.transport.write(new Uint8Array([97]));
      getRunningLoop().callLater(0.001, () => {
        if (!this.transport.isClosing()) {
          this.transport.write(new Uint8Array([98]));
        }
      });
    }
  }
  override connectionLost(): void {
    this.lost.setResult();
  }
}

peerTest(
  "TCP transports set TCP_NODELAY by default, server and client side, and setNoDelay(false) turns Nagle's algorithm back on (timed by a Python peer)",
  ["python3"],
  async (t) => {
    const serve = (noDelay: boolean | null) =>
      run(function* () {
        const loop = getRunningLoop();
        let protocol: TwoWrites | null = null;
        const server = yield* loop.createServer(
          () => protocol = new TwoWrites(noDelay),
          "127.0.0.1",
          0,
        );
        const port = (server.sockets[0].addr as Deno.NetAddr).port;
        const peer = PeerProcess.python("nagle_peer.py", [
          "connect",
          String(port),
          String(ROUNDS),
        ]);
        try {
          const median = Number(yield* fromPromise(peer.readLine(30)));
          assert.equal((yield* fromPromise(peer.finish())).code, 0);
          yield* protocol!.lost;
          return median;
        } finally {
          yield* fromPromise(peer[Symbol.asyncDispose]());
          server.close();
          yield* server.waitClosed();
        }
      }());

    await t.step("server side: on by default", async () => {
      const median = await serve(null);
      assert.ok(median < NAGLE_MS, `median round ${median} ms`);
    });
    await t.step(
      "server side: setNoDelay(false) in connectionMade",
      async () => {
        const median = await serve(false);
        assert.ok(median >= NAGLE_MS, `median round ${median} ms`);
      },
    );
    await t.step("client side (createConnection): on by default", async () => {
      await using peer = PeerProcess.python("nagle_peer.py", [
        "listen",
        String(ROUNDS),
      ]);
      const port = Number(await peer.readLine());
      await run(function* () {
        const [, protocol] = yield* getRunningLoop().createConnection(
          () => new TwoWrites(),
          "127.0.0.1",
          port,
        );
        yield* protocol.lost;
      }());
      const median = Number(await peer.readLine(30));
      assert.ok(median < NAGLE_MS, `median round ${median} ms`);
      assert.equal((await peer.finish()).code, 0);
    });
    await t.step(
      "client side over TLS (createConnection with ssl): on by default",
      async () => {
        const file = (name: string) =>
          fromFileUrl(new URL(`../testdata/${name}`, import.meta.url));
        await using peer = PeerProcess.python("nagle_peer.py", [
          "listen-tls",
          String(ROUNDS),
          file("tls_localhost.pem"),
          file("tls_localhost.key"),
        ]);
        const port = Number(await peer.readLine());
        await run(function* () {
          const [, protocol] = yield* getRunningLoop().createConnection(
            () => new TwoWrites(),
            "127.0.0.1",
            port,
            {
              ssl: { caCerts: [Deno.readTextFileSync(file("tls_ca.pem"))] },
              serverHostname: "localhost",
            },
          );
          yield* protocol.lost;
        }());
        const median = Number(await peer.readLine(30));
        assert.ok(median < NAGLE_MS, `median round ${median} ms`);
        assert.equal((await peer.finish()).code, 0);
      },
    );
  },
);

Deno.test("Transport.setNoDelay() checks its argument, and refuses where it cannot apply", async (t) => {
  await t.step(
    "a non-boolean is a TypeError; a closed transport refuses",
    async () => {
      await run(function* () {
        const loop = getRunningLoop();
        const server = yield* loop.createServer(
          () => new Protocol(),
          "127.0.0.1",
          0,
        );
        const port = (server.sockets[0].addr as Deno.NetAddr).port;
        const [transport] = yield* loop.createConnection(
          () => new Protocol(),
          "127.0.0.1",
          port,
        );
        assert.throws(
          () => transport.setNoDelay(1 as unknown as boolean),
          {
            name: "TypeError",
            message:
              "Cannot set TCP_NODELAY as 'noDelay' must be a boolean: received 1",
          },
        );
        transport.setNoDelay(false);
        transport.setNoDelay(true);
        transport.abort();
        assert.throws(() => transport.setNoDelay(true), {
          message: "Cannot set TCP_NODELAY on a closed transport",
        });
        server.close();
        server.closeClients();
        yield* server.waitClosed();
      }());
    },
  );

  await t.step("a Unix socket transport", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await run(function* () {
        const loop = getRunningLoop();
        const path = `${dir}/s`;
        const server = yield* loop.createUnixServer(() => new Protocol(), path);
        const [transport] = yield* loop.createUnixConnection(
          () => new Protocol(),
          path,
        );
        assert.throws(() => transport.setNoDelay(false), {
          message:
            "Cannot set TCP_NODELAY: a Unix socket transport has no Nagle's algorithm",
        });
        transport.close();
        server.close();
        server.closeClients();
        yield* server.waitClosed();
      }());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("a TLS transport on Deno's own TLS", async () => {
    const data = (name: string) =>
      Deno.readTextFileSync(new URL(`../testdata/${name}`, import.meta.url));
    await run(function* () {
      const loop = getRunningLoop();
      const server = yield* loop.createServer(
        () => new Protocol(),
        "127.0.0.1",
        0,
        {
          ssl: {
            cert: data("tls_localhost.pem"),
            key: data("tls_localhost.key"),
          },
        },
      );
      const port = (server.sockets[0].addr as Deno.NetAddr).port;
      const [transport] = yield* loop.createConnection(
        () => new Protocol(),
        "127.0.0.1",
        port,
        { ssl: { caCerts: [data("tls_ca.pem")] }, serverHostname: "localhost" },
      );
      assert.throws(() => transport.setNoDelay(true), {
        message:
          /^Cannot set TCP_NODELAY: Deno's TLS connections .* have no setNoDelay\(\)/,
      });
      transport.close();
      server.close();
      server.closeClients();
      yield* server.waitClosed();
    }());
  });
});

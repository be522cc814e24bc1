// Server options against python3 asyncio clients: keepAlive turns TCP
// keep-alive on for accepted connections; startServing: false accepts
// nothing (no protocol, no byte answered) until startServing(); and
// reuseAddress (SO_REUSEADDR, always on with Deno on Linux) lets a server
// rebind a port whose old connections are in TIME_WAIT. Also: a Unix server
// or connection asked for TLS refuses before anything listens or connects,
// and a name Deno grants only by name still connects.

import assert from "node:assert/strict";
import {
  getRunningLoop,
  Protocol,
  run,
  type Server,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise, sleep } from "../../tasks/mod.ts";
import {
  openUnixConnection,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";
import { keepAliveOn } from "./_net_fixtures.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const CERT = Deno.readTextFileSync(
  new URL("../testdata/tls_localhost.pem", import.meta.url),
);
const KEY = Deno.readTextFileSync(
  new URL("../testdata/tls_localhost.key", import.meta.url),
);

/** Echoes lines back, upper-cased. */
class Shout extends Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(enc.encode(dec.decode(data).toUpperCase()));
  }
}

/** Whether a connection from local port `port` is in TIME_WAIT (06). */
function timeWaitOn(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return Deno.readTextFileSync("/proc/net/tcp").split("\n").some((row) => {
    const cols = row.trim().split(/\s+/);
    return cols[1]?.endsWith(`:${hex}`) && cols[3] === "06";
  });
}

function* closeServer(server: Server): Coroutine<void> {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

/** The line_client.py peers a test started; killed if the test fails. */
const clients: PeerProcess[] = [];

/** tests/peers/line_client.py: sends "ping", prints the reply or "timeout". */
function lineClient(port: number, wait: number): PeerProcess {
  const peer = PeerProcess.python("line_client.py", [
    String(port),
    String(wait),
  ]);
  clients.push(peer);
  return peer;
}

/** Runs `body`, then kills (or waits for) the clients it started. */
async function withClients(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    for (const peer of clients.splice(0)) await peer[Symbol.asyncDispose]();
  }
}

peerTest(
  "createServer({ keepAlive: true }) turns TCP keep-alive on for each accepted connection (python3 client)",
  ["python3"],
  async (t) => {
    for (const keepAlive of [true, false]) {
      await t.step(
        `keepAlive: ${keepAlive}`,
        () =>
          withClients(() =>
            run(function* () {
              const server = yield* getRunningLoop().createServer(
                () => new Shout(),
                "127.0.0.1",
                0,
                { keepAlive },
              );
              const { port } = server.sockets[0].addr as Deno.NetAddr;
              const peer = lineClient(port, 5);
              assert.equal(yield* fromPromise(peer.readLine()), "connected");
              // The reply means the server made the transport (and set the option).
              assert.equal(yield* fromPromise(peer.readLine()), "PING");
              assert.deepEqual(keepAliveOn(port), [keepAlive]);
              assert.equal((yield* fromPromise(peer.finish())).code, 0);
              yield* closeServer(server);
            }())
          ),
      );
    }
  },
);

peerTest(
  "createServer({ startServing: false }): a python3 client's connection waits, unanswered, until startServing()",
  ["python3"],
  () =>
    withClients(() =>
      run(function* () {
        let made = 0;
        const server = yield* getRunningLoop().createServer(
          () => {
            made++;
            return new Shout();
          },
          "127.0.0.1",
          0,
          { startServing: false },
        );
        const { port } = server.sockets[0].addr as Deno.NetAddr;
        // The client's wait for a reply (0.3 s) runs out before serving starts.
        const early = lineClient(port, 0.3);
        // Deno listens at once: the kernel completes the handshake...
        assert.equal(yield* fromPromise(early.readLine()), "connected");
        // ...but no protocol is made and nothing answers.
        assert.equal(yield* fromPromise(early.readLine()), "timeout");
        assert.equal(made, 0);
        assert.equal(server.isServing(), false);
        yield* server.startServing();
        // The queued connection is served now; so is a new one.
        for (let i = 0; i < 1000 && made === 0; i++) yield* sleep(0.002);
        assert.equal(made, 1);
        const late = lineClient(port, 5);
        assert.equal(yield* fromPromise(late.readLine()), "connected");
        assert.equal(yield* fromPromise(late.readLine()), "PING");
        assert.equal(made, 2);
        assert.equal((yield* fromPromise(early.finish())).code, 0);
        assert.equal((yield* fromPromise(late.finish())).code, 0);
        yield* closeServer(server);
      }())
    ),
);

Deno.test("createServer({ reuseAddress: true }) rebinds a port whose connection the server closed first (TIME_WAIT)", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const first = yield* loop.createServer(
      () => new Shout(),
      "127.0.0.1",
      0,
      { reuseAddress: true },
    );
    const { port } = first.sockets[0].addr as Deno.NetAddr;
    const client = yield* fromPromise(
      Deno.connect({ hostname: "127.0.0.1", port }),
    );
    yield* fromPromise(client.write(enc.encode("x")));
    yield* fromPromise(client.read(new Uint8Array(1)));
    // The server's side closes first, so its end of the connection, on
    // the listening port, goes to TIME_WAIT.
    first.close();
    first.closeClients();
    yield* first.waitClosed();
    client.close();
    for (let i = 0; i < 500 && !timeWaitOn(port); i++) yield* sleep(0.002);
    assert.ok(timeWaitOn(port), "the old connection is in TIME_WAIT");
    const second = yield* loop.createServer(
      () => new Shout(),
      "127.0.0.1",
      port,
      { reuseAddress: true },
    );
    assert.equal((second.sockets[0].addr as Deno.NetAddr).port, port);
    yield* closeServer(second);
  }());
});

Deno.test("createUnixServer/startUnixServer({ ssl }) refuse before anything listens: no plaintext for a caller who asked for TLS", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tls.sock`;
  try {
    const calls: [string, () => Coroutine<unknown>][] = [
      [
        "loop.createUnixServer",
        () =>
          getRunningLoop().createUnixServer(() => new Protocol(), path, {
            ssl: { cert: CERT, key: KEY } as never,
          }),
      ],
      [
        "startUnixServer",
        () =>
          startUnixServer(
            (_r: StreamReader, w: StreamWriter) => w.close(),
            path,
            {
              ssl: true as never,
            },
          ),
      ],
    ];
    for (const [name, call] of calls) {
      await t.step(name, async () => {
        const error = await run(function* () {
          try {
            yield* call();
          } catch (error) {
            return error;
          }
          assert.fail("expected a refusal");
        }());
        assert.ok(error instanceof TypeError, `got ${error}`);
        assert.match(
          error.message,
          /'ssl' is not supported over Unix sockets: Deno can speak TLS over TCP only/,
        );
        // No socket file: nothing listened, even for a moment.
        assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound);
      });
    }
    await t.step(
      "openUnixConnection({ ssl: true }) connects nothing",
      async () => {
        const listener = Deno.listen({ transport: "unix", path });
        try {
          const error = await run(function* () {
            try {
              yield* openUnixConnection(path, { ssl: true as never });
            } catch (error) {
              return error;
            }
            assert.fail("expected a refusal");
          }());
          assert.ok(error instanceof TypeError, `got ${error}`);
          assert.match(
            error.message,
            /'ssl' is not supported over Unix sockets/,
          );
          // The first connection the listener sees is this probe's.
          const probe = await Deno.connect({ transport: "unix", path });
          await probe.write(enc.encode("p"));
          const first = await listener.accept();
          const buf = new Uint8Array(1);
          assert.equal(await first.read(buf), 1);
          first.close();
          probe.close();
        } finally {
          listener.close();
        }
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs `code` in a child Deno with `flags`; returns its stdout lines. */
async function child(flags: string[], code: string): Promise<string[]> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-prompt", ...flags, file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  const lines = dec.decode(out.stdout).trim().split("\n");
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return lines;
}

Deno.test("createConnection() to a name Deno grants only by name (--allow-net=localhost:PORT) connects through the name; per-address options say why they cannot", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  const mod = JSON.stringify(
    new URL("../../eventloop/mod.ts", import.meta.url).href,
  );
  try {
    const lines = await child(
      [`--allow-net=localhost:${port}`],
      `
      import { AF_INET, getRunningLoop, Protocol, run } from ${mod};
      for (const options of [{}, { happyEyeballsDelay: 0.1 }, { family: AF_INET }, { allErrors: true }]) {
        try {
          await run(function* () {
            const [t] = yield* getRunningLoop().createConnection(() => new Protocol(), "localhost", ${port}, options);
            console.log("connected to " + t.getExtraInfo("peername").hostname);
            t.close();
          }());
        } catch (error) {
          console.log(error.name + ": " + error.message);
        }
      }
    `,
    );
    assert.equal(lines[0], "connected to 127.0.0.1");
    assert.equal(lines[1], "connected to 127.0.0.1");
    for (
      const [line, name] of [[lines[2], "family"], [lines[3], "allErrors"]]
    ) {
      assert.match(
        line,
        new RegExp(
          `^NotCapable: Cannot create connection with '${name}' as Deno grants net access to "localhost" by name only`,
        ),
      );
    }
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

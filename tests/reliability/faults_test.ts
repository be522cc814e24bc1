// Faults on loopback with real peers: resets, half-closes, servers closed
// under their clients, refused connections, untrusted certificates, a child
// that dies mid-communicate, a transport that errors under readExactly. Each
// ends in the documented error at the documented place, and nothing rejects
// unobserved or is reported as never retrieved.

import assert from "node:assert/strict";
import {
  type ExceptionContext,
  type Future,
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  fromPromise,
  gather,
  sleep,
  waitFor,
} from "../../tasks/mod.ts";
import {
  IncompleteReadError,
  openConnection,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";
import { createSubprocessExec, PIPE } from "../../subprocess/mod.ts";
import { collectGarbage } from "../eventloop/_gc.ts";
import { reliabilityTest } from "./_harness.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const data = (name: string) =>
  Deno.readTextFileSync(new URL(`../testdata/${name}`, import.meta.url));

/** After close(): waits for the close, whatever error the connection had. */
function* closedAnyhow(writer: StreamWriter): Coroutine<void> {
  try {
    yield* writer.waitClosed();
  } catch (error) {
    if (
      !(error instanceof Deno.errors.ConnectionReset) &&
      !(error instanceof Deno.errors.BrokenPipe)
    ) throw error;
  }
}

function* catching(
  source: Coroutine<unknown> | Future<unknown>,
): Coroutine<unknown> {
  try {
    yield* source;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function portOf(server: { sockets: { addr: Deno.Addr }[] }): number {
  return (server.sockets[0].addr as Deno.NetAddr).port;
}

/** Records what reaches the running loop's exception handler. */
function recordExceptions(): ExceptionContext[] {
  const seen: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => {
    seen.push(context);
  });
  return seen;
}

/** A raw peer that reads one byte, then closes with data unread (a reset). */
function resettingPeer(): { port: number; done: Promise<void>; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = listener.accept().then(async (conn) => {
    await conn.read(new Uint8Array(1));
    conn.close();
  });
  return {
    port: (listener.addr as Deno.NetAddr).port,
    done,
    close: () => listener.close(),
  };
}

reliabilityTest(
  "a peer that resets mid-write: the writer's error is not reported as never retrieved when nobody waits for the close",
  async () => {
    const peer = resettingPeer();
    await run(function* () {
      const seen = recordExceptions();
      function* writeUntilReset(): Coroutine<unknown> {
        const [, writer] = yield* openConnection("127.0.0.1", peer.port);
        writer.write(enc("more than the peer will read"));
        yield* writer.drain();
        yield* fromPromise(peer.done);
        for (let i = 0; i < 1000 && !writer.isClosing(); i++) {
          writer.write(enc("are you there?"));
          yield* sleep(0.001);
        }
        assert.ok(writer.isClosing(), "the reset closed the writer");
        // Give connectionLost its pass; then drop the writer unawaited, as a
        // server callback that returns without waitClosed() does.
        yield* sleep(0.01);
        // The documented place: drain() throws the connection's error.
        const error = yield* catching(writer.drain());
        assert.ok(
          error instanceof Deno.errors.BrokenPipe ||
            error instanceof Deno.errors.ConnectionReset,
          `drain() threw ${error}`,
        );
        return writer.transport.isClosing();
      }
      assert.equal(yield* writeUntilReset(), true);
      yield* fromPromise(collectGarbage());
      yield* sleep(0);
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
    peer.close();
  },
);

reliabilityTest(
  "a Deno peer that closes with data unread (a FIN, then a reset): readExactly() throws IncompleteReadError with what arrived",
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const peer = listener.accept().then(async (conn) => {
      await conn.write(enc("abc"));
      // Close with our request unread: Deno shuts its write side down (a
      // FIN) before the kernel sends the reset, so the client reads EOF.
      await conn.read(new Uint8Array(1));
      conn.close();
    });
    await run(function* () {
      const seen = recordExceptions();
      const [reader, writer] = yield* openConnection(
        "127.0.0.1",
        (listener.addr as Deno.NetAddr).port,
      );
      const waiting = createTask(reader.readExactly(10));
      writer.write(enc("request that will not all be read"));
      yield* writer.drain();
      const error = yield* catching(waiting);
      assert.ok(error instanceof IncompleteReadError, `got ${error}`);
      assert.equal(dec(error.partial), "abc");
      assert.equal(error.expected, 10);
      writer.close();
      yield* closedAnyhow(writer);
      yield* fromPromise(peer);
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
    listener.close();
  },
);

/** A Protocol that records its events. */
class Events extends Protocol {
  events: string[] = [];
  lost = getRunningLoop().createFuture<void>();
  override connectionMade(transport: Transport): void {
    transport.write(enc("go\n"));
  }
  override dataReceived(data: Uint8Array): void {
    this.events.push(`data ${dec(data)}`);
  }
  override eofReceived(): void {
    this.events.push("eof");
  }
  override connectionLost(error: Error | null): void {
    this.events.push(`lost ${error?.name ?? null}`);
    this.lost.setResult();
  }
}

peerTest(
  "a Python peer that resets (SO_LINGER 0) while a read waits: readExactly() and waitClosed() throw ConnectionReset, a Protocol gets connectionLost(ConnectionReset), as in asyncio",
  ["python3"],
  async () => {
    await using peer = PeerProcess.python("reset_server.py", ["2"]);
    const port = Number(await peer.readLine());
    await run(function* () {
      const seen = recordExceptions();
      const [reader, writer] = yield* openConnection("127.0.0.1", port);
      const waiting = createTask(reader.readExactly(10));
      writer.write(enc("go\n"));
      const error = yield* catching(waiting);
      assert.ok(error instanceof Deno.errors.ConnectionReset, `got ${error}`);
      assert.equal(reader.exception(), error);
      assert.equal(yield* catching(writer.waitClosed()), error);

      const [, protocol] = yield* getRunningLoop().createConnection(
        () => new Events(),
        "127.0.0.1",
        port,
      );
      yield* protocol.lost;
      assert.deepEqual(protocol.events, ["data abc", "lost ConnectionReset"]);
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
    assert.equal((await peer.finish()).code, 0);
  },
);

reliabilityTest(
  "half-close from either side: the other side reads EOF and can still answer",
  async (t) => {
    await t.step("the client writes EOF first", async () => {
      await run(function* () {
        const server = yield* startServer(
          function* (reader: StreamReader, writer: StreamWriter) {
            const all = yield* reader.read();
            assert.ok(reader.atEof());
            writer.write(enc(`got ${dec(all)}`));
            writer.close();
            yield* writer.waitClosed();
          },
          "127.0.0.1",
          0,
        );
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          portOf(server),
        );
        writer.write(enc("question"));
        writer.writeEof();
        assert.equal(dec(yield* reader.read()), "got question");
        assert.equal((yield* reader.read()).length, 0);
        writer.close();
        yield* writer.waitClosed();
        server.close();
        yield* server.waitClosed();
      }());
    });
    await t.step("the server writes EOF first", async () => {
      await run(function* () {
        let heard = "";
        const server = yield* startServer(
          function* (reader: StreamReader, writer: StreamWriter) {
            writer.write(enc("hello, then EOF"));
            writer.writeEof();
            heard = dec(yield* reader.readExactly(3));
            writer.close();
            yield* writer.waitClosed();
          },
          "127.0.0.1",
          0,
        );
        const [reader, writer] = yield* openConnection(
          "127.0.0.1",
          portOf(server),
        );
        assert.equal(dec(yield* reader.read(100)), "hello, then EOF");
        assert.equal((yield* reader.read()).length, 0, "EOF");
        assert.ok(reader.atEof());
        const tail = yield* catching(reader.readExactly(1));
        assert.ok(tail instanceof IncompleteReadError);
        assert.equal(tail.partial.length, 0);
        writer.write(enc("ack"));
        yield* writer.drain();
        writer.close();
        yield* writer.waitClosed();
        server.close();
        yield* server.waitClosed();
        assert.equal(heard, "ack");
      }());
    });
  },
);

reliabilityTest(
  "a server closed while clients are attached: closeClients() gives them EOF, abortClients() drops them; waitClosed() returns",
  async (t) => {
    for (const how of ["closeClients", "abortClients"] as const) {
      await t.step(how, async () => {
        await run(function* () {
          const seen = recordExceptions();
          const handlers: string[] = [];
          const server = yield* startServer(
            function* (reader: StreamReader, writer: StreamWriter) {
              writer.write(enc("welcome\n"));
              try {
                // Waits for a line that never comes.
                yield* reader.readLine();
                handlers.push("eof");
              } catch (error) {
                handlers.push(`error ${(error as Error).name}`);
              }
            },
            "127.0.0.1",
            0,
          );
          const clients = [];
          for (let i = 0; i < 3; i++) {
            const [reader, writer] = yield* openConnection(
              "127.0.0.1",
              portOf(server),
            );
            assert.equal(dec(yield* reader.readLine()), "welcome\n");
            clients.push({ reader, writer });
          }
          const reads = clients.map(({ reader }) =>
            createTask(function* () {
              try {
                return (yield* reader.read()).length === 0 ? "eof" : "data";
              } catch (error) {
                return `error ${(error as Error).name}`;
              }
            }())
          );
          yield* sleep(0.01);
          server.close();
          assert.equal(server.isServing(), false);
          if (how === "closeClients") server.closeClients();
          else server.abortClients();
          yield* server.waitClosed();
          const outcomes = yield* gather(reads);
          if (how === "closeClients") {
            assert.deepEqual(outcomes, ["eof", "eof", "eof"]);
          } else {
            // An aborting Deno side sends a FIN before its reset: EOF.
            for (const o of outcomes) {
              assert.ok(o === "eof" || o === "error ConnectionReset", o);
            }
          }
          for (const { writer } of clients) {
            writer.close();
            yield* closedAnyhow(writer);
          }
          yield* sleep(0.01);
          assert.equal(handlers.length, 3, `handlers ended: ${handlers}`);
          assert.deepEqual(seen.map((c) => c.message), []);
        }());
      });
    }
  },
);

reliabilityTest(
  "connecting to a closed port throws ConnectionRefused from openConnection()",
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await run(function* () {
      const error = yield* catching(openConnection("127.0.0.1", port));
      assert.ok(error instanceof Deno.errors.ConnectionRefused, `${error}`);
    }());
  },
);

reliabilityTest(
  "a TLS handshake with an untrusted certificate fails in openConnection(); the server keeps serving",
  async () => {
    await run(function* () {
      const seen = recordExceptions();
      const server = yield* startServer(
        function* (_reader: StreamReader, writer: StreamWriter) {
          writer.write(enc("secret"));
          writer.close();
          yield* writer.waitClosed();
        },
        "127.0.0.1",
        0,
        {
          ssl: {
            cert: data("tls_localhost.pem"),
            key: data("tls_localhost.key"),
          },
        },
      );
      const error = yield* catching(
        openConnection("localhost", portOf(server), {
          ssl: { caCerts: [data("tls_other_ca.pem")] },
        }),
      );
      assert.ok(error instanceof Error);
      assert.match(error.message, /certificate|UnknownIssuer|invalid peer/i);
      // The same server still serves a client that trusts it.
      const [reader, writer] = yield* openConnection(
        "localhost",
        portOf(server),
        {
          ssl: { caCerts: [data("tls_ca.pem")] },
        },
      );
      assert.equal(dec(yield* reader.read()), "secret");
      writer.close();
      yield* closedAnyhow(writer);
      server.close();
      server.closeClients();
      yield* server.waitClosed();
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
  },
);

reliabilityTest(
  "a child that dies mid-communicate(): communicate() returns what it wrote, returncode is -9",
  async () => {
    await run(function* () {
      const seen = recordExceptions();
      // Reads one line, says so, then kills itself with its stdin unread.
      const proc = yield* createSubprocessExec("sh", [
        "-c",
        'read line; echo "got $line"; kill -9 $$',
      ], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
      const input = new Uint8Array(4 * 1024 * 1024).fill(0x61);
      input[0] = 0x68;
      input[1] = 0x69;
      input[2] = 0x0a;
      const [out, err] = yield* proc.communicate(input);
      assert.equal(dec(out!), "got hi\n");
      assert.equal(err!.length, 0);
      assert.equal(proc.returncode, -9);
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
  },
);

/** Closes a connection that a finished pipe may have closed already. */
function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource)) throw error;
  }
}

/**
 * A TCP relay in front of a TLS server: it passes the handshake and the data
 * through, then, on `inject()`, sends the client bytes that are no TLS record,
 * so the client's transport fails on read.
 */
function corruptingRelay(tlsPort: number) {
  const front = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let inject!: () => void;
  const injected = new Promise<void>((resolve) => inject = resolve);
  const done = front.accept().then(async (conn) => {
    const back = await Deno.connect({ hostname: "127.0.0.1", port: tlsPort });
    const up = conn.readable.pipeTo(back.writable).catch(() => {});
    const buf = new Uint8Array(65536);
    const down = (async () => {
      while (true) {
        const n = await back.read(buf).catch(() => null);
        if (n === null) return;
        await conn.write(buf.subarray(0, n)).catch(() => {});
      }
    })();
    await injected;
    await conn.write(new Uint8Array(64).fill(0x17));
    await new Promise((resolve) => setTimeout(resolve, 50));
    closeQuietly(back);
    await Promise.all([up, down]);
    closeQuietly(conn);
  });
  return {
    port: (front.addr as Deno.NetAddr).port,
    inject,
    done,
    close: () => front.close(),
  };
}

reliabilityTest(
  "a transport that errors while a task waits in readExactly(): the task gets the transport's error, so do reader.exception() and waitClosed(); nothing is reported",
  async () => {
    await run(function* () {
      const seen = recordExceptions();
      let serverSide: unknown = null;
      // Settled once the server's read has its outcome, so the clients are
      // not closed under it first (that would end its read cleanly).
      const serverRead = getRunningLoop().createFuture<void>();
      const server = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          writer.write(enc("hello"));
          try {
            yield* reader.readLine();
          } catch (error) {
            serverSide = error;
          } finally {
            serverRead.setResult();
          }
          writer.close();
        },
        "127.0.0.1",
        0,
        {
          ssl: {
            cert: data("tls_localhost.pem"),
            key: data("tls_localhost.key"),
          },
        },
      );
      const relay = corruptingRelay(portOf(server));
      const [reader, writer] = yield* openConnection("localhost", relay.port, {
        ssl: { caCerts: [data("tls_ca.pem")] },
      });
      assert.equal(dec(yield* reader.readExactly(5)), "hello");
      const waiting = createTask(reader.readExactly(10));
      yield* sleep(0.01);
      relay.inject();
      const error = yield* catching(waiting);
      assert.ok(error instanceof Deno.errors.InvalidData, `got ${error}`);
      assert.equal(reader.exception(), error);
      writer.close();
      assert.equal(yield* catching(writer.waitClosed()), error);
      yield* fromPromise(relay.done);
      yield* waitFor(serverRead, 5);
      relay.close();
      server.close();
      server.closeClients();
      yield* server.waitClosed();
      // The server's side of the relay saw a broken TLS stream too.
      assert.ok(serverSide instanceof Error, `server side: ${serverSide}`);
      assert.deepEqual(seen.map((c) => `${c.message}: ${c.exception}`), []);
    }());
  },
);

// No network option is accepted and ignored: for every entry point
// (loop.createConnection, createServer, createUnixConnection,
// createUnixServer, createDatagramEndpoint, startTls; openConnection,
// startServer, openUnixConnection, startUnixServer; writer.startTls), every
// option gets a non-default value and either shows its effect or throws a
// clear error. The tables are typed over `keyof Required<Options>` and
// compared at run time with the names each entry point accepts, so a new
// option without a row here fails to type-check or fails this test.

import assert from "node:assert/strict";
import {
  AF_INET6,
  AI_NUMERICHOST,
  type CreateConnectionOptions,
  type CreateServerOptions,
  type CreateUnixConnectionOptions,
  type CreateUnixServerOptions,
  type DatagramEndpointOptions,
  DatagramProtocol,
  EventLoop,
  GaiError,
  getRunningLoop,
  IPPROTO_TCP,
  IPPROTO_UDP,
  Protocol,
  run,
  type Server,
  SOCK_STREAM,
  type SockAddr,
  type StartTlsOptions,
  TimeoutError,
  type Transport,
} from "../../eventloop/mod.ts";
import {
  type Coroutine,
  ExceptionGroup,
  fromPromise,
  sleep,
  waitFor,
} from "../../tasks/mod.ts";
import {
  LimitOverrunError,
  openConnection,
  type OpenConnectionOptions,
  openUnixConnection,
  type OpenUnixConnectionOptions,
  startServer,
  type StartServerOptions,
  startUnixServer,
  type StartUnixServerOptions,
  type StreamWriterStartTlsOptions,
} from "../../streams/mod.ts";
import {
  CREATE_CONNECTION_OPTIONS,
  CREATE_SERVER_OPTIONS,
  CREATE_UNIX_CONNECTION_OPTIONS,
  CREATE_UNIX_SERVER_OPTIONS,
  DATAGRAM_ENDPOINT_OPTIONS,
  type OptionNames,
  START_TLS_OPTIONS,
} from "../../eventloop/_options.ts";
import {
  OPEN_CONNECTION_OPTIONS,
  OPEN_UNIX_CONNECTION_OPTIONS,
  START_SERVER_OPTIONS,
  START_UNIX_SERVER_OPTIONS,
  WRITER_START_TLS_OPTIONS,
} from "../../streams/_options.ts";
import { blackhole, freePort, keepAliveOn } from "./_net_fixtures.ts";
import { PeerProcess, type PeerProgram, peerTest } from "../_peers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const testdata = (name: string) =>
  new URL(`../testdata/${name}`, import.meta.url).pathname;
const CA = Deno.readTextFileSync(testdata("tls_ca.pem"));
const CERT = Deno.readTextFileSync(testdata("tls_localhost.pem"));
const KEY = Deno.readTextFileSync(testdata("tls_localhost.key"));

type Options = Record<string, unknown>;
type ErrorClass = new (...args: never[]) => Error;

/**
 * One option's row: a value other than its default, and a check that calls
 * the entry point with `{ [name]: value }` (the driver builds that object,
 * so no row can forget to pass its option) and asserts the effect or the
 * error.
 */
interface Case {
  value: unknown;
  check(options: Options): Promise<void>;
}

/** A row for each member of the options interface `T`. */
type Cases<T> = { [K in keyof Required<T>]: Case };

/** The error `coro` throws (fails if it returns). */
function* failure(coro: Coroutine<unknown>): Coroutine<unknown> {
  try {
    yield* coro;
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to throw");
}

/**
 * A row for an option that is refused: the call throws `error` naming the
 * option, and `after` checks that nothing was opened.
 */
function refused(
  value: unknown,
  call: (options: Options) => Coroutine<unknown>,
  error: ErrorClass = TypeError,
  after: () => void | Promise<void> = () => {},
): Case {
  return {
    value,
    async check(options) {
      const name = Object.keys(options)[0];
      const caught = await run(failure(call(options)));
      assert.ok(caught instanceof error, `${name}: got ${caught}`);
      assert.match((caught as Error).message, new RegExp(`'${name}'`));
      await after();
    },
  };
}

/** A row whose option makes name resolution fail with this GaiError code. */
function resolves(
  value: unknown,
  code: string,
  call: (options: Options) => Coroutine<unknown>,
): Case {
  return {
    value,
    async check(options) {
      const caught = await run(failure(call(options)));
      assert.ok(caught instanceof GaiError, `got ${caught}`);
      assert.equal(caught.code, code);
    },
  };
}

// ---- Connections ----

/** What a connection entry point gives back, whichever API made it. */
interface Connected {
  extra(name: string): unknown;
  close(): void;
}

/** Connects through one entry point (the loop's, or the streams'). */
type Connect = (
  host: string,
  port: number,
  options: Options,
) => Coroutine<Connected>;

const loopConnect: Connect = function* (host, port, options) {
  const [transport] = yield* getRunningLoop().createConnection(
    () => new Protocol(),
    host,
    port,
    options,
  );
  return {
    extra: (name) => transport.getExtraInfo(name),
    close: () => transport.close(),
  };
};

const streamsConnect: Connect = function* (host, port, options) {
  const [, writer] = yield* openConnection(host, port, options);
  return {
    extra: (name) => writer.getExtraInfo(name),
    close: () => writer.close(),
  };
};

/** A TLS listener that completes one handshake and closes. */
function tlsServer(): { port: number; done: Promise<void>; close(): void } {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: CERT,
    key: KEY,
  });
  const done = listener.accept().then(async (conn) => {
    await conn.handshake().catch(() => {});
    await conn.read(new Uint8Array(16)).catch(() => null);
    conn.close();
  });
  return {
    port: (listener.addr as Deno.NetAddr).port,
    done,
    close: () => listener.close(),
  };
}

/** Connects with `options`, then returns the extra info asked for. */
async function connectAndRead(
  connect: Connect,
  host: string,
  port: number,
  options: Options,
  names: string[],
): Promise<unknown[]> {
  return await run(function* () {
    const conn = yield* connect(host, port, options);
    const values = names.map((name) => conn.extra(name));
    conn.close();
    return values;
  }());
}

/** A loop that resolves dual.test to fixed addresses (see happy_eyeballs_test.ts). */
class FixedResolverLoop extends EventLoop {
  constructor(readonly fixed: SockAddr[]) {
    super();
  }
  override *getaddrinfo(host: string | null, port: number | string | null) {
    if (host !== "dual.test") return yield* super.getaddrinfo(host, port);
    return this.fixed.map((
      sockaddr,
    ) =>
      [sockaddr.length === 4 ? AF_INET6 : 2, SOCK_STREAM, 6, "", sockaddr] as [
        number,
        number,
        number,
        string,
        SockAddr,
      ]
    );
  }
}

function connectionCases(connect: Connect): Cases<CreateConnectionOptions> {
  const call = (options: Options) => connect("127.0.0.1", 9, options);
  return {
    ssl: {
      value: { caCerts: [CA] },
      async check(options) {
        const server = tlsServer();
        try {
          const [tls] = await connectAndRead(
            connect,
            "localhost",
            server.port,
            options,
            ["tls"],
          );
          assert.equal(tls, true);
          await server.done;
        } finally {
          server.close();
        }
      },
    },
    serverHostname: {
      value: "localhost",
      async check(options) {
        const server = tlsServer();
        try {
          const [name] = await connectAndRead(
            connect,
            "127.0.0.1",
            server.port,
            { ssl: { caCerts: [CA] }, ...options },
            ["serverHostname"],
          );
          assert.equal(name, "localhost");
          await server.done;
        } finally {
          server.close();
        }
      },
    },
    sslHandshakeTimeout: {
      value: 0.05,
      async check(options) {
        // A TCP listener that never answers the handshake.
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const accepted = listener.accept();
        try {
          const error = await run(failure(waitFor(
            connect(
              "localhost",
              (listener.addr as Deno.NetAddr).port,
              { ssl: { caCerts: [CA] }, ...options },
            ),
            5,
          )));
          assert.ok(error instanceof TimeoutError, `got ${error}`);
          assert.match(error.message, /TLS handshake/);
          (await accepted).close();
        } finally {
          listener.close();
        }
      },
    },
    sslShutdownTimeout: refused(5, call),
    family: resolves(AF_INET6, "EAI_ADDRFAMILY", call),
    proto: resolves(IPPROTO_UDP, "EAI_SOCKTYPE", call),
    flags: resolves(
      AI_NUMERICHOST,
      "EAI_NONAME",
      (options) => connect("localhost", 9, options),
    ),
    happyEyeballsDelay: {
      value: 0.02,
      async check(options) {
        // ::1 never answers; without racing the connection would hang.
        const hole = await blackhole("::1");
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const accepted = listener.accept();
        try {
          const loopFactory = () =>
            new FixedResolverLoop([
              ["::1", hole.port, 0, 0],
              ["127.0.0.1", (listener.addr as Deno.NetAddr).port],
            ]);
          const [peer] = await run(
            function* () {
              const conn = yield* connect("dual.test", 9, options);
              const peer = conn.extra("peername") as Deno.NetAddr;
              conn.close();
              return [peer.hostname];
            }(),
            { loopFactory },
          );
          assert.equal(peer, "127.0.0.1");
          (await accepted).close();
        } finally {
          listener.close();
          hole.close();
        }
      },
    },
    interleave: {
      value: 1,
      async check(options) {
        const [a, b, c] = [freePort("::1"), freePort("::1"), freePort()];
        const loopFactory = () =>
          new FixedResolverLoop([["::1", a, 0, 0], ["::1", b, 0, 0], [
            "127.0.0.1",
            c,
          ]]);
        const error = await run(
          failure(connect("dual.test", 9, { ...options, allErrors: true })),
          { loopFactory },
        );
        assert.ok(error instanceof ExceptionGroup, `got ${error}`);
        const tried = (error.errors as Error[]).map((e) =>
          /\((connecting to \S+)\)/.exec(e.message)?.[1]
        );
        assert.deepEqual(tried, [
          `connecting to [::1]:${a}`,
          `connecting to 127.0.0.1:${c}`,
          `connecting to [::1]:${b}`,
        ]);
      },
    },
    allErrors: {
      value: true,
      async check(options) {
        const error = await run(
          failure(connect("127.0.0.1", freePort(), options)),
        );
        assert.ok(error instanceof ExceptionGroup, `got ${error}`);
        assert.ok(error.errors[0] instanceof Deno.errors.ConnectionRefused);
      },
    },
    localAddr: refused(["127.0.0.1", 0], call),
    sock: refused({}, call),
  };
}

// ---- Unix connections ----

type UnixConnect = (path: string, options: Options) => Coroutine<Connected>;

const loopUnixConnect: UnixConnect = function* (path, options) {
  const [transport] = yield* getRunningLoop().createUnixConnection(
    () => new Protocol(),
    path,
    options,
  );
  return {
    extra: (n) => transport.getExtraInfo(n),
    close: () => transport.close(),
  };
};

const streamsUnixConnect: UnixConnect = function* (path, options) {
  const [, writer] = yield* openUnixConnection(path, options);
  return { extra: (n) => writer.getExtraInfo(n), close: () => writer.close() };
};

/**
 * A refused option of a Unix connection: the listening socket must not see
 * a connection (the first it accepts afterwards is the check's own).
 */
function unixRefused(value: unknown, connect: UnixConnect): Case {
  return {
    value,
    async check(options) {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/s.sock`;
      const listener = Deno.listen({ transport: "unix", path });
      try {
        await refused(value, (o) => connect(path, o)).check(options);
        const probe = await Deno.connect({ transport: "unix", path });
        const first = await listener.accept();
        // The listener's first connection is the probe: the refused call
        // connected nothing. (The probe's peer sees what it writes.)
        await probe.write(enc.encode("p"));
        const buf = new Uint8Array(1);
        assert.equal(await first.read(buf), 1);
        assert.equal(dec.decode(buf), "p");
        first.close();
        probe.close();
      } finally {
        listener.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

function unixConnectionCases(
  connect: UnixConnect,
): Cases<CreateUnixConnectionOptions> {
  return {
    ssl: unixRefused(true, connect),
    serverHostname: unixRefused("localhost", connect),
    sslHandshakeTimeout: unixRefused(5, connect),
    sslShutdownTimeout: unixRefused(5, connect),
    sock: unixRefused({}, connect),
  };
}

// ---- Servers ----

/** Serves through one entry point; `made` counts the protocols made. */
type Serve = (
  host: string | null,
  port: number,
  options: Options,
  made: { count: number },
) => Coroutine<Server>;

const loopServe: Serve = function* (host, port, options, made) {
  return yield* getRunningLoop().createServer(
    () => {
      made.count++;
      return new Protocol();
    },
    host,
    port,
    options,
  );
};

const streamsServe: Serve = function* (host, port, options, made) {
  return yield* startServer(
    (_reader, writer) => {
      made.count++;
      writer.close();
    },
    host,
    port,
    options,
  );
};

function* closeServer(server: Server): Coroutine<void> {
  server.close();
  server.closeClients();
  yield* server.waitClosed();
}

/** A refused server option: the port it was asked for stays free. */
function serverRefused(value: unknown, serve: Serve): Case {
  return {
    value,
    async check(options) {
      const port = freePort();
      await refused(
        value,
        (o) => serve("127.0.0.1", port, o, { count: 0 }),
        TypeError,
        () => Deno.listen({ hostname: "127.0.0.1", port }).close(),
      ).check(options);
    },
  };
}

function serverCases(serve: Serve): Cases<CreateServerOptions> {
  return {
    ssl: {
      value: { cert: CERT, key: KEY },
      async check(options) {
        await run(function* () {
          const server = yield* serve("127.0.0.1", 0, options, { count: 0 });
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          const conn = yield* fromPromise(
            Deno.connectTls({ hostname: "localhost", port, caCerts: [CA] }),
          );
          const info = yield* fromPromise(conn.handshake());
          assert.equal(info.alpnProtocol, null);
          conn.close();
          yield* closeServer(server);
        }());
      },
    },
    sslHandshakeTimeout: {
      value: 0.05,
      async check(options) {
        await run(function* () {
          const server = yield* serve(
            "127.0.0.1",
            0,
            { ssl: { cert: CERT, key: KEY }, ...options },
            { count: 0 },
          );
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          // A client that never starts its handshake is given up after
          // the timeout, so waitClosed() returns (with the default of 60 s
          // it would not within the bound). Deno does not shut the socket
          // of a TLS connection closed mid-handshake, so the client itself
          // sees nothing.
          const conn = yield* fromPromise(
            Deno.connect({ hostname: "127.0.0.1", port }),
          );
          yield* sleep(0.01);
          server.close();
          yield* waitFor(server.waitClosed(), 5);
          conn.close();
        }());
      },
    },
    sslShutdownTimeout: serverRefused(5, serve),
    backlog: {
      value: 0,
      async check(options) {
        // Not serving, with a backlog of 0: the kernel queues one
        // connection; the next one waits for room.
        await run(function* () {
          const server = yield* serve(
            "127.0.0.1",
            0,
            { startServing: false, ...options },
            { count: 0 },
          );
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          const first = yield* fromPromise(
            Deno.connect({ hostname: "127.0.0.1", port }),
          );
          const giveUp = new AbortController();
          const timer = setTimeout(() => giveUp.abort(), 300);
          const second = yield* fromPromise(
            Deno.connect({ hostname: "127.0.0.1", port, signal: giveUp.signal })
              .then((conn) => {
                conn.close();
                return "connected";
              }, (error) => error.name),
          );
          clearTimeout(timer);
          assert.equal(
            second,
            "AbortError",
            "the second connection waits for room",
          );
          first.close();
          yield* closeServer(server);
        }());
      },
    },
    startServing: {
      value: false,
      async check(options) {
        await run(function* () {
          const made = { count: 0 };
          const server = yield* serve("127.0.0.1", 0, options, made);
          assert.equal(server.isServing(), false);
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          const conn = yield* fromPromise(
            Deno.connect({ hostname: "127.0.0.1", port }),
          );
          yield* sleep(0.05);
          assert.equal(made.count, 0, "no protocol before startServing()");
          yield* server.startServing();
          for (let i = 0; i < 500 && made.count === 0; i++) yield* sleep(0.002);
          assert.equal(made.count, 1);
          conn.close();
          yield* closeServer(server);
        }());
      },
    },
    reusePort: {
      value: true,
      async check(options) {
        // This suite runs without --unstable-net, so Deno cannot set
        // SO_REUSEPORT: a clear error, and nothing listens.
        assert.equal(
          typeof (Deno as { listenDatagram?: unknown }).listenDatagram,
          "undefined",
        );
        const port = freePort();
        const error = await run(
          failure(serve("127.0.0.1", port, options, { count: 0 })),
        );
        assert.ok(error instanceof Error, `got ${error}`);
        assert.match(error.message, /'reusePort'.*--unstable-net/);
        Deno.listen({ hostname: "127.0.0.1", port }).close();
      },
    },
    reuseAddress: serverRefused(false, serve),
    keepAlive: {
      value: true,
      async check(options) {
        await run(function* () {
          const server = yield* serve("127.0.0.1", 0, options, { count: 0 });
          const { port } = server.sockets[0].addr as Deno.NetAddr;
          const conn = yield* fromPromise(
            Deno.connect({ hostname: "127.0.0.1", port }),
          );
          for (let i = 0; i < 500 && keepAliveOn(port).length === 0; i++) {
            yield* sleep(0.002);
          }
          assert.deepEqual(keepAliveOn(port), [true]);
          conn.close();
          yield* closeServer(server);
        }());
      },
    },
    family: {
      value: AF_INET6,
      async check(options) {
        await run(function* () {
          const server = yield* serve(null, 0, options, { count: 0 });
          assert.equal((server.sockets[0].addr as Deno.NetAddr).hostname, "::");
          yield* closeServer(server);
        }());
      },
    },
    flags: {
      value: AI_NUMERICHOST,
      async check(options) {
        // "localhost" is a name: resolving it with AI_NUMERICHOST fails,
        // and nothing listens on the port asked for.
        const port = freePort();
        const error = await run(
          failure(serve("localhost", port, options, { count: 0 })),
        );
        assert.ok(error instanceof GaiError, `got ${error}`);
        assert.equal(error.code, "EAI_NONAME");
        Deno.listen({ hostname: "127.0.0.1", port }).close();
      },
    },
    sock: serverRefused({}, serve),
  };
}

// ---- Unix servers ----

type UnixServe = (
  path: string,
  options: Options,
  made: { count: number },
) => Coroutine<Server>;

const loopUnixServe: UnixServe = function* (path, options, made) {
  return yield* getRunningLoop().createUnixServer(
    () => {
      made.count++;
      return new Protocol();
    },
    path,
    options,
  );
};

const streamsUnixServe: UnixServe = function* (path, options, made) {
  return yield* startUnixServer(
    (_r, w) => {
      made.count++;
      w.close();
    },
    path,
    options,
  );
};

/** A refused Unix server option: no socket file appears at the path. */
function unixServerRefused(value: unknown, serve: UnixServe): Case {
  return {
    value,
    async check(options) {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/s.sock`;
      try {
        await refused(
          value,
          (o) => serve(path, o, { count: 0 }),
          TypeError,
          () => {
            assert.throws(() => Deno.lstatSync(path), Deno.errors.NotFound);
          },
        ).check(options);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

function unixServerCases(serve: UnixServe): Cases<CreateUnixServerOptions> {
  return {
    ssl: unixServerRefused({ cert: CERT, key: KEY }, serve),
    sslHandshakeTimeout: unixServerRefused(5, serve),
    sslShutdownTimeout: unixServerRefused(5, serve),
    backlog: unixServerRefused(5, serve),
    startServing: {
      value: false,
      async check(options) {
        const dir = await Deno.makeTempDir();
        const path = `${dir}/s.sock`;
        try {
          await run(function* () {
            const made = { count: 0 };
            const server = yield* serve(path, options, made);
            const conn = yield* fromPromise(
              Deno.connect({ transport: "unix", path }),
            );
            yield* sleep(0.05);
            assert.equal(made.count, 0, "no protocol before startServing()");
            yield* server.startServing();
            for (let i = 0; i < 500 && made.count === 0; i++) {
              yield* sleep(0.002);
            }
            assert.equal(made.count, 1);
            conn.close();
            yield* closeServer(server);
          }());
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    },
    cleanupSocket: unixServerRefused(false, serve),
    sock: unixServerRefused({}, serve),
  };
}

// ---- Datagram endpoints ----

/** Collects datagrams and errors. */
class Collector extends DatagramProtocol {
  got = getRunningLoop().createFuture<string>();
  errors: Error[] = [];
  override datagramReceived(data: Uint8Array): void {
    if (!this.got.done()) this.got.setResult(dec.decode(data));
  }
  override errorReceived(error: Error): void {
    this.errors.push(error);
  }
}

function* endpoint(options: Options) {
  return yield* getRunningLoop().createDatagramEndpoint(
    () => new Collector(),
    options,
  );
}

/** A refused datagram option: the local port it named stays free. */
function datagramRefused(
  value: unknown,
  error: ErrorClass = TypeError,
  code?: string,
  host = "127.0.0.1",
): Case {
  return {
    value,
    async check(options) {
      const port = freePort();
      const caught = await run(
        failure(endpoint({ localAddr: [host, port], ...options })),
      );
      assert.ok(caught instanceof error, `got ${caught}`);
      if (code !== undefined) assert.equal((caught as GaiError).code, code);
      else {assert.match(
          (caught as Error).message,
          new RegExp(`'${Object.keys(options)[0]}'`),
        );}
      // Nothing is bound there.
      const probe = Deno.listen({ hostname: "127.0.0.1", port });
      probe.close();
    },
  };
}

const datagramCases: Cases<DatagramEndpointOptions> = {
  localAddr: {
    value: ["127.0.0.1", 0],
    async check(options) {
      await run(function* () {
        const [transport] = yield* endpoint(options);
        const addr = transport.getExtraInfo("sockname") as Deno.NetAddr;
        assert.equal(addr.hostname, "127.0.0.1");
        assert.ok(addr.port > 0);
        transport.close();
      }());
    },
  },
  remoteAddr: {
    // The walk gives this value; the check points it at a receiver bound to
    // a port the system picked (a port probed free for TCP may not be for UDP).
    value: ["127.0.0.1", 9],
    async check(options) {
      await run(function* () {
        const [server, receiver] = yield* endpoint({
          localAddr: ["127.0.0.1", 0],
        });
        const port = (server.getExtraInfo("sockname") as Deno.NetAddr).port;
        const [client] = yield* endpoint({
          ...options,
          remoteAddr: ["127.0.0.1", port],
        });
        client.sendto(enc.encode("to the default peer"));
        assert.equal(yield* receiver.got, "to the default peer");
        client.close();
        server.close();
      }());
    },
  },
  allowBroadcast: {
    value: true,
    async check(options) {
      await run(function* () {
        const [transport, protocol] = yield* endpoint({
          localAddr: ["0.0.0.0", 0],
          ...options,
        });
        transport.sendto(enc.encode("x"), ["255.255.255.255", 9]);
        yield* sleep(0.05);
        assert.deepEqual(protocol.errors, [], "broadcast is allowed");
        transport.close();
        // Without it, the kernel refuses the same send.
        const [plain, refused] = yield* endpoint({ localAddr: ["0.0.0.0", 0] });
        plain.sendto(enc.encode("x"), ["255.255.255.255", 9]);
        for (let i = 0; i < 200 && refused.errors.length === 0; i++) {
          yield* sleep(0.002);
        }
        assert.equal(refused.errors.length, 1);
        plain.close();
      }());
    },
  },
  reusePort: datagramRefused(true),
  reuseAddress: datagramRefused(true),
  family: datagramRefused(AF_INET6, GaiError, "EAI_ADDRFAMILY"),
  proto: datagramRefused(IPPROTO_TCP, GaiError, "EAI_SOCKTYPE"),
  flags: datagramRefused(AI_NUMERICHOST, GaiError, "EAI_NONAME", "localhost"),
  sock: datagramRefused({}),
};
// ---- startTls ----

/** Upgrades through one entry point; returns the TLS extra info. */
type StartTls = (port: number, options: Options) => Coroutine<unknown>;

/** Waits for the SMTP-style go-ahead ("220 go ahead") to STARTTLS. */
class GoAhead extends Protocol {
  text = "";
  go = getRunningLoop().createFuture<void>();
  override dataReceived(data: Uint8Array): void {
    this.text += dec.decode(data);
    if (this.text.endsWith("220 go ahead\r\n") && !this.go.done()) {
      this.go.setResult();
    }
  }
}

const loopStartTls: StartTls = function* (port, options) {
  const loop = getRunningLoop();
  const [plain, protocol] = yield* loop.createConnection(
    () => new GoAhead(),
    "127.0.0.1",
    port,
  );
  plain.write(enc.encode("STARTTLS\r\n"));
  yield* protocol.go;
  let secure: Transport;
  try {
    secure = yield* loop.startTls(plain, protocol, { caCerts: [CA] }, options);
  } catch (error) {
    plain.close();
    throw error;
  }
  const extra = [
    secure.getExtraInfo("tls"),
    secure.getExtraInfo("serverHostname"),
  ];
  secure.close();
  return extra;
};

const writerStartTls: StartTls = function* (port, options) {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  writer.write(enc.encode("STARTTLS\r\n"));
  assert.equal(dec.decode(yield* reader.readLine()), "220 ready\r\n");
  assert.equal(dec.decode(yield* reader.readLine()), "220 go ahead\r\n");
  try {
    yield* writer.startTls({ caCerts: [CA] }, options);
  } catch (error) {
    writer.close();
    throw error;
  }
  const extra = [
    writer.getExtraInfo("tls"),
    writer.getExtraInfo("serverHostname"),
  ];
  writer.close();
  return extra;
};

/** tests/peers/starttls_server.py (Python's ssl), for one connection. */
async function withStartTlsPeer(body: (port: number) => Promise<void>) {
  await using peer = PeerProcess.python("starttls_server.py", [
    testdata("tls_localhost.pem"),
    testdata("tls_localhost.key"),
    "1",
  ]);
  await body(Number(await peer.readLine()));
  const result = await peer.finish();
  assert.equal(result.code, 0, result.stderr);
}

/**
 * A Deno server that speaks the same STARTTLS greeting and go-ahead but
 * never starts its side of the handshake (for the timeout and the
 * refusals, which must reach the option check on a live connection).
 */
function silentStartTlsServer(): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      handlers.push((async () => {
        const buf = new Uint8Array(64);
        await conn.write(enc.encode("220 ready\r\n")).catch(() => 0);
        await conn.read(buf).catch(() => null);
        await conn.write(enc.encode("220 go ahead\r\n")).catch(() => 0);
        // Then silence, until close() (Deno does not shut the socket of a
        // TLS connection given up mid-handshake, so no EOF may come).
        while ((await conn.read(buf).catch(() => null)) !== null) {
          // Reads and drops the client's hello.
        }
      })());
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of conns) conn.close();
      await Promise.all(handlers);
    },
  };
}

/** Runs `body` against a fresh silentStartTlsServer(), then closes it. */
function* withSilentServer(
  body: (port: number) => Coroutine<unknown>,
): Coroutine<unknown> {
  const server = silentStartTlsServer();
  try {
    return yield* body(server.port);
  } finally {
    yield* fromPromise(server.close());
  }
}

function startTlsCases(startTls: StartTls): Cases<StreamWriterStartTlsOptions> {
  return {
    serverHostname: {
      value: "localhost",
      async check(options) {
        await withStartTlsPeer(async (port) => {
          const extra = await run(startTls(port, options));
          assert.deepEqual(extra, [true, "localhost"]);
        });
      },
    },
    sslHandshakeTimeout: {
      value: 0.1,
      async check(options) {
        const error = await run(failure(withSilentServer((port) =>
          waitFor(
            startTls(port, { serverHostname: "localhost", ...options }),
            5,
          )
        )));
        assert.ok(error instanceof TimeoutError, `got ${error}`);
        assert.match(error.message, /TLS handshake/);
      },
    },
    sslShutdownTimeout: {
      value: 5,
      async check(options) {
        const error = await run(
          failure(withSilentServer((port) => startTls(port, options))),
        );
        assert.ok(error instanceof TypeError, `got ${error}`);
        assert.match(error.message, /'sslShutdownTimeout' is not supported/);
      },
    },
  };
}

const loopStartTlsCases: Cases<StartTlsOptions> = {
  ...startTlsCases(loopStartTls),
  serverSide: {
    value: true,
    async check(options) {
      const error = await run(
        failure(withSilentServer((port) => loopStartTls(port, options))),
      );
      assert.ok(error instanceof TypeError, `got ${error}`);
      assert.match(error.message, /'serverSide' is not supported/);
    },
  },
};

// ---- limit, the streams' own option ----

/**
 * The reader's limit: with a limit of 3, reading the line "hello\n" fails
 * with an Error caused by LimitOverrunError (it would succeed with the
 * default limit of 64 KiB).
 */
const limitCase = (open: (options: Options) => Coroutine<unknown>): Case => ({
  value: 3,
  async check(options) {
    const error = await run(open(options));
    assert.ok(error instanceof Error, `got ${error}`);
    assert.ok(error.cause instanceof LimitOverrunError, `got ${error.cause}`);
  },
});

/** What reading one line gives: the line, or the error. */
function* readOneLine(
  reader: { readLine(): Coroutine<Uint8Array> },
): Coroutine<unknown> {
  try {
    return dec.decode(yield* reader.readLine());
  } catch (error) {
    return error;
  }
}

// ---- The walk ----

interface EntryPoint {
  name: string;
  /** The real peers some of its rows need. */
  needs?: PeerProgram[];
  names: Readonly<Record<string, true>>;
  cases: Record<string, Case>;
  /** Calls it with options (for the unknown-name rows). */
  call(options: Options): Coroutine<unknown>;
}

const names = <T>(record: OptionNames<T>) =>
  record as Readonly<Record<string, true>>;

const entryPoints: EntryPoint[] = [
  {
    name: "loop.createConnection",
    names: names(CREATE_CONNECTION_OPTIONS),
    cases: connectionCases(loopConnect),
    call: (o) => loopConnect("127.0.0.1", 9, o),
  },
  {
    name: "openConnection",
    names: names(OPEN_CONNECTION_OPTIONS),
    cases: {
      ...connectionCases(streamsConnect),
      limit: limitCase(function* (options) {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const served = listener.accept().then(async (c) => {
          await c.write(enc.encode("hello\n"));
          await c.read(new Uint8Array(1)).catch(() => null);
          c.close();
        });
        try {
          const [reader, writer] = yield* openConnection(
            "127.0.0.1",
            (listener.addr as Deno.NetAddr).port,
            options,
          );
          const result = yield* readOneLine(reader);
          writer.close();
          yield* fromPromise(served);
          return result;
        } finally {
          listener.close();
        }
      }),
    } satisfies Cases<OpenConnectionOptions>,
    call: (o) => streamsConnect("127.0.0.1", 9, o),
  },
  {
    name: "loop.createUnixConnection",
    names: names(CREATE_UNIX_CONNECTION_OPTIONS),
    cases: unixConnectionCases(loopUnixConnect),
    call: (o) => loopUnixConnect("/nonexistent/s.sock", o),
  },
  {
    name: "openUnixConnection",
    names: names(OPEN_UNIX_CONNECTION_OPTIONS),
    cases: {
      ...unixConnectionCases(streamsUnixConnect),
      limit: limitCase(function* (options) {
        const dir = Deno.makeTempDirSync();
        const path = `${dir}/s.sock`;
        const listener = Deno.listen({ transport: "unix", path });
        const served = listener.accept().then(async (c) => {
          await c.write(enc.encode("hello\n"));
          await c.read(new Uint8Array(1)).catch(() => null);
          c.close();
        });
        try {
          const [reader, writer] = yield* openUnixConnection(path, options);
          const result = yield* readOneLine(reader);
          writer.close();
          yield* fromPromise(served);
          return result;
        } finally {
          listener.close();
          Deno.removeSync(dir, { recursive: true });
        }
      }),
    } satisfies Cases<OpenUnixConnectionOptions>,
    call: (o) => streamsUnixConnect("/nonexistent/s.sock", o),
  },
  {
    name: "loop.createServer",
    names: names(CREATE_SERVER_OPTIONS),
    cases: serverCases(loopServe),
    call: (o) => loopServe("127.0.0.1", 0, o, { count: 0 }),
  },
  {
    name: "startServer",
    names: names(START_SERVER_OPTIONS),
    cases: {
      ...serverCases(streamsServe),
      limit: limitCase(function* (options) {
        let seen: unknown = undefined;
        const server = yield* startServer(
          function* (reader, writer) {
            seen = yield* readOneLine(reader);
            writer.close();
          },
          "127.0.0.1",
          0,
          options,
        );
        const conn = yield* fromPromise(
          Deno.connect({
            hostname: "127.0.0.1",
            port: (server.sockets[0].addr as Deno.NetAddr).port,
          }),
        );
        yield* fromPromise(conn.write(enc.encode("hello\n")));
        for (let i = 0; i < 500 && seen === undefined; i++) yield* sleep(0.002);
        conn.close();
        yield* closeServer(server);
        return seen;
      }),
    } satisfies Cases<StartServerOptions>,
    call: (o) => streamsServe("127.0.0.1", 0, o, { count: 0 }),
  },
  {
    name: "loop.createUnixServer",
    names: names(CREATE_UNIX_SERVER_OPTIONS),
    cases: unixServerCases(loopUnixServe),
    call: (o) => loopUnixServe("/nonexistent/s.sock", o, { count: 0 }),
  },
  {
    name: "startUnixServer",
    names: names(START_UNIX_SERVER_OPTIONS),
    cases: {
      ...unixServerCases(streamsUnixServe),
      limit: limitCase(function* (options) {
        const dir = Deno.makeTempDirSync();
        const path = `${dir}/s.sock`;
        let seen: unknown = undefined;
        const server = yield* startUnixServer(
          function* (reader, writer) {
            seen = yield* readOneLine(reader);
            writer.close();
          },
          path,
          options,
        );
        const conn = yield* fromPromise(
          Deno.connect({ transport: "unix", path }),
        );
        yield* fromPromise(conn.write(enc.encode("hello\n")));
        for (let i = 0; i < 500 && seen === undefined; i++) yield* sleep(0.002);
        conn.close();
        yield* closeServer(server);
        Deno.removeSync(dir, { recursive: true });
        return seen;
      }),
    } satisfies Cases<StartUnixServerOptions>,
    call: (o) => streamsUnixServe("/nonexistent/s.sock", o, { count: 0 }),
  },
  {
    name: "loop.createDatagramEndpoint",
    names: names(DATAGRAM_ENDPOINT_OPTIONS),
    cases: datagramCases,
    call: (o) => endpoint(o),
  },
  {
    name: "loop.startTls",
    needs: ["python3"],
    names: names(START_TLS_OPTIONS),
    cases: loopStartTlsCases,
    call: (o) => withSilentServer((port) => loopStartTls(port, o)),
  },
  {
    name: "writer.startTls",
    needs: ["python3"],
    names: names(WRITER_START_TLS_OPTIONS),
    cases: startTlsCases(writerStartTls),
    call: (o) => withSilentServer((port) => writerStartTls(port, o)),
  },
];

for (const entry of entryPoints) {
  peerTest(
    `${entry.name}(): every option shows its effect or throws a clear error`,
    entry.needs ?? [],
    async (t) => {
      assert.deepEqual(
        Object.keys(entry.cases).sort(),
        Object.keys(entry.names).sort(),
        "every option the entry point accepts has a row, and no other",
      );
      for (const [name, row] of Object.entries(entry.cases)) {
        assert.notEqual(row.value, undefined, `${name}: a non-default value`);
        const shown = JSON.stringify(row.value);
        await t.step(
          `${name}: ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}`,
          () => row.check({ [name]: row.value }),
        );
      }
    },
  );
}

Deno.test("every network entry point refuses an unknown option, a Python spelling and a non-object, naming them", async (t) => {
  for (const entry of entryPoints) {
    await t.step(entry.name, async () => {
      const valid = Object.keys(entry.names);
      const camel = valid.find((n) => /[A-Z]/.test(n)) ?? valid[0];
      const python = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const rows: [Options, RegExp][] = [
        [
          { bogusOption: 1 },
          /'bogusOption' is not one of its options: the options are /,
        ],
        [
          { [python]: 1 },
          new RegExp(
            `'${python}' is not one of its options \\(did you mean '${camel}'\\?\\)`,
          ),
        ],
      ];
      for (const [options, message] of rows) {
        const error = await run(failure(waitFor(entry.call(options), 5)));
        assert.ok(
          error instanceof TypeError,
          `${entry.name} ${JSON.stringify(options)}: got ${error}`,
        );
        assert.match(error.message, message);
        for (const name of valid) {
          assert.ok(error.message.includes(name), `lists '${name}'`);
        }
      }
      const error = await run(
        failure(waitFor(entry.call(5 as unknown as Options), 5)),
      );
      assert.ok(error instanceof TypeError, `got ${error}`);
      assert.match(error.message, /'options' must be an object: received 5/);
    });
  }
});

// isOSError() / isConnectionError(): real failures from Deno, node:dgram and
// python3 peers, classified the way Python's `except OSError:` and `except
// ConnectionError:` would.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  CancelledError,
  getRunningLoop,
  isConnectionError,
  isOSError,
  Protocol,
  run,
  TimeoutError,
} from "../../eventloop/mod.ts";
import { waitFor } from "../../tasks/mod.ts";
import { openConnection } from "../../streams/mod.ts";

function test(name: string, fn: () => Promise<void> | void) {
  Deno.test({ name, fn, sanitizeOps: true, sanitizeResources: true });
}

/** Runs `body` and returns what it threw. */
async function thrown(body: () => Promise<unknown>): Promise<unknown> {
  try {
    await body();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

test("isOSError()/isConnectionError(): a refused connection is both", async () => {
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (free.addr as Deno.NetAddr).port;
  free.close();
  const error = await thrown(() =>
    run(function* () {
      yield* getRunningLoop().createConnection(
        () => new Protocol(),
        "127.0.0.1",
        port,
      );
    }())
  );
  assert.ok(error instanceof Deno.errors.ConnectionRefused);
  assert.equal(isOSError(error), true);
  assert.equal(isConnectionError(error), true);
});

test("isConnectionError(): a reset from a python3 peer (SO_LINGER 0) is one", async () => {
  const peer = new Deno.Command("python3", {
    args: [
      "-c",
      [
        "import socket, struct",
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
        "print(s.getsockname()[1], flush=True)",
        "c, _ = s.accept(); c.recv(100)",
        "c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
        "c.close()",
      ].join("\n"),
    ],
    stdout: "piped",
  }).spawn();
  const lines = peer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await lines.read()).value);
  const error = await thrown(() =>
    run(function* () {
      const [reader, writer] = yield* openConnection("127.0.0.1", port);
      writer.write(new TextEncoder().encode("hello"));
      try {
        yield* reader.read(); // the reset arrives here
        yield* reader.read();
      } finally {
        writer.close();
      }
    }())
  );
  await lines.cancel();
  assert.equal((await peer.status).code, 0);
  assert.ok(error instanceof Deno.errors.ConnectionReset, String(error));
  assert.equal(isConnectionError(error), true);
  assert.equal(isOSError(error), true);
});

test("isOSError(): file errors and a failed TLS handshake are, but are not connection errors", async () => {
  const missing = await thrown(() => Deno.readFile("/nonexistent/asyncio"));
  assert.equal(isOSError(missing), true);
  assert.equal(isConnectionError(missing), false);
  const dir = Deno.makeTempDirSync();
  const directory = await thrown(() => Deno.readFile(dir));
  Deno.removeSync(dir);
  assert.equal(isOSError(directory), true);

  // A plain-text server: the TLS client gets InvalidData (Python's
  // ssl.SSLError, an OSError).
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = listener.accept().then(async (conn) => {
    await conn.write(new TextEncoder().encode("HTTP/1.0 400 not TLS\r\n\r\n"));
    conn.close();
  });
  const tlsError = await thrown(() =>
    run(function* () {
      yield* getRunningLoop().createConnection(
        () => new Protocol(),
        "127.0.0.1",
        (listener.addr as Deno.NetAddr).port,
        { ssl: true },
      );
    }())
  );
  await served;
  listener.close();
  assert.ok(tlsError instanceof Error, String(tlsError));
  assert.equal(isOSError(tlsError), true, String(tlsError));
  assert.equal(isConnectionError(tlsError), false);
});

test("isOSError(): node:dgram's system errors are; isConnectionError() reads their code", async () => {
  const first = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => first.bind(0, "127.0.0.1", resolve));
  const port = first.address().port;
  const second = dgram.createSocket("udp4");
  const error = await new Promise<Error>((resolve) => {
    second.once("error", resolve);
    second.bind(port, "127.0.0.1");
  });
  await new Promise<void>((resolve) => second.close(() => resolve()));
  await new Promise<void>((resolve) => first.close(() => resolve()));
  assert.equal((error as Error & { code: string }).code, "EADDRINUSE");
  assert.equal(isOSError(error), true);
  assert.equal(isConnectionError(error), false);
  const refused = Object.assign(new Error("connect ECONNREFUSED"), {
    code: "ECONNREFUSED",
    errno: -111,
    syscall: "connect",
  });
  assert.equal(isConnectionError(refused), true);
});

test("isOSError(): asyncio's TimeoutError is one (an OSError since Python 3.11)", async () => {
  const error = await thrown(() =>
    run(function* () {
      const never = getRunningLoop().createFuture();
      yield* waitFor(never, 0.01);
    }())
  );
  assert.ok(error instanceof TimeoutError);
  assert.equal(isOSError(error), true);
  assert.equal(isConnectionError(error), false);
});

test("isOSError(): a failed host name lookup (a plain Error from Deno) is one", () => {
  // The text Deno.connect() gives when the resolver fails (Python's
  // socket.gaierror); tests may not query a real resolver.
  const error = new Error(
    "failed to lookup address information: Name or service not known",
  );
  assert.equal(isOSError(error), true);
});

test("isOSError()/isConnectionError(): programming errors, cancellation and missing permissions are not", async () => {
  for (
    const error of [
      new TypeError("bad argument"),
      new RangeError("out of range"),
      new CancelledError(),
      new Deno.errors.NotCapable("Requires net access"),
      new Error("plain"),
      "a string",
      null,
      undefined,
      { name: "ConnectionReset", message: "not an Error" },
    ]
  ) {
    assert.equal(isOSError(error), false, String(error));
    assert.equal(isConnectionError(error), false, String(error));
  }
  // And one from a real call: Deno.connect without --allow-net.
  const dir = Deno.makeTempDirSync();
  const script = `${dir}/no_net.ts`;
  Deno.writeTextFileSync(
    script,
    `import { isOSError } from ${
      JSON.stringify(new URL("../../eventloop/mod.ts", import.meta.url).href)
    };
try { await Deno.connect({ hostname: "127.0.0.1", port: 9 }); }
catch (e) { console.log(e.name, isOSError(e)); }
`,
  );
  try {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-check", script],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(
      new TextDecoder().decode(child.stdout).trim(),
      "NotCapable false",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

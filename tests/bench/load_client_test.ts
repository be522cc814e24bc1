// The external load client of the network benchmarks (bench/load/) cannot
// rot: the C client builds and the Deno fallback runs, each drives a tiny
// bounded load against echo servers and prints its JSON line, stops by
// itself on its count and on its deadline, and fails loudly on a wrong echo.
// No timing is checked here: speed is the bench's business.

import assert from "node:assert/strict";
import {
  buildCClient,
  denoClient,
  type EchoResult,
  findCompiler,
  holdIdle,
  type LoadClient,
  runEcho,
} from "../../bench/load/_client.ts";
import { DENO_KINDS, startEchoServer } from "../../bench/load/_deno_servers.ts";

const compiler = await findCompiler();
if (compiler === null) {
  console.log(
    "skipped: the C load client's tests (no cc or gcc here); the Deno fallback client is tested",
  );
}
const clients: {
  name: string;
  ignore: boolean;
  get: () => Promise<LoadClient>;
}[] = [
  {
    name: "C client",
    ignore: compiler === null,
    get: async () => ({
      kind: "c",
      command: await buildCClient(compiler!),
      prefix: [],
      note: null,
    }),
  },
  {
    name: "Deno client",
    ignore: false,
    get: () => Promise.resolve(denoClient("under test")),
  },
];

function checkResult(result: EchoResult, kind: string) {
  assert.equal(result.client, kind);
  assert.equal(result.mode, "echo");
  for (
    const key of [
      "seconds",
      "messagesPerSec",
      "mbPerSec",
      "p50Us",
      "p99Us",
    ] as const
  ) {
    assert.equal(typeof result[key], "number", key);
    assert.ok(Number.isFinite(result[key]) && result[key] > 0, key);
  }
  assert.ok(result.p50Us <= result.p99Us);
  assert.ok(
    Math.abs(result.messagesPerSec - result.messages / result.seconds) <=
      0.01 * result.messagesPerSec,
  );
  assert.ok(
    Math.abs(result.mbPerSec - result.messagesPerSec * result.size / 1e6) <=
      0.01 * result.mbPerSec + 0.001,
  );
}

/** A raw echo server that breaks its echo: `mangle` edits what it read. */
function faultyServer(mangle: ((data: Uint8Array) => void) | null) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        served.push((async () => {
          const buf = new Uint8Array(65536);
          try {
            let n: number | null;
            while ((n = await conn.read(buf)) !== null) {
              if (mangle === null) continue; // never answers
              mangle(buf.subarray(0, n));
              await conn.write(buf.subarray(0, n));
            }
          } catch { /* closed */ }
        })());
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed by its peer's end */ }
      }
      await Promise.all(served);
    },
  };
}

for (const { name, ignore, get } of clients) {
  Deno.test({
    name:
      `bench/load: the ${name} echoes through a raw Deno server, stopping on its count`,
    ignore,
    async fn() {
      const client = await get();
      const server = await startEchoServer("raw", 1000);
      try {
        const result = await runEcho(client, {
          port: server.port,
          connections: 3,
          size: 1000,
          messages: 200,
          timeMs: 4000,
        });
        checkResult(result, client.kind);
        assert.equal(result.stoppedBy, "count");
        assert.equal(result.messages, 200);
        assert.equal(result.connections, 3);
        assert.equal(result.size, 1000);
      } finally {
        await server.close();
      }
    },
  });

  Deno.test({
    name: `bench/load: the ${name} stops on its time, warm-up first`,
    ignore,
    async fn() {
      const client = await get();
      const server = await startEchoServer("raw", 70000);
      try {
        // Messages larger than a read: each echo arrives in pieces.
        const result = await runEcho(client, {
          port: server.port,
          connections: 2,
          size: 70000,
          timeMs: 150,
          warmupMs: 50,
        });
        checkResult(result, client.kind);
        assert.equal(result.stoppedBy, "time");
        assert.ok(
          result.seconds >= 0.15 && result.seconds < 1,
          `${result.seconds}`,
        );
      } finally {
        await server.close();
      }
    },
  });

  Deno.test({
    name: `bench/load: the ${name} fails on an echo that differs`,
    ignore,
    async fn() {
      const client = await get();
      let calls = 0;
      // The 5th read comes back with one byte changed.
      const server = faultyServer((data) => {
        if (++calls === 5) data[data.length - 1] ^= 1;
      });
      try {
        await assert.rejects(
          runEcho(client, {
            port: server.port,
            connections: 1,
            size: 64,
            messages: 100,
            timeMs: 4000,
          }),
          /echo differs from the message sent \(message 4,/,
        );
      } finally {
        await server.close();
      }
    },
  });

  Deno.test({
    name: `bench/load: the ${name} stops by itself when no echo comes`,
    ignore,
    async fn() {
      const client = await get();
      const server = faultyServer(null);
      try {
        await assert.rejects(
          runEcho(client, {
            port: server.port,
            connections: 2,
            size: 64,
            messages: 10,
            timeMs: 200,
          }),
          /no echo came back within 200 ms/,
        );
      } finally {
        await server.close();
      }
    },
  });

  Deno.test({
    name: `bench/load: the ${name} holds idle connections until released`,
    ignore,
    async fn() {
      const client = await get();
      const server = await startEchoServer("protocol", 1);
      try {
        const hold = await holdIdle(client, server.port, 20, 4000, null);
        await hold.release();
      } finally {
        await server.close();
      }
    },
  });

  Deno.test({
    name: `bench/load: the ${name} refuses a bad command line`,
    ignore,
    async fn() {
      const client = await get();
      const out = await new Deno.Command(client.command, {
        args: [...client.prefix, "--port", "1", "--size", "0"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 2);
      assert.match(
        new TextDecoder().decode(out.stderr),
        /--size must be an integer in \[1, 67108864\], got '0'/,
      );
      const idle = await new Deno.Command(client.command, {
        args: [...client.prefix, "--port", "1", "--idle", "5", "--size", "9"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(idle.code, 2);
      assert.match(
        new TextDecoder().decode(idle.stderr),
        /--size does not apply to --idle/,
      );
    },
  });
}

/** The client the bench would use: C where it builds, else Deno. */
const benchClient = clients.find((c) => !c.ignore)!;

Deno.test({
  name: "bench/load: every Deno echo server of the bench echoes",
  async fn() {
    const client = await benchClient.get();
    for (const kind of DENO_KINDS) {
      const server = await startEchoServer(kind, 100);
      try {
        const result = await runEcho(client, {
          port: server.port,
          connections: 2,
          size: 100,
          messages: 50,
          timeMs: 4000,
        });
        assert.equal(result.messages, 50, kind);
      } finally {
        await server.close();
      }
    }
  },
});

Deno.test({
  name: "bench/load: the Python echo servers of the bench echo",
  async fn() {
    const client = await benchClient.get();
    for (const kind of ["protocol", "streams"]) {
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command("python3", {
          args: [
            new URL("../../bench/python/echo_server.py", import.meta.url)
              .pathname,
            kind,
            "100",
            "asyncio",
          ],
          stdin: "piped",
          stdout: "piped",
        }).spawn();
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        console.log("skipped: python3 not found");
        return;
      }
      const lines = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      try {
        const port = Number((await lines.read()).value);
        const result = await runEcho(client, {
          port,
          connections: 2,
          size: 100,
          messages: 50,
          timeMs: 4000,
        });
        assert.equal(result.messages, 50, kind);
      } finally {
        await lines.cancel();
        await child.stdin.close();
        assert.ok((await child.status).success);
      }
    }
  },
});

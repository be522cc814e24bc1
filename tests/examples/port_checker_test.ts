import assert from "node:assert/strict";
import { run, type Server } from "@asyncio/asyncio/eventloop";
import { fromPromise } from "@asyncio/asyncio/tasks";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";
import type { Coroutine } from "@asyncio/asyncio/tasks";
import {
  checkAll,
  type CheckResult,
  formatTable,
  parseTarget,
} from "../../examples/port_checker.ts";
import { runExample, test } from "./_child.ts";

/** A server that answers "PONG" to each line, and one that never answers. */
function* targets(): Coroutine<
  { servers: Server[]; up: string; mute: string; refused: string }
> {
  const pong = yield* startServer(
    function* (reader: StreamReader, writer: StreamWriter) {
      while ((yield* reader.readLine()).length > 0) {
        writer.write(new TextEncoder().encode("PONG\n"));
      }
      writer.close();
    },
    "127.0.0.1",
    0,
  );
  const mute = yield* startServer(
    function* (reader: StreamReader) {
      yield* reader.read(); // until the client goes away
    },
    "127.0.0.1",
    0,
  );
  const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refused = `127.0.0.1:${(free.addr as Deno.NetAddr).port}`;
  free.close();
  const port = (s: Server) => (s.sockets[0].addr as Deno.NetAddr).port;
  return {
    servers: [pong, mute],
    up: `127.0.0.1:${port(pong)}`,
    mute: `127.0.0.1:${port(mute)}`,
    refused,
  };
}

function* closeAll(servers: Server[]): Coroutine<void> {
  for (const server of servers) {
    server.close();
    server.closeClients();
    yield* server.waitClosed();
  }
}

test("examples: parseTarget() reads host:port and [v6]:port, and names bad input", () => {
  assert.deepEqual(parseTarget("127.0.0.1:80"), {
    host: "127.0.0.1",
    port: 80,
  });
  assert.deepEqual(parseTarget("[::1]:8080"), { host: "::1", port: 8080 });
  assert.deepEqual(parseTarget("localhost:1"), { host: "localhost", port: 1 });
  for (const bad of ["localhost", "host:0", "host:65536", ":80", "a b:1"]) {
    assert.throws(() => parseTarget(bad), {
      name: "TypeError",
      message: new RegExp(`received "${bad}"`),
    });
  }
});

test("examples: checkAll() reports up, timeout, refused and an unexpected reply", async () => {
  const progress: [number, number][] = [];
  const results: CheckResult[] = await run(function* () {
    const t = yield* targets();
    try {
      const probe = { concurrency: 2, timeout: 0.3, send: "PING" };
      const first = yield* checkAll([t.up, t.mute, t.refused, t.up], {
        ...probe,
        expect: "PONG",
        onProgress: (done, total) => progress.push([done, total]),
      });
      const [unexpected] = yield* checkAll([t.up], { ...probe, expect: "OK" });
      return [...first, unexpected];
    } finally {
      yield* closeAll(t.servers);
    }
  }());
  assert.deepEqual(results.map((r) => r.status), [
    "up",
    "timeout",
    "refused",
    "up",
    "unexpected",
  ]);
  assert.equal(results[0].detail, "PONG");
  assert.equal(results[1].detail, "no answer within 0.3 s");
  assert.ok(
    results[1].seconds >= 0.29,
    `timed out after ${results[1].seconds}`,
  );
  assert.equal(results[4].detail, 'replied "PONG"');
  assert.deepEqual(progress, [[1, 4], [2, 4], [3, 4], [4, 4]]);
});

test("examples: checkAll() never runs more than 'concurrency' checks at once", async () => {
  let accepted = 0;
  const acceptedAtFirstResult: number[] = [];
  await run(function* () {
    const server = yield* startServer(
      function* (reader, writer) {
        accepted++;
        yield* reader.read(); // never replies; returns when the client closes
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const target = `127.0.0.1:${(server.sockets[0].addr as Deno.NetAddr).port}`;
    try {
      // Each check holds its slot until its timeout: the first three
      // connect at once, the fourth only after a result came in.
      const results = yield* checkAll(Array(6).fill(target), {
        concurrency: 3,
        timeout: 0.2,
        expect: "x",
        onProgress: (done) => {
          if (done === 1) acceptedAtFirstResult.push(accepted);
        },
      });
      assert.ok(results.every((r) => r.status === "timeout"));
    } finally {
      yield* closeAll([server]);
    }
  }());
  assert.deepEqual(acceptedAtFirstResult, [3]);
  assert.equal(accepted, 6);
});

test("examples: checkAll() rejects a bad concurrency or timeout before connecting", async () => {
  await assert.rejects(
    run(checkAll(["127.0.0.1:1"], { concurrency: 0, timeout: 1 })),
    { name: "RangeError", message: /'concurrency' .* received 0/ },
  );
  await assert.rejects(
    run(checkAll(["127.0.0.1:1"], { concurrency: 1, timeout: NaN })),
    { name: "RangeError", message: /'timeout' .* received NaN/ },
  );
});

test("examples: formatTable() lines up the columns and counts what is down", () => {
  const table = formatTable([
    { target: "a:1", status: "up", seconds: 0.0012, detail: "" },
    {
      target: "bbb:22",
      status: "refused",
      seconds: 0.0004,
      detail: "connection refused",
    },
  ], 0.5);
  assert.equal(
    table,
    [
      "target  status   time    detail",
      "------  -------  ------  ------------------",
      "a:1     up       1.2 ms",
      "bbb:22  refused  0.4 ms  connection refused",
      "",
      "2 targets: 1 up, 1 down, in 0.50 s",
    ].join("\n"),
  );
});

test("examples: port_checker.ts as a program: progress on stderr, the table, exit codes", async (t) => {
  await t.step("a target down exits 1", async () => {
    const out = await run(function* () {
      const targets_ = yield* targets();
      try {
        return yield* fromPromise(
          runExample("port_checker.ts", ["--allow-net=127.0.0.1"], [
            "--timeout",
            "0.3",
            "--send",
            "PING",
            "--expect",
            "PONG",
            targets_.up,
            targets_.mute,
            targets_.refused,
          ]),
        );
      } finally {
        yield* closeAll(targets_.servers);
      }
    }());
    assert.equal(out.code, 1, out.stderr);
    // One progress line per finished target (stderr is not a terminal).
    const progress = out.stderr.trimEnd().split("\n");
    assert.equal(progress.length, 3, out.stderr);
    progress.forEach((line, i) => {
      const [, done, up, down] = line.match(
        /^checked (\d)\/3: (\d) up, (\d) down$/,
      )!;
      assert.equal(Number(done), i + 1);
      assert.equal(Number(up) + Number(down), i + 1);
    });
    assert.equal(progress[2], "checked 3/3: 1 up, 2 down");
    assert.match(out.stdout, /^target +status +time +detail$/m);
    assert.match(out.stdout, /^127\.0\.0\.1:\d+ +up +[\d.]+ ms +PONG$/m);
    assert.match(
      out.stdout,
      /^127\.0\.0\.1:\d+ +timeout +[\d.]+ ms +no answer within 0\.3 s$/m,
    );
    assert.match(
      out.stdout,
      /^127\.0\.0\.1:\d+ +refused +[\d.]+ ms +connection refused$/m,
    );
    assert.match(out.stdout, /\n3 targets: 1 up, 2 down, in 0\.\d\d s$/);
  });
  await t.step("bad arguments exit 2 with the reason", async () => {
    const out = await runExample("port_checker.ts", ["--allow-net=127.0.0.1"], [
      "nonsense",
    ]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /must be host:port .*received "nonsense"/);
    const none = await runExample("port_checker.ts", ["--allow-net=127.0.0.1"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^usage: /);
  });
});

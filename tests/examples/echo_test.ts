import assert from "node:assert/strict";
import { run } from "@asyncio/asyncio/eventloop";
import { createTask, waitFor } from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import { echoServer } from "../../examples/echo_server.ts";
import { echoProtocolServer } from "../../examples/echo_protocol_server.ts";
import { echoLines } from "../../examples/echo_client.ts";
import { ExampleProcess, runExample, test } from "./_child.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

for (
  const [name, serve] of [
    ["echoServer (streams)", echoServer],
    ["echoProtocolServer (Protocol)", echoProtocolServer],
  ] as const
) {
  test(`examples: ${name} echoes the lines of several clients and stops when told`, async () => {
    const logs: string[] = [];
    const [replies, stats] = await run(function* () {
      const stop = new Event();
      let port = 0;
      const ready = new Event();
      const server = createTask(serve("127.0.0.1", 0, {
        stop,
        onListening: (p) => {
          port = p;
          ready.set();
        },
        log: (line) => logs.push(line),
      }));
      yield* ready.wait();
      const clients = [0, 1, 2].map((i) =>
        createTask(echoLines("127.0.0.1", port, [`a${i}`, `b${i}`, "é ✓"]))
      );
      const replies = [];
      for (const client of clients) replies.push(yield* client);
      stop.set();
      return [replies, yield* waitFor(server, 5)] as const;
    }());
    assert.deepEqual(replies, [0, 1, 2].map((i) => [`a${i}`, `b${i}`, "é ✓"]));
    assert.equal(stats.connections, 3);
    assert.equal(logs.filter((l) => l.endsWith(" connected")).length, 3);
    assert.equal(logs.filter((l) => l.includes(" disconnected")).length, 3);
  });
}

for (
  const [script, banner] of [
    ["echo_server.ts", /echo server listening on 127\.0\.0\.1:(\d+)/],
    [
      "echo_protocol_server.ts",
      /echo server \(Protocol\) listening on 127\.0\.0\.1:(\d+)/,
    ],
  ] as const
) {
  test(`examples: ${script} and echo_client.ts run as programs; SIGINT shuts the server down cleanly`, async () => {
    const server = new ExampleProcess(script, ["--allow-net=127.0.0.1"], [
      "--port",
      "0",
    ]);
    try {
      const [, port] = await server.waitForLine(banner);
      const client = await runExample(
        "echo_client.ts",
        ["--allow-net=127.0.0.1"],
        ["--port", port, "one", "two words"],
      );
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout, "echoed: one\nechoed: two words");
      await server.waitForLine(/disconnected/);
    } finally {
      const exited = await server.finish("SIGINT");
      assert.equal(exited.code, 0, exited.stderr);
      assert.equal(exited.stderr, "");
      assert.match(exited.stdout, /\nshut down: 1 connections, /);
    }
  });
}

test("examples: echo_client.ts reports a refused connection and exits 1", async () => {
  // A port that was free a moment ago: nothing listens on it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = await runExample("echo_client.ts", ["--allow-net=127.0.0.1"], [
    "--port",
    String(port),
  ]);
  assert.equal(client.code, 1);
  assert.match(client.stderr, /^failed: /);
});

peerTest(
  "examples: echo_server.ts handles a client that resets (a Python peer with SO_LINGER 0) cleanly: logged as a reset, nothing on stderr",
  ["python3"],
  async () => {
    const server = new ExampleProcess("echo_server.ts", [
      "--allow-net=127.0.0.1",
    ], ["--port", "0"]);
    let exited;
    try {
      const [, port] = await server.waitForLine(
        /echo server listening on 127\.0\.0\.1:(\d+)/,
      );
      await using client = PeerProcess.python("reset_client.py", [
        port,
        "hello",
        "read",
      ]);
      assert.equal(await client.readLine(), "hello");
      assert.equal((await client.finish()).code, 0);
      await server.waitForLine(/^127\.0\.0\.1:\d+ reset the connection$/);
      await server.waitForLine(/^127\.0\.0\.1:\d+ disconnected$/);
      exited = await server.finish("SIGINT");
    } finally {
      exited ??= await server.finish("SIGKILL");
    }
    assert.equal(exited.code, 0, exited.stderr);
    assert.equal(exited.stderr, "");
    assert.match(exited.stdout, /\nshut down: 1 connections, 1 lines, 6 bytes/);
  },
  { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true },
);

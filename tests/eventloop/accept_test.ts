// The accept loop against hostile and broken clients, with real peers:
// clients that reset before they are accepted (Deno's accept fails with
// NotConnected) must not stall accepting, and running out of file
// descriptors must pause accepting (logged without a stack trace, which Deno
// 2.9 cannot format without a free descriptor) and resume once descriptors
// come back, with the default exception handler.

import assert from "node:assert/strict";
import {
  type ExceptionContext,
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../eventloop/mod.ts";
import { fromPromise } from "../../tasks/mod.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

class Echo extends Protocol {
  #transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.#transport.write(data);
  }
}

peerTest(
  "Server: clients that reset before they are accepted do not stall accepting; a normal client is served within 100 ms (python3 peers)",
  ["python3"],
  async () => {
    const REQUESTS = 20;
    const { report, reported } = await run(function* () {
      const loop = getRunningLoop();
      const seen: ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => void seen.push(context));
      const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0);
      const { port } = server.sockets[0].addr as Deno.NetAddr;
      const peer = PeerProcess.python("reset_flood.py", [
        String(port),
        String(REQUESTS),
      ]);
      try {
        const line = yield* fromPromise(peer.readLine(120));
        const result = yield* fromPromise(peer.finish());
        assert.equal(result.code, 0, result.stderr);
        server.close();
        server.abortClients();
        yield* server.waitClosed();
        return {
          report: JSON.parse(line) as {
            latencies: (number | null)[];
            resets: number;
          },
          reported: seen.map((c) => c.message),
        };
      } finally {
        yield* fromPromise(peer[Symbol.asyncDispose]());
      }
    }());
    const { latencies, resets } = report;
    assert.ok(resets > 0, "the flood reset connections");
    assert.equal(latencies.length, REQUESTS);
    assert.ok(
      latencies.every((s) => s !== null),
      `every request was answered within 3 s: ${latencies}`,
    );
    const sorted = (latencies as number[]).toSorted((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    assert.ok(median <= 0.1, `median ${median} s: ${sorted}`);
    // A connection gone before it was accepted is nobody's error (asyncio
    // ignores ConnectionAbortedError there too).
    assert.deepEqual(reported, []);
  },
);

peerTest(
  "Server: running out of file descriptors (ulimit -n) pauses accepting with the default handler, logs without a stack trace, and accepting resumes (python3 peer)",
  ["python3"],
  async () => {
    const fixture = new URL(
      "./_fixtures/echo_server_until_stdin_closes.ts",
      import.meta.url,
    ).pathname;
    // The server gets 64 descriptors (Deno uses about 20 itself); the peer
    // holds 100 connections.
    const server = new PeerProcess("sh", [
      "-c",
      'ulimit -n 64 && exec "$0" run --no-config --allow-net --allow-read "$1"',
      Deno.execPath(),
      fixture,
    ], { NO_COLOR: "1" });
    await using _server = server;
    const port = await server.readLine(30);
    const peer = PeerProcess.python("fd_hog.py", [port, "100"]);
    await using _peer = peer;
    const line = await peer.readLine(60);
    const peerResult = await peer.finish();
    assert.equal(peerResult.code, 0, peerResult.stderr);
    const served = await server.finish();
    const report = JSON.parse(line) as {
      held: number;
      early_echo: boolean;
      recovered_after: number | null;
    };
    assert.equal(served.code, 0, `the server exited: ${served.stderr}`);
    assert.doesNotMatch(served.stderr, /panicked/);
    assert.equal(served.stdout.trim(), "closed");
    assert.equal(report.held, 100);
    assert.ok(report.early_echo, "connections accepted before still served");
    assert.ok(
      report.recovered_after !== null,
      `accepting resumed: ${JSON.stringify(report)}`,
    );
    // Logged through the default handler, once per pause, with no stack.
    const logged = served.stderr.match(
      /^socket\.accept\(\) out of system resource; retrying in 1 second$/gm,
    );
    assert.ok(logged !== null && logged.length >= 1, served.stderr);
    assert.match(
      served.stderr,
      /^Error: Too many open files \(os error 24\) \(no stack trace: formatting one needs a free file descriptor\)$/m,
    );
    assert.doesNotMatch(served.stderr, /^\s+at /m, "no stack trace");
  },
);

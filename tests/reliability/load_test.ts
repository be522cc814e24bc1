// Load on loopback: a streams echo server with 1,000 concurrent client
// connections, every byte verified; and a slow consumer under a fast 100 MiB
// producer, where what is buffered must stay bounded by the flow-control
// limits (asserted on buffered bytes, never on wall time). Both are bounded in
// count and in time (a timeout ends them if they stall). `RELIABILITY_STATS=1`
// prints the measured figures.

import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  gather,
  sleep,
  timeout,
  waitFor,
} from "../../tasks/mod.ts";
import { Event } from "../../sync/mod.ts";
import {
  openConnection,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";
import { reliabilityTest, Rng } from "./_harness.ts";

const STATS = Deno.env.get("RELIABILITY_STATS") !== undefined;

function portOf(server: { sockets: { addr: Deno.Addr }[] }): number {
  return (server.sockets[0].addr as Deno.NetAddr).port;
}

/** Echoes until EOF, then closes. */
function* echo(reader: StreamReader, writer: StreamWriter): Coroutine<void> {
  while (true) {
    const chunk = yield* reader.read(65536);
    if (chunk.length === 0) break;
    writer.write(chunk);
    yield* writer.drain();
  }
  writer.close();
  yield* writer.waitClosed();
}

const CLIENTS = 1000;
const BYTES_PER_CLIENT = 16 * 1024;

/** The soft limit on open files, or null where it cannot be read. */
async function openFileLimit(): Promise<number | null> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", "ulimit -n"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    return text === "unlimited" ? Infinity : Number(text) || null;
  } catch {
    return null;
  }
}

reliabilityTest(
  "load: a streams echo server serves 1,000 concurrent connections, every byte verified",
  async () => {
    // Both ends of each connection are in this process; below the limit,
    // accepts fail and the clients would wait for the timeout instead.
    const limit = await openFileLimit();
    assert.ok(
      limit === null || limit >= 2 * CLIENTS + 100,
      `this test needs 'ulimit -n' of at least ${
        2 * CLIENTS + 100
      }: it is ${limit}`,
    );
    const started = performance.now();
    const [peak, verified] = await run(function* () {
      const seen: string[] = [];
      getRunningLoop().setExceptionHandler((_loop, context) => {
        seen.push(`${context.message}: ${context.exception}`);
      });
      const server = yield* startServer(echo, "127.0.0.1", 0, {
        backlog: 1024,
      });
      const port = portOf(server);
      let open = 0;
      let peak = 0;
      let verified = 0;
      const allConnected = new Event();
      function* client(id: number): Coroutine<void> {
        const payload = new Rng(id + 1).bytes(BYTES_PER_CLIENT);
        const [reader, writer] = yield* openConnection("127.0.0.1", port);
        open++;
        peak = Math.max(peak, open);
        if (open === CLIENTS) allConnected.set();
        try {
          // Every connection is open at once before any data moves.
          yield* allConnected.wait();
          // Several writes of uneven sizes, then EOF.
          for (let at = 0; at < payload.length;) {
            const n = Math.min(
              payload.length - at,
              1 + ((id * 7919 + at) % 5000),
            );
            writer.write(payload.subarray(at, at + n));
            at += n;
            yield* writer.drain();
          }
          writer.writeEof();
          const back = yield* reader.readExactly(BYTES_PER_CLIENT);
          assert.equal((yield* reader.read()).length, 0, "EOF after the echo");
          for (let i = 0; i < back.length; i++) {
            if (back[i] !== payload[i]) {
              assert.fail(`client ${id}: byte ${i} differs`);
            }
          }
          verified += back.length;
        } finally {
          writer.close();
          yield* writer.waitClosed();
          open--;
        }
      }
      try {
        yield* waitFor(
          gather(Array.from({ length: CLIENTS }, (_, i) => client(i))),
          60,
        );
      } finally {
        server.close();
        yield* server.waitClosed();
      }
      assert.deepEqual(seen, []);
      return [peak, verified];
    }());
    assert.equal(peak, CLIENTS, "all connections were open at once");
    assert.equal(verified, CLIENTS * BYTES_PER_CLIENT);
    if (STATS) {
      console.log(
        `1,000 echo clients x ${BYTES_PER_CLIENT} B: ${
          Math.round(performance.now() - started)
        } ms`,
      );
    }
  },
);

const TOTAL = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;
const TICK = 0.01;

reliabilityTest(
  "load: a fast producer writing 100 MiB to a slow consumer stays within the write-buffer limits",
  async () => {
    const started = performance.now();
    const stats = await run(function* () {
      // The consumer reads 1 KiB a tick for its first 100 ticks (1 KiB/10 ms),
      // then, so that 100 MiB gets through in seconds, 256 KiB a tick.
      let consumed = 0;
      let readerPeak = 0;
      let limit = 0;
      let wrong = 0;
      const server = yield* startServer(
        function* (reader: StreamReader, writer: StreamWriter) {
          limit = reader.limit;
          for (let tick = 0;; tick++) {
            let budget = tick < 100 ? 1024 : 256 * 1024;
            while (budget > 0) {
              const chunk = yield* reader.read(budget);
              if (chunk.length === 0) {
                writer.close();
                return;
              }
              for (let i = 0; i < chunk.length; i++) {
                if (chunk[i] !== Math.floor((consumed + i) / CHUNK) % 251) {
                  wrong++;
                }
              }
              budget -= chunk.length;
              consumed += chunk.length;
              const buffered = /(\d+) bytes/.exec(String(reader));
              readerPeak = Math.max(readerPeak, Number(buffered?.[1] ?? 0));
            }
            yield* sleep(TICK);
          }
        },
        "127.0.0.1",
        0,
      );
      const [, writer] = yield* openConnection("127.0.0.1", portOf(server));
      const transport = writer.transport;
      const [, high] = transport.getWriteBufferLimits();
      let sent = 0;
      let writerPeak = 0;
      let drainsWaited = 0;
      let sentAfterSlowPhase = -1;
      yield* timeout(
        120,
        function* () {
          while (sent < TOTAL) {
            // A fresh buffer each time: the transport keeps the written array
            // until it is sent (as asyncio 3.12 keeps a memoryview), so refilling
            // one buffer would change bytes not yet sent.
            const chunk = new Uint8Array(CHUNK).fill(sent / CHUNK % 251);
            writer.write(chunk);
            sent += CHUNK;
            writerPeak = Math.max(writerPeak, transport.getWriteBufferSize());
            const before = transport.getWriteBufferSize();
            yield* writer.drain();
            if (before > high) drainsWaited++;
            if (sentAfterSlowPhase < 0 && consumed > 100 * 1024) {
              sentAfterSlowPhase = sent;
            }
          }
          writer.close();
          yield* writer.waitClosed();
        }(),
      );
      while (consumed < TOTAL) yield* sleep(TICK);
      server.close();
      yield* server.waitClosed();
      assert.equal(wrong, 0, "every byte arrived intact, in order");
      return {
        sent,
        consumed,
        high,
        writerPeak,
        drainsWaited,
        readerPeak,
        limit,
        sentAfterSlowPhase,
      };
    }());
    assert.equal(stats.sent, TOTAL);
    assert.equal(stats.consumed, TOTAL);
    // The producer's buffer never holds more than the high-water mark plus the
    // one write that crossed it; drain() really waited.
    assert.ok(
      stats.writerPeak <= stats.high + CHUNK,
      `write buffer peaked at ${stats.writerPeak} B (high ${stats.high})`,
    );
    assert.ok(
      stats.drainsWaited > 100,
      `drain() waited ${stats.drainsWaited}x`,
    );
    // The consumer's reader pauses its transport above twice its limit; one
    // more read of the transport may land before the pause takes effect.
    assert.ok(
      stats.readerPeak <= 2 * stats.limit + 256 * 1024,
      `reader buffer peaked at ${stats.readerPeak} B (limit ${stats.limit})`,
    );
    if (STATS) {
      console.log({
        ...stats,
        ms: Math.round(performance.now() - started),
      });
    }
  },
);

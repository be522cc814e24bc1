import assert from "node:assert/strict";
import {
  DatagramProtocol,
  getLogger,
  getRunningLoop,
  type LogRecord,
  Protocol,
  run,
  type Server,
  type Transport,
} from "../../eventloop/mod.ts";
import { fromPromise, sleep } from "../../tasks/mod.ts";
import { collectGarbage } from "./_gc.ts";

async function captureLogs(body: () => Promise<unknown>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => records.push(record);
  getLogger().addHandler(handler);
  try {
    await body();
  } finally {
    getLogger().removeHandler(handler);
  }
  return records;
}

/** Reads nothing: pauses reading as soon as it is connected. */
class Idle extends Protocol {
  override connectionMade(transport: Transport): void {
    transport.pauseReading();
  }
}

Deno.test("a server never closed is reported when its loop closes", async () => {
  let server: Server | null = null;
  const records = await captureLogs(() =>
    run(function* () {
      server = yield* getRunningLoop().createServer(
        () => new Protocol(),
        "127.0.0.1",
        0,
      );
      yield* sleep(0);
      // The mistake: no server.close() before the end.
    }())
  );
  const { port } = server!.sockets[0].addr as Deno.NetAddr;
  const mine = records.filter((r) => r.message.startsWith("Unclosed server"));
  assert.equal(mine.length, 1, records.map((r) => r.message).join("\n"));
  assert.equal(
    mine[0].message,
    `Unclosed server on 127.0.0.1:${port}: it was still open when its event loop closed, so it was closed for you (an open connection or listener would keep the program running); call close()`,
  );
  // And it was closed, so the program can end: nothing listens there now.
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    (error) =>
      error instanceof Deno.errors.ConnectionRefused ||
      error instanceof Deno.errors.ConnectionReset,
  );
  server!.close();
});

Deno.test("a transport dropped while open is reported when collected", async () => {
  let port = 0;
  const records = await captureLogs(() =>
    run(function* () {
      const loop = getRunningLoop();
      const server = yield* loop.createServer(() => new Idle(), "127.0.0.1", 0);
      port = (server.sockets[0].addr as Deno.NetAddr).port;
      const conn = yield* (function* () {
        // The mistake: the client transport is dropped without close().
        const [transport] = yield* loop.createConnection(
          () => new Idle(),
          "127.0.0.1",
          port,
        );
        return transport.getExtraInfo("conn") as Deno.Conn;
      })();
      yield* sleep(0.01);
      yield* fromPromise(collectGarbage());
      conn.close(); // what the transport should have done
      server.closeClients();
      server.close();
      yield* server.waitClosed();
    }())
  );
  const mine = records.filter((r) =>
    r.message.startsWith("Unclosed transport")
  );
  assert.equal(mine.length, 1, records.map((r) => r.message).join("\n"));
  assert.equal(
    mine[0].message,
    `Unclosed transport to 127.0.0.1:${port}: it was garbage-collected while open; call close()`,
  );
});

Deno.test("a datagram endpoint never closed is reported when its loop closes", async () => {
  let endpoint: { close(): void } | null = null;
  let port = 0;
  const records = await captureLogs(() =>
    run(function* () {
      const [transport] = yield* getRunningLoop().createDatagramEndpoint(
        () => new DatagramProtocol(),
        { localAddr: ["127.0.0.1", 0] },
      );
      endpoint = transport;
      port = (transport.getExtraInfo("sockname") as Deno.NetAddr).port;
      yield* sleep(0);
    }())
  );
  const mine = records.filter((r) => r.message.includes("datagram endpoint"));
  assert.equal(mine.length, 1, records.map((r) => r.message).join("\n"));
  assert.equal(
    mine[0].message,
    `Unclosed datagram endpoint on 127.0.0.1:${port}: it was still open when its event loop closed, so it was closed for you (an open connection or listener would keep the program running); call close()`,
  );
  endpoint!.close();
  await new Promise((resolve) => setTimeout(resolve, 10));
});

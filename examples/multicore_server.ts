// One worker of a multi-core server: a tiny HTTP server that listens with
// reusePort (SO_REUSEPORT), so that several processes share one port and
// the kernel spreads the connections among them. Start several with the
// supervisor (examples/supervisor.ts), which runs one per core.
//
//   deno run --allow-net --unstable-net examples/multicore_server.ts [--host 127.0.0.1] [--port 8080]
//
// Deno allows SO_REUSEPORT only under --unstable-net; without it the server
// says so. SIGTERM or SIGINT stops it cleanly.

import { parseArgs } from "node:util";
import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
import type { Coroutine } from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";

const encoder = new TextEncoder();

/** Options of {@linkcode serveHello}. */
export interface HelloOptions {
  /** Set it to stop the server. */
  stop: Event;
  /** Called once the server listens, with the port it got. */
  onListening?: (port: number) => void;
}

/**
 * Answers every HTTP request with "hello from worker <pid>" until `stop` is
 * set; returns how many requests it answered.
 */
export function* serveHello(
  host: string,
  port: number,
  { stop, onListening = () => {} }: HelloOptions,
): Coroutine<number> {
  let requests = 0;
  function* handle(reader: StreamReader, writer: StreamWriter) {
    try {
      // The request line and headers end with an empty line.
      while ((yield* reader.readLine()).length > 2);
      if (reader.atEof()) return;
      requests++;
      const body = encoder.encode(`hello from worker ${Deno.pid}\n`);
      writer.write(encoder.encode(
        `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n` +
          `content-length: ${body.length}\r\nconnection: close\r\n\r\n`,
      ));
      writer.write(body);
      yield* writer.drain();
    } finally {
      writer.close();
    }
  }
  const server = yield* startServer(handle, host, port, { reusePort: true });
  onListening((server.sockets[0].addr as Deno.NetAddr).port);
  yield* stop.wait();
  server.close();
  server.closeClients();
  yield* server.waitClosed();
  return requests;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8080" },
    },
  });
  let listening = false;
  try {
    await run(function* () {
      const loop = getRunningLoop();
      const stop = new Event();
      loop.addSignalHandler("SIGTERM", () => stop.set());
      loop.addSignalHandler("SIGINT", () => stop.set());
      const requests = yield* serveHello(values.host, Number(values.port), {
        stop,
        onListening: (port) => {
          listening = true;
          console.log(`worker ${Deno.pid} ready on ${values.host}:${port}`);
        },
      });
      // Said while the handlers are still there: a second signal (Ctrl-C
      // reaches the whole group, then the supervisor sends SIGTERM) must not
      // end the process before this line is out.
      console.log(`worker ${Deno.pid} stopped after ${requests} requests`);
    }());
  } catch (error) {
    // A server that cannot start (no --unstable-net for reusePort, the port
    // taken, no --allow-net) says why, without a stack trace.
    if (listening || !(error instanceof Error)) throw error;
    console.error(`multicore_server: ${error.message}`);
    Deno.exit(1);
  }
}

// A TCP echo server written with streams: every line a client sends comes
// back to it. Ctrl-C (or SIGTERM) stops it cleanly: the listener closes, the
// connected clients are closed after their pending echoes are flushed, and a
// summary is printed.
//
//   deno run --allow-net examples/echo_server.ts [--host 127.0.0.1] [--port 8888]
//
// Talk to it with examples/echo_client.ts, or `nc 127.0.0.1 8888`.

import { parseArgs } from "node:util";
import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
import type { Coroutine } from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";

/** What the server did, for the summary. */
export interface EchoStats {
  connections: number;
  lines: number;
  bytes: number;
}

/** Whether `error` means the client went away: a reset, a broken pipe. */
function isConnectionLost(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted;
}

/** Options of {@linkcode echoServer}. */
export interface EchoServerOptions {
  /** Set it to stop the server. */
  stop: Event;
  /** Called once the server listens, with the port it got. */
  onListening?: (port: number) => void;
  /** Where the log lines go. */
  log?: (line: string) => void;
}

/** Serves until `stop` is set, then closes everything and returns stats. */
export function* echoServer(
  host: string,
  port: number,
  { stop, onListening = () => {}, log = () => {} }: EchoServerOptions,
): Coroutine<EchoStats> {
  const stats: EchoStats = { connections: 0, lines: 0, bytes: 0 };

  // One coroutine per connection; startServer runs it as a task.
  function* handle(reader: StreamReader, writer: StreamWriter) {
    const peer = writer.getExtraInfo("peername") as Deno.NetAddr;
    const who = `${peer.hostname}:${peer.port}`;
    stats.connections++;
    log(`${who} connected`);
    try {
      while (true) {
        const line = yield* reader.readLine(); // "" at end of stream
        if (line.length === 0) break;
        stats.lines++;
        stats.bytes += line.length;
        writer.write(line);
        yield* writer.drain(); // back-pressure: wait if the peer is slow
      }
    } catch (error) {
      // A client that resets the connection (or is gone when its echo is
      // written) ends its session; it is not the server's error. Anything
      // else is, and startServer reports it.
      if (!isConnectionLost(error)) throw error;
      log(`${who} reset the connection`);
    } finally {
      log(`${who} disconnected`);
      writer.close();
    }
  }

  const server = yield* startServer(handle, host, port);
  onListening((server.sockets[0].addr as Deno.NetAddr).port);
  yield* stop.wait();
  server.close(); // stop accepting
  server.closeClients(); // flush and close the open connections
  yield* server.waitClosed();
  return stats;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8888" },
    },
  });
  const stats = await run(function* () {
    const loop = getRunningLoop();
    const stop = new Event();
    loop.addSignalHandler("SIGINT", () => stop.set());
    loop.addSignalHandler("SIGTERM", () => stop.set());
    return yield* echoServer(values.host, Number(values.port), {
      stop,
      onListening: (port) =>
        console.log(`echo server listening on ${values.host}:${port}`),
      log: (line) => console.log(line),
    });
  }());
  console.log(
    `shut down: ${stats.connections} connections, ${stats.lines} lines, ${stats.bytes} bytes echoed`,
  );
}

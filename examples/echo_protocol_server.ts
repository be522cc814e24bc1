// The echo server of examples/echo_server.ts written with a Protocol instead
// of streams: callbacks, no coroutine per connection. This is the lower,
// faster layer that streams are built on (see `deno task bench echo`).
//
//   deno run --allow-net examples/echo_protocol_server.ts [--host 127.0.0.1] [--port 8888]
//
// Ctrl-C (or SIGTERM) stops it cleanly.

import { parseArgs } from "node:util";
import {
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "@asyncio/asyncio/eventloop";
import type { Coroutine } from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";

/** What the server did, for the summary. */
export interface EchoStats {
  connections: number;
  bytes: number;
}

/**
 * One instance per connection. The loop calls, in order:
 * connectionMade -> dataReceived* -> eofReceived? -> connectionLost.
 */
export class EchoProtocol extends Protocol {
  #transport: Transport | null = null;
  #stats: EchoStats;
  #log: (line: string) => void;
  #who = "";

  constructor(stats: EchoStats, log: (line: string) => void) {
    super();
    this.#stats = stats;
    this.#log = log;
  }

  override connectionMade(transport: Transport): void {
    this.#transport = transport;
    const peer = transport.getExtraInfo("peername") as Deno.NetAddr;
    this.#who = `${peer.hostname}:${peer.port}`;
    this.#stats.connections++;
    this.#log(`${this.#who} connected`);
  }

  override dataReceived(data: Uint8Array): void {
    this.#stats.bytes += data.length;
    this.#transport!.write(data); // buffered by the transport, never blocks
  }

  override eofReceived(): boolean {
    return false; // the peer is done sending: close our side too
  }

  override connectionLost(error: Error | null): void {
    this.#log(`${this.#who} disconnected${error ? `: ${error.message}` : ""}`);
  }
}

/** Options of {@linkcode echoProtocolServer}. */
export interface EchoProtocolServerOptions {
  /** Set it to stop the server. */
  stop: Event;
  /** Called once the server listens, with the port it got. */
  onListening?: (port: number) => void;
  /** Where the log lines go. */
  log?: (line: string) => void;
}

/** Serves until `stop` is set, then closes everything and returns stats. */
export function* echoProtocolServer(
  host: string,
  port: number,
  { stop, onListening = () => {}, log = () => {} }: EchoProtocolServerOptions,
): Coroutine<EchoStats> {
  const stats: EchoStats = { connections: 0, bytes: 0 };
  const loop = getRunningLoop();
  const server = yield* loop.createServer(
    () => new EchoProtocol(stats, log),
    host,
    port,
  );
  onListening((server.sockets[0].addr as Deno.NetAddr).port);
  yield* stop.wait();
  server.close();
  server.closeClients();
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
    return yield* echoProtocolServer(values.host, Number(values.port), {
      stop,
      onListening: (port) =>
        console.log(
          `echo server (Protocol) listening on ${values.host}:${port}`,
        ),
      log: (line) => console.log(line),
    });
  }());
  console.log(
    `shut down: ${stats.connections} connections, ${stats.bytes} bytes echoed`,
  );
}

// The Deno echo servers of the network benchmarks, by kind. bench/load/
// echo_server.ts runs one in a process of its own for bench/network.ts;
// bench/echo_cpu.ts runs one in its own process to read its CPU time.
//
// Each echoes what it reads until the peer closes; a peer that resets (the
// idle-memory row closes its connections with a reset) ends the connection
// quietly.

import {
  BufferedProtocol,
  getRunningLoop,
  isConnectionError,
  Protocol,
  run,
  type Server,
  type Transport,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise } from "../../tasks/mod.ts";
import {
  IncompleteReadError,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../streams/mod.ts";

/** The server kinds, in the order of the tables. */
export const DENO_KINDS = [
  "raw",
  "raw-fresh",
  "protocol",
  "buffered",
  "streams-read",
  "streams-exactly",
  "streams-byob",
] as const;

/** One Deno echo server kind. */
export type DenoKind = typeof DENO_KINDS[number];

/** What each kind is, for the tables. */
export const DENO_LABELS: Record<DenoKind, string> = {
  "raw": "raw Deno (one buffer reused)",
  "raw-fresh": "raw Deno, new buffer per read",
  "protocol": "ours, Protocol",
  "buffered": "ours, BufferedProtocol",
  "streams-read": "ours, streams read()",
  "streams-exactly": "ours, streams readExactly()",
  "streams-byob": "ours, streams BYOB read",
};

/** A running server: its port, and how to stop it. */
export interface RunningServer {
  port: number;
  /** Closes the listener and every connection, and waits for it. */
  close(): Promise<void>;
}

class EchoProtocol extends Protocol {
  #transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.#transport.write(data);
  }
}

/**
 * The zero-copy echo: reads into its own buffer and, like the raw loop,
 * reads again only once the echo is written (write buffer limits of 0 turn
 * pauseWriting/resumeWriting into "write pending"/"write done").
 */
class BufferedEchoProtocol extends BufferedProtocol {
  #transport!: Transport;
  #buffer = new Uint8Array(65536);
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
    transport.setWriteBufferLimits(0, 0);
  }
  override getBuffer(_sizeHint: number): Uint8Array {
    return this.#buffer;
  }
  override bufferUpdated(nbytes: number): void {
    this.#transport.write(this.#buffer.subarray(0, nbytes));
  }
  override pauseWriting(): void {
    this.#transport.pauseReading();
  }
  override resumeWriting(): void {
    this.#transport.resumeReading();
  }
}

type Handler = (reader: StreamReader, writer: StreamWriter) => Coroutine<void>;

/** Runs a streams echo body; a reset by the peer ends it quietly. */
function streamsHandler(
  body: (reader: StreamReader, writer: StreamWriter) => Coroutine<void>,
): Handler {
  return function* (reader, writer) {
    try {
      yield* body(reader, writer);
    } catch (error) {
      if (!(error instanceof IncompleteReadError || isConnectionError(error))) {
        throw error;
      }
    }
    writer.close();
  };
}

function* readEcho(reader: StreamReader, writer: StreamWriter) {
  while (true) {
    const data = yield* reader.read(65536);
    if (data.length === 0) return;
    writer.write(data);
    yield* writer.drain();
  }
}

function exactlyEcho(size: number) {
  return function* (reader: StreamReader, writer: StreamWriter) {
    while (true) {
      writer.write(yield* reader.readExactly(size));
      yield* writer.drain();
    }
  };
}

/** Reads into one buffer of its own (StreamReader.readInto: no allocation). */
function* byobEcho(reader: StreamReader, writer: StreamWriter) {
  const buffer = new Uint8Array(65536);
  while (true) {
    const n = yield* reader.readInto(buffer);
    if (n === 0) return;
    writer.write(buffer.subarray(0, n));
    yield* writer.drain();
  }
}

function startRaw(fresh: boolean): RunningServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const served = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn) => {
    let buf = new Uint8Array(65536);
    try {
      let n: number | null;
      while ((n = await conn.read(buf)) !== null) {
        const data = buf;
        if (fresh) buf = new Uint8Array(65536);
        let off = 0;
        while (off < n) off += await conn.write(data.subarray(off, n));
      }
    } catch {
      // The client went away, or close() closed the connection.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed by close() */ }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const serving = serve(conn).finally(() => served.delete(serving));
        served.add(serving);
      }
    } catch {
      // The listener was closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await accepting;
      for (const conn of conns) conn.close();
      await Promise.all([...served]);
    },
  };
}

/** Starts a server of ours on a new loop, running until close(). */
function startOnLoop(serve: () => Coroutine<Server>): Promise<RunningServer> {
  const { promise: port, resolve: gotPort } = Promise.withResolvers<number>();
  const { promise: stop, resolve: close } = Promise.withResolvers<void>();
  const done = run(function* () {
    const server = yield* serve();
    gotPort((server.sockets[0].addr as Deno.NetAddr).port);
    yield* fromPromise(stop);
    server.close();
    server.closeClients();
    yield* server.waitClosed();
  }());
  return Promise.race([
    port.then((port) => ({
      port,
      close: async () => {
        close();
        await done;
      },
    })),
    done.then(() => {
      throw new Error("the server ended before it listened");
    }),
  ]);
}

/**
 * Starts an echo server of one kind on 127.0.0.1 and a free port.
 *
 * @param kind Which server.
 * @param size The message size (readExactly reads exactly this many bytes).
 */
export function startEchoServer(
  kind: DenoKind,
  size: number,
): Promise<RunningServer> {
  const streams = (handler: Handler) =>
    startOnLoop(() =>
      startServer(streamsHandler(handler), "127.0.0.1", 0, { limit: 65536 })
    );
  switch (kind) {
    case "raw":
      return Promise.resolve(startRaw(false));
    case "raw-fresh":
      return Promise.resolve(startRaw(true));
    case "protocol":
      return startOnLoop(() =>
        getRunningLoop().createServer(() => new EchoProtocol(), "127.0.0.1", 0)
      );
    case "buffered":
      return startOnLoop(() =>
        getRunningLoop().createServer(
          () => new BufferedEchoProtocol(),
          "127.0.0.1",
          0,
        )
      );
    case "streams-read":
      return streams(readEcho);
    case "streams-exactly":
      return streams(exactlyEcho(size));
    case "streams-byob":
      return streams(byobEcho);
  }
}

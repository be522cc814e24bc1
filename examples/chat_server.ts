// A line-based chat server: many clients, a bounded outgoing Queue per
// client (a slow reader is disconnected instead of slowing everyone down),
// and a clean shutdown on Ctrl-C through loop.addSignalHandler(): every
// client is told, its queued messages are flushed, and the server exits.
//
//   deno run --allow-net examples/chat_server.ts [--host 127.0.0.1] [--port 8888]
//
// Then, in other terminals: `nc 127.0.0.1 8888`. Commands: /who, /quit.

import { parseArgs } from "node:util";
import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  createTask,
  currentTask,
  type Task,
  wait,
} from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import { Queue, QueueFull, QueueShutDown } from "@asyncio/asyncio/queues";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How many lines may wait for a client before it counts as too slow. */
export const OUTBOX_SIZE = 100;

/** What the server did, for the summary. */
export interface ChatStats {
  clients: number;
  messages: number;
}

/** Options of {@linkcode chatServer}. */
export interface ChatServerOptions {
  /** Set it to stop the server. */
  stop: Event;
  /** Called once the server listens, with the port it got. */
  onListening?: (port: number) => void;
  /** Where the log lines go. */
  log?: (line: string) => void;
}

/** Whether `error` means the client went away: a reset, a broken pipe. */
function isConnectionLost(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted;
}

/** One connected client: its outgoing queue and its connection. */
class Client {
  readonly outbox = new Queue<string>(OUTBOX_SIZE);
  name = "";
  /** Set when the client was dropped for being too slow. */
  dropped = false;

  constructor(readonly writer: StreamWriter) {}

  /** Queues a line; a client too slow to keep up is disconnected. */
  send(line: string): void {
    try {
      this.outbox.putNowait(`${line}\n`);
    } catch (error) {
      if (error instanceof QueueShutDown) return; // already leaving
      if (!(error instanceof QueueFull)) throw error;
      this.dropped = true;
      this.outbox.shutdown(true); // drop what is queued
      this.writer.transport.abort();
    }
  }

  /** Writes queued lines until the queue is shut down and empty. */
  *sendLoop(): Coroutine<void> {
    try {
      while (true) {
        this.writer.write(encoder.encode(yield* this.outbox.get()));
        yield* this.writer.drain();
      }
    } catch (error) {
      // The end of the queue, a drain() cut short by dropping the client, or
      // a client that reset the connection (the reader sees it too).
      if (
        !(error instanceof QueueShutDown) && !this.dropped &&
        !isConnectionLost(error)
      ) throw error;
    } finally {
      this.writer.close();
    }
  }
}

/** Serves the chat until `stop` is set, then says goodbye to everyone. */
export function* chatServer(
  host: string,
  port: number,
  { stop, onListening = () => {}, log = () => {} }: ChatServerOptions,
): Coroutine<ChatStats> {
  const stats: ChatStats = { clients: 0, messages: 0 };
  const clients = new Map<string, Client>();
  const handlers = new Set<Task<void>>();

  function broadcast(line: string, except?: Client): void {
    for (const client of clients.values()) {
      if (client !== except) client.send(line);
    }
  }

  function* askName(client: Client, reader: StreamReader): Coroutine<boolean> {
    client.send("welcome! what is your name?");
    while (true) {
      const line = yield* reader.readLine();
      if (line.length === 0) return false;
      const name = decoder.decode(line).trim();
      if (!/^[\w-]{1,20}$/.test(name)) {
        client.send("a name is 1 to 20 letters, digits, - or _; try again:");
      } else if (clients.has(name)) {
        client.send(`${name} is taken; try again:`);
      } else {
        client.name = name;
        return true;
      }
    }
  }

  function* handle(reader: StreamReader, writer: StreamWriter) {
    const self = currentTask() as Task<void>;
    handlers.add(self);
    const client = new Client(writer);
    const sender = createTask(client.sendLoop());
    try {
      yield* chat(client, reader);
    } catch (error) {
      // A client that resets the connection just leaves; anything else is
      // the server's error, and startServer reports it.
      if (!isConnectionLost(error)) throw error;
      log(`${client.name || "a client"} reset the connection`);
    } finally {
      if (clients.get(client.name) === client) {
        clients.delete(client.name);
        log(`${client.name} left`);
        broadcast(`* ${client.name} left`);
      }
      client.outbox.shutdown(); // the sender flushes what is queued, then closes
      yield* sender;
      handlers.delete(self);
    }
  }

  /** One client's session, from its name to its end of stream or /quit. */
  function* chat(client: Client, reader: StreamReader): Coroutine<void> {
    if (!(yield* askName(client, reader))) return;
    clients.set(client.name, client);
    stats.clients++;
    log(`${client.name} joined`);
    client.send(`hello ${client.name}, ${clients.size} here; /who, /quit`);
    broadcast(`* ${client.name} joined`, client);
    while (true) {
      const line = yield* reader.readLine();
      if (line.length === 0) break; // end of stream
      const text = decoder.decode(line).trim();
      if (text === "/quit") break;
      if (text === "/who") {
        client.send(`* here: ${[...clients.keys()].join(", ")}`);
      } else if (text !== "") {
        stats.messages++;
        broadcast(`${client.name}: ${text}`, client);
      }
    }
  }

  const server = yield* startServer(handle, host, port);
  onListening((server.sockets[0].addr as Deno.NetAddr).port);
  yield* stop.wait();

  log(`shutting down, ${clients.size} clients connected`);
  server.close(); // no new clients
  broadcast("* server shutting down, bye");
  // Each client's sender flushes the goodbye and closes the connection; the
  // reader then sees the end of the stream and its handler finishes.
  for (const client of clients.values()) client.outbox.shutdown();
  if (handlers.size > 0) yield* wait([...handlers], { timeout: 2 });
  server.abortClients(); // anyone still there after 2 s
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
    return yield* chatServer(values.host, Number(values.port), {
      stop,
      onListening: (port) =>
        console.log(`chat server listening on ${values.host}:${port}`),
      log: (line) => console.log(line),
    });
  }());
  console.log(
    `chat server stopped: ${stats.clients} clients served, ${stats.messages} messages`,
  );
}

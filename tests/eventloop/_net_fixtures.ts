// Loopback peers for the network tests: a port nobody listens on, a port
// whose listen queue is full (a connection to it hangs, as to a host that
// drops packets), and python3 processes that act as peers.

import assert from "node:assert/strict";

/** A port that was free a moment ago: connecting to it is refused. */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A listener that never accepts, with its one-slot queue taken. */
export interface Blackhole {
  readonly port: number;
  close(): void;
}

/**
 * Listens with a backlog of 0 and fills the queue with one connection, so
 * that the kernel drops the SYNs of any further connection: a connect to
 * the port hangs until it is aborted.
 */
export async function blackhole(hostname: string): Promise<Blackhole> {
  const listener = Deno.listen({ hostname, port: 0, tcpBacklog: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const filler = await Deno.connect({ hostname, port });
  return {
    port,
    close() {
      filler.close();
      listener.close();
    },
  };
}

/**
 * A python3 process. It talks through lines on stdout; closing its stdin
 * tells it to exit.
 */
export class PythonPeer {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #lines: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(script: string, args: string[] = []) {
    this.#child = new Deno.Command("python3", {
      args: ["-u", "-c", script, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
  }

  /** The next line the script prints (without its newline). */
  async line(): Promise<string> {
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#lines.read();
      assert.ok(!done, `python3 ended before printing a line`);
      this.#buffer += value;
    }
    const at = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, at);
    this.#buffer = this.#buffer.slice(at + 1);
    return line;
  }

  /** Closes its stdin and waits for it to exit; returns its exit code. */
  async close(): Promise<number> {
    await this.#stdin.close().catch(() => {});
    const status = await this.#child.status;
    await this.#lines.cancel().catch(() => {});
    return status.code;
  }
}

/**
 * Whether the local socket on `port` (the server's side of an established
 * connection to it) has TCP keep-alive on: the keep-alive timer shows in
 * the `tr` column of /proc/net/tcp (and /proc/net/tcp6) as 2.
 */
export function keepAliveOn(localPort: number): boolean[] {
  const hex = localPort.toString(16).toUpperCase().padStart(4, "0");
  const timers: boolean[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const row of Deno.readTextFileSync(file).split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols.length < 6) continue;
      const [, local, , state, , timer] = cols;
      // State 01 is ESTABLISHED; the timer column reads "tr:when".
      if (!local.endsWith(`:${hex}`) || state !== "01") continue;
      timers.push(timer.startsWith("02:"));
    }
  }
  return timers;
}

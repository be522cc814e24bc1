// The in-process echo load client, in a Worker of the benchmark's own
// process. It is retired from the TCP and streams echo rows, which now use
// the external load client in a process of its own (bench/load/,
// bench/network.ts): sharing the process with the server flattered our
// figures. It stays for bench/tls_bench.ts only, since the external client
// speaks no TLS; read the TLS figures as in-process ones.
//
// One run: `connections` connections each send a `size`-byte message and
// wait for the whole echo before sending the next, until `requests`
// messages in total were echoed. Everything is bounded by count; the worker
// gives up after `timeoutMs`.

/** What one load run does. */
export interface EchoLoadOptions {
  /** The echo server's port on 127.0.0.1. */
  port: number;
  /** Concurrent connections. */
  connections: number;
  /** Bytes per message. */
  size: number;
  /** Messages in total, spread evenly over the connections. */
  requests: number;
  /** Fails the run after this long. */
  timeoutMs?: number;
  /** Ends each message with a newline, for line-based echo servers. */
  newline?: boolean;
  /**
   * Connect over TLS (to 127.0.0.1, trusting `caCerts`), presenting the
   * client certificate `cert`/`key` if given.
   */
  tls?: { caCerts: string[]; cert?: string; key?: string };
}

/**
 * Drives one load run from the current thread (the worker calls it).
 *
 * @param options What to send.
 * @returns How many messages were echoed.
 */
export async function echoLoad(options: EchoLoadOptions): Promise<number> {
  const { port, connections, size } = options;
  const perConnection = Math.ceil(options.requests / connections);
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  const message = new Uint8Array(size).fill(120);
  if (options.newline) message[size - 1] = 10;
  const tls = options.tls;
  const conns: Deno.Conn[] = await Promise.all(
    Array.from({ length: connections }, async () => {
      if (tls === undefined) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conn.setNoDelay(true);
        return conn;
      }
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port,
        caCerts: tls.caCerts,
        ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key! }),
      });
      await conn.handshake();
      return conn;
    }),
  );
  let echoed = 0;
  const one = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(Math.max(size, 65536));
    try {
      for (let i = 0; i < perConnection; i++) {
        let sent = 0;
        while (sent < size) sent += await conn.write(message.subarray(sent));
        let got = 0;
        while (got < size) {
          const n = await conn.read(buf);
          if (n === null) throw new Error("the echo server closed early");
          got += n;
        }
        echoed++;
        if (performance.now() > deadline) {
          throw new Error("echo load timed out");
        }
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(conns.map(one));
  return echoed;
}

/**
 * A load client in a Worker. `run()` returns once the load is done;
 * `close()` ends the worker.
 */
export class EchoLoadClient {
  #worker: Worker;
  #pending: ((value: number | Error) => void) | null = null;

  constructor() {
    this.#worker = new Worker(
      new URL("./_echo_client_worker.ts", import.meta.url),
      { type: "module" },
    );
    this.#worker.onmessage = (event: MessageEvent<number | string>) => {
      const settle = this.#pending;
      this.#pending = null;
      const data = event.data;
      settle?.(typeof data === "number" ? data : new Error(data));
    };
  }

  /**
   * Runs one load.
   *
   * @param options What to send.
   * @returns How many messages were echoed.
   */
  run(options: EchoLoadOptions): Promise<number> {
    if (this.#pending !== null) throw new Error("a load run is in progress");
    return new Promise<number>((resolve, reject) => {
      this.#pending = (value) =>
        value instanceof Error ? reject(value) : resolve(value);
      this.#worker.postMessage(options);
    });
  }

  /** Ends the worker. */
  close(): void {
    this.#worker.terminate();
  }
}

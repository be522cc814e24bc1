// Loopback fixtures for the network tests: a port nobody listens on, a
// port whose listen queue is full (a connection to it hangs, as to a host
// that drops packets), and what /proc/net/tcp says about a socket. The real
// peers (python3) are in tests/_peers.ts and tests/peers/.

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

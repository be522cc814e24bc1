// The Deno fallback of bench/load/echo_client.c, for machines without a C
// compiler: the same command line, checks and output (with "client":"deno"),
// run in a process of its own (`deno run --allow-net`). It is slower than the
// C client, so figures taken with it are not comparable with the C client's;
// bench/network.ts says which one ran. See echo_client.c for what the modes
// do.

const USAGE = "usage: echo_client --port P [--host H] [--connections N] " +
  "[--size BYTES] [--messages COUNT] [--time-ms MS] [--warmup-ms MS]\n" +
  "       echo_client --port P [--host H] --idle N [--time-ms MS]";
/** Connections in flight at once (see open_all() in echo_client.c). */
const CONNECTS_IN_FLIGHT = 64;
/** Time allowed to open the connections, on top of --time-ms (echo mode). */
const CONNECT_MS = 10_000;
const MAX_SAMPLES = 1 << 22;
const RECV_BUFFER = 65536;

class UsageError extends Error {}
class ClientError extends Error {}

interface Options {
  host: string;
  port: number;
  connections: number;
  size: number;
  messages: number;
  timeMs: number;
  warmupMs: number;
  idle: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    host: "127.0.0.1",
    port: -1,
    connections: 1,
    size: 64,
    messages: 1_000_000,
    timeMs: -1,
    warmupMs: 0,
    idle: 0,
  };
  const int = (name: string, text: string, min: number, max: number) => {
    const v = Number(text);
    if (!/^-?\d+$/.test(text) || v < min || v > max) {
      throw new UsageError(
        `${name} must be an integer in [${min}, ${max}], got '${text}'`,
      );
    }
    return v;
  };
  let echoOnly: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i + 1 >= args.length) {
      throw new UsageError(`'${a}' needs a value or is not an option`);
    }
    const v = args[++i];
    if (["--connections", "--size", "--messages", "--warmup-ms"].includes(a)) {
      echoOnly = a;
    }
    if (a === "--host") o.host = v;
    else if (a === "--port") o.port = int(a, v, 1, 65535);
    else if (a === "--connections") o.connections = int(a, v, 1, 100000);
    else if (a === "--size") o.size = int(a, v, 1, 1 << 26);
    else if (a === "--messages") o.messages = int(a, v, 1, 1e12);
    else if (a === "--time-ms") o.timeMs = int(a, v, 1, 86400000);
    else if (a === "--warmup-ms") o.warmupMs = int(a, v, 0, 86400000);
    else if (a === "--idle") o.idle = int(a, v, 1, 1000000);
    else throw new UsageError(`unknown option '${a}'`);
  }
  if (o.port < 0) throw new UsageError("--port is required");
  if (o.timeMs < 0) o.timeMs = o.idle ? 60_000 : 1000;
  if (o.idle && echoOnly) {
    throw new UsageError(`${echoOnly} does not apply to --idle`);
  }
  if (o.idle) o.size = 1;
  return o;
}

/** A connection and its message in flight. */
class Connection {
  msg: Uint8Array;
  seq = 0;
  constructor(readonly conn: Deno.TcpConn, index: number, size: number) {
    conn.setNoDelay(true);
    this.msg = new Uint8Array(size);
    for (let k = 0; k < size; k++) this.msg[k] = 65 + (k * 7 + index) % 26;
  }

  /** The first bytes carry the sequence number, 5 bits a byte. */
  stamp(): void {
    let seq = this.seq++;
    const n = Math.min(this.msg.length, 8);
    for (let k = 0; k < n; k++, seq = Math.floor(seq / 32)) {
      this.msg[k] = 97 + (seq % 32);
    }
  }

  /** Sends one message and reads its whole echo, checking every byte. */
  async pingPong(rbuf: Uint8Array): Promise<void> {
    this.stamp();
    const size = this.msg.length;
    let sent = 0;
    const writing = (async () => {
      while (sent < size) {
        sent += await this.conn.write(this.msg.subarray(sent));
      }
    })();
    let got = 0;
    try {
      while (got < size) {
        const n = await this.conn.read(rbuf);
        if (n === null) {
          throw new ClientError(
            "the server closed a connection before the echo was whole",
          );
        }
        if (got + n > sent) {
          throw new ClientError(
            `the server sent ${n} bytes that were not sent to it`,
          );
        }
        for (let k = 0; k < n; k++) {
          if (rbuf[k] !== this.msg[got + k]) {
            throw new ClientError(
              `the echo differs from the message sent (message ${
                this.seq - 1
              }, bytes ${got}-${got + n})`,
            );
          }
        }
        got += n;
      }
    } finally {
      await writing.catch(() => {});
    }
  }
}

/**
 * Opens n connections; with `ping`, each echoes one byte before the next
 * opens (see open_all() in echo_client.c for why).
 */
async function openAll(
  o: Options,
  n: number,
  deadline: number,
  ping = false,
) {
  const conns: Connection[] = new Array(n);
  let next = 0;
  let opened = 0;
  const rbuf = new Uint8Array(RECV_BUFFER);
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const conn = await Deno.connect({ hostname: o.host, port: o.port });
      conns[i] = new Connection(conn, i, o.size);
      if (ping) await conns[i].pingPong(rbuf);
      opened++;
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ClientError(
            `only ${opened} of ${n} connections ${
              ping ? "opened and echoed" : "opened"
            } before the deadline`,
          ),
        ),
      Math.max(0, deadline - performance.now()),
    );
  });
  try {
    await Promise.race([
      Promise.all(
        Array.from({ length: Math.min(n, CONNECTS_IN_FLIGHT) }, worker),
      ),
      late,
    ]);
  } catch (error) {
    for (const c of conns) c?.conn.close();
    if (error instanceof Deno.errors.ConnectionRefused) {
      throw new ClientError(`connect to ${o.host}:${o.port}: ${error.message}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return conns;
}

function percentile(sorted: Float64Array, q: number): number {
  const i = Math.ceil(sorted.length * q);
  return sorted[i > 0 ? i - 1 : 0];
}

async function runEcho(o: Options): Promise<string> {
  const conns = await openAll(
    o,
    o.connections,
    performance.now() + CONNECT_MS,
  );
  let warming = o.warmupMs > 0;
  let start = performance.now();
  let stopped = false;
  let stoppedBy = "time";
  let started = 0;
  let done = 0;
  let samples: number[] = [];
  let stop!: () => void;
  const stopping = new Promise<void>((resolve) => stop = resolve);
  let end = 0;
  const finish = (by: string) => {
    if (stopped) return;
    stopped = true;
    stoppedBy = by;
    end = performance.now();
    stop();
  };
  const timers: ReturnType<typeof setTimeout>[] = [];
  const measure = () => {
    warming = false;
    start = performance.now();
    samples = [];
    timers.push(setTimeout(() => finish("time"), o.timeMs));
  };
  if (warming) timers.push(setTimeout(measure, o.warmupMs));
  else measure();
  let failure: unknown = null;
  const one = async (c: Connection) => {
    const rbuf = new Uint8Array(RECV_BUFFER);
    while (!stopped) {
      if (!warming) {
        if (started >= o.messages) return;
        started++;
      }
      const t0 = performance.now();
      const counted = !warming;
      await c.pingPong(rbuf);
      if (stopped) return;
      if (!warming) {
        if (!counted) started++; // began in the warm-up: counts from now
        done++;
        if (samples.length < MAX_SAMPLES) samples.push(performance.now() - t0);
        if (done >= o.messages) finish("count");
      }
    }
  };
  const runs = conns.map((c) =>
    one(c).catch((error) => {
      if (!stopped) {
        failure ??= error;
        finish("error");
      }
    })
  );
  await stopping;
  for (const t of timers) clearTimeout(t);
  for (const c of conns) c.conn.close();
  await Promise.all(runs);
  if (failure !== null) throw failure;
  const seconds = (end - start) / 1000;
  if (done === 0) {
    throw new ClientError(
      `no echo came back within ${o.timeMs} ms (${o.connections} connections, ${o.size} bytes)`,
    );
  }
  const sorted = Float64Array.from(samples).sort();
  return JSON.stringify({
    client: "deno",
    mode: "echo",
    connections: o.connections,
    size: o.size,
    messages: done,
    seconds: Number(seconds.toFixed(6)),
    messagesPerSec: Number((done / seconds).toFixed(1)),
    mbPerSec: Number((done * o.size / seconds / 1e6).toFixed(3)),
    p50Us: Number((percentile(sorted, 0.5) * 1000).toFixed(1)),
    p99Us: Number((percentile(sorted, 0.99) * 1000).toFixed(1)),
    stoppedBy,
  });
}

async function runIdle(o: Options): Promise<void> {
  const deadline = performance.now() + o.timeMs;
  // One byte each way on every connection: the server has accepted it and
  // waits to read again.
  const conns = await openAll(o, o.idle, deadline, true);
  const rbuf = new Uint8Array(RECV_BUFFER);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
  });
  try {
    console.log(JSON.stringify({
      client: "deno",
      mode: "idle",
      connections: o.idle,
      ready: true,
    }));
    // Hold until stdin ends or the deadline; anything from the server
    // meanwhile is an error.
    let holding = true;
    const watchers = conns.map(async (c) => {
      try {
        const n = await c.conn.read(rbuf);
        if (holding) {
          throw new ClientError(
            n === null
              ? "the server closed an idle connection"
              : `the server sent ${n} bytes on an idle connection`,
          );
        }
      } catch (error) {
        if (holding) throw error;
      }
    });
    const stdinEnds = (async () => {
      const buf = new Uint8Array(256);
      while (await Deno.stdin.read(buf) !== null) { /* until it ends */ }
    })();
    await Promise.race([stdinEnds, late, ...watchers]);
    holding = false;
    for (const c of conns) c.conn.close();
    await Promise.allSettled(watchers);
  } finally {
    clearTimeout(timer);
    for (const c of conns) {
      try {
        c.conn.close();
      } catch { /* closed already */ }
    }
  }
}

if (import.meta.main) {
  try {
    const o = parseArgs(Deno.args);
    if (o.idle) await runIdle(o);
    else console.log(await runEcho(o));
    Deno.exit(0); // stdin may still be read from
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`echo_client: ${error.message}\n${USAGE}`);
      Deno.exit(2);
    }
    console.error(
      `echo_client: ${
        error instanceof ClientError ? error.message : String(error)
      }`,
    );
    Deno.exit(1);
  }
}

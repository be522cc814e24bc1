// Server CPU per echoed message, for A/B work on the echo paths (issues 5
// and 6). Requests/s of one echo cell swing by ±30% on the shared 2-core
// machine (other processes, GC timing), so a change worth a few µs per
// message is lost in them; the CPU time of the server's thread per message
// moves far less. This runs one server kind under the usual load client and
// prints both:
//
//   deno run -A bench/echo_cpu.ts <server> <connections> <size> [requests] [rounds]
//
// <server> is one of: raw (Deno.listen loop reusing one buffer), protocol
// (Protocol echo), exactly (startServer + readExactly/write/drain), line
// (startServer + readLine/write/drain). One warm-up run, then `rounds`
// timed runs; the output line has the median requests/s and the main
// thread's (the server's) and the whole process's CPU µs per message (the
// process also holds the load client's worker and V8's helper threads).
// Linux only (/proc); CPU times have 10 ms resolution, so keep runs ≥ 1 s.
// To compare two versions, alternate the script of two clones, ≥ 5 runs
// each, and compare medians.

import { getRunningLoop, Protocol } from "../eventloop/mod.ts";
import type { Transport } from "../eventloop/mod.ts";
import {
  IncompleteReadError,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../streams/mod.ts";
import { EchoLoadClient } from "./_echo_client.ts";
import { type Load, ourEchoOnce, rawEchoOnce } from "./_echo_servers.ts";

const KINDS = ["raw", "protocol", "exactly", "line"] as const;
type Kind = typeof KINDS[number];

class EchoProtocol extends Protocol {
  #transport: Transport | null = null;
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.#transport!.write(data);
  }
}

function exactlyEcho(size: number) {
  return function* (reader: StreamReader, writer: StreamWriter) {
    try {
      while (true) {
        writer.write(yield* reader.readExactly(size));
        yield* writer.drain();
      }
    } catch (error) {
      if (!(error instanceof IncompleteReadError)) throw error;
    }
    writer.close();
  };
}

function* lineEcho(reader: StreamReader, writer: StreamWriter) {
  while (true) {
    const line = yield* reader.readLine();
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
  writer.close();
}

function loopOnce(client: EchoLoadClient, load: Load, kind: Kind) {
  return ourEchoOnce(
    client,
    load,
    () =>
      kind === "protocol"
        ? getRunningLoop().createServer(
          () => new EchoProtocol(),
          "127.0.0.1",
          0,
        )
        : startServer(
          kind === "line" ? lineEcho : exactlyEcho(load.size),
          "127.0.0.1",
          0,
          { limit: 65536 },
        ),
  );
}

/** User + system CPU µs of a /proc stat file (utime and stime, in ticks). */
function cpuMicros(path: string): number {
  const fields = Deno.readTextFileSync(path).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

if (import.meta.main) {
  const [kind, connections, size, requests, rounds] = Deno.args;
  if (!KINDS.includes(kind as Kind) || !connections || !size) {
    console.error(
      "usage: deno run -A bench/echo_cpu.ts <raw|protocol|exactly|line> <connections> <size> [requests=10000] [rounds=3]",
    );
    Deno.exit(2);
  }
  const load: Load = {
    connections: Number(connections),
    size: Number(size),
    requests: Number(requests ?? 10_000),
    newline: true,
  };
  const n = Number(rounds ?? 3);
  const client = new EchoLoadClient();
  const once = () =>
    kind === "raw"
      ? rawEchoOnce(client, load)
      : loopOnce(client, load, kind as Kind);
  try {
    await once(); // warm-up
    const thread = `/proc/${Deno.pid}/task/${Deno.pid}/stat`;
    const [thread0, process0] = [
      cpuMicros(thread),
      cpuMicros("/proc/self/stat"),
    ];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await once();
      times.push(performance.now() - start);
    }
    const messages = load.requests * n;
    const mainUs = (cpuMicros(thread) - thread0) / messages;
    const processUs = (cpuMicros("/proc/self/stat") - process0) / messages;
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `${kind} ${connections} conn x ${size} B: ${
        (load.requests / (median / 1000)).toFixed(0)
      } req/s, server thread ${mainUs.toFixed(2)} µs/msg, process ${
        processUs.toFixed(2)
      } µs/msg`,
    );
  } finally {
    client.close();
  }
}

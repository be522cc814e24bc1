// Server CPU per echoed message, for A/B work on the echo paths (issues 5,
// 6 and 19). Messages/s of one echo cell swing by ±30% on the shared 2-core
// machine (other processes, GC timing), so a change worth a few µs per
// message is lost in them; the CPU time of the server per message moves far
// less. This runs one server kind in this process under the external load
// client (bench/load/, in a process of its own) and prints both:
//
//   deno run -A bench/echo_cpu.ts <kind> <connections> <size> [messages] [rounds]
//
// <kind> is one of bench/load/_deno_servers.ts's kinds: raw (Deno.listen
// loop reusing one buffer), raw-fresh (a new buffer per read), protocol,
// buffered (BufferedProtocol), streams-read, streams-exactly, streams-byob
// (StreamReader.readInto()). One warm-up run, then `rounds` timed
// runs of `messages` messages each; the output line has the median
// messages/s, and the main thread's and the whole process's CPU µs per
// message (the process holds only the server: its main thread and V8's
// helper threads). Linux only (/proc); CPU times have 10 ms resolution, so
// keep runs ≥ 1 s. To compare two versions, alternate the script of two
// clones, ≥ 5 runs each, and compare medians.

import {
  DENO_KINDS,
  type DenoKind,
  startEchoServer,
} from "./load/_deno_servers.ts";
import { loadClient, runEcho } from "./load/_client.ts";

/** User + system CPU µs of a /proc stat file (utime and stime, in ticks). */
function cpuMicros(path: string): number {
  const fields = Deno.readTextFileSync(path).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

if (import.meta.main) {
  const [kind, connections, size, messages, rounds] = Deno.args;
  if (!DENO_KINDS.includes(kind as DenoKind) || !connections || !size) {
    console.error(
      `usage: deno run -A bench/echo_cpu.ts <${
        DENO_KINDS.join("|")
      }> <connections> <size> [messages=10000] [rounds=3]`,
    );
    Deno.exit(2);
  }
  const load = {
    connections: Number(connections),
    size: Number(size),
    messages: Number(messages ?? 10_000),
    // A deadline, not the measure: runs end on their message count.
    timeMs: 120_000,
  };
  const n = Number(rounds ?? 3);
  const client = await loadClient();
  if (client.note !== null) console.error(client.note);
  const server = await startEchoServer(kind as DenoKind, load.size);
  try {
    const once = () => runEcho(client, { ...load, port: server.port });
    await once(); // warm-up
    const thread = `/proc/${Deno.pid}/task/${Deno.pid}/stat`;
    const [thread0, process0] = [
      cpuMicros(thread),
      cpuMicros("/proc/self/stat"),
    ];
    const rates: number[] = [];
    for (let i = 0; i < n; i++) {
      const result = await once();
      if (result.stoppedBy !== "count") {
        throw new Error(`a run did not finish its ${load.messages} messages`);
      }
      rates.push(result.messagesPerSec);
    }
    const total = load.messages * n;
    const mainUs = (cpuMicros(thread) - thread0) / total;
    const processUs = (cpuMicros("/proc/self/stat") - process0) / total;
    rates.sort((a, b) => a - b);
    console.log(
      `${kind} ${connections} conn x ${size} B: ${
        rates[Math.floor(rates.length / 2)].toFixed(0)
      } messages/s, server thread ${mainUs.toFixed(2)} µs/msg, process ${
        processUs.toFixed(2)
      } µs/msg (${client.kind} load client)`,
    );
  } finally {
    await server.close();
  }
}

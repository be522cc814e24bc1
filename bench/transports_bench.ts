// TCP echo servers (issue 5): one built on Protocol + loop.createServer, one
// on raw Deno.listen with a read/write loop per connection, driven by the
// same bounded load client (in a Worker) for 1, 10 and 100 connections and
// 64 B, 1 KiB and 64 KiB messages. `deno run -A bench/transports_bench.ts`
// prints requests/s and the ratio to raw Deno; `deno task bench echo` runs
// the same cells in the shared table.

import {
  BufferedProtocol,
  getRunningLoop,
  Protocol,
  type Transport,
} from "../eventloop/mod.ts";
import { compare, type Comparison, type Row } from "./_harness.ts";
import type { EchoLoadClient } from "./_echo_client.ts";
import {
  type Load,
  ourEchoOnce,
  rawEchoOnce,
  sharedClient,
} from "./_echo_servers.ts";

const ROUNDS = 3;
const CONNECTIONS = [1, 10, 100];
const SIZES: [string, number, number][] = [
  // label, bytes, messages per run
  ["64 B", 64, 10_000],
  ["1 KiB", 1024, 10_000],
  ["64 KiB", 65536, 4_000],
];

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

/** One load run against a Protocol echo server on our loop. */
function oursOnce(
  client: EchoLoadClient,
  load: Load,
  factory: () => Protocol | BufferedProtocol = () => new EchoProtocol(),
): Promise<void> {
  return ourEchoOnce(
    client,
    load,
    () => getRunningLoop().createServer(factory, "127.0.0.1", 0),
  );
}

/**
 * The comparisons of this file, each with its own load client
 * (`sharedClient`).
 */
export function comparisons(): Comparison[] {
  const out: Comparison[] = [];
  for (const connections of CONNECTIONS) {
    for (const [label, size, requests] of SIZES) {
      const load: Load = { connections, size, requests };
      const withClient = sharedClient(load, 4 * (ROUNDS + 1));
      out.push({
        title: `TCP echo, ${connections} conn x ${label}`,
        ops: requests,
        rounds: ROUNDS,
        ours: () => withClient(oursOnce),
        baselines: {
          "raw Deno.listen": () => withClient(rawEchoOnce),
          "ours, BufferedProtocol": () =>
            withClient((c, l) =>
              oursOnce(c, l, () => new BufferedEchoProtocol())
            ),
          "raw Deno.listen, new buffer per read": () =>
            withClient((c, l) => rawEchoOnce(c, l, true)),
        },
      });
    }
  }
  return out;
}

if (import.meta.main) {
  const filter = Deno.args[0]?.toLowerCase();
  const rows: Row[] = [];
  for (const c of comparisons()) {
    if (filter && !c.title.toLowerCase().includes(filter)) continue;
    console.error(`running: ${c.title}`);
    rows.push(...await compare(c));
  }
  const table: string[][] = [];
  for (let i = 0; i < rows.length; i += 4) {
    const [ours, raw, buffered, fresh] = rows.slice(i, i + 4);
    table.push([
      ours.title,
      (1e6 / raw.usPerOp).toFixed(0),
      (1e6 / ours.usPerOp).toFixed(0),
      `${raw.speedup!.toFixed(2)}x`,
      (1e6 / buffered.usPerOp).toFixed(0),
      `${
        (buffered.usPerOp > 0 ? raw.usPerOp / buffered.usPerOp : 0).toFixed(2)
      }x`,
      (1e6 / fresh.usPerOp).toFixed(0),
      `${fresh.speedup!.toFixed(2)}x`,
    ]);
  }
  const header = [
    "cell",
    "raw Deno req/s",
    "Protocol req/s",
    "ratio",
    "BufferedProtocol req/s",
    "ratio",
    "raw, new buffer per read, req/s",
    "Protocol / it",
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((r) => r[i].length))
  );
  const fmt = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of table) console.log(fmt(row));
}

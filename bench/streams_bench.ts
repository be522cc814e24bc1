// Streams echo servers (issue 6): startServer with a readExactly + write +
// drain loop, and a readLine variant, beside the raw Deno.listen echo loop,
// all driven by the same bounded load client (in a Worker) for 1, 10 and
// 100 connections and 64 B, 1 KiB and 64 KiB messages (each ending in a
// newline, so the same load suits every server).
//
// `deno run -A bench/streams_bench.ts [filter]` prints requests/s and the
// ratios to raw Deno, and, where `python3` is installed, the same load
// against Python's asyncio streams echo server (and uvloop's, if
// installed) for scale. `deno task bench streams` runs the cells in the
// shared table.

import {
  IncompleteReadError,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../streams/mod.ts";
import { compare, type Comparison, type Row } from "./_harness.ts";
import { EchoLoadClient } from "./_echo_client.ts";
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

/** The readExactly echo: the message size is known in advance. */
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

/** The readLine echo. */
function* lineEcho(reader: StreamReader, writer: StreamWriter) {
  while (true) {
    const line = yield* reader.readLine();
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
  writer.close();
}

/** One load run against a streams echo server on our loop. */
function streamsOnce(
  client: EchoLoadClient,
  load: Load,
  serve: (reader: StreamReader, writer: StreamWriter) => unknown,
): Promise<void> {
  // 64 KiB lines plus their newline fit the reader's limit.
  return ourEchoOnce(
    client,
    load,
    () => startServer(serve, "127.0.0.1", 0, { limit: 65536 }),
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
      const load: Load = { connections, size, requests, newline: true };
      const withClient = sharedClient(load, 4 * (ROUNDS + 1));
      out.push({
        title: `streams echo, ${connections} conn x ${label}`,
        ops: requests,
        rounds: ROUNDS,
        ours: () => withClient((c, l) => streamsOnce(c, l, exactlyEcho(size))),
        baselines: {
          "raw Deno.listen": () => withClient(rawEchoOnce),
          "ours, readLine": () =>
            withClient((c, l) => streamsOnce(c, l, lineEcho)),
          "raw Deno.listen, new buffer per read": () =>
            withClient((c, l) => rawEchoOnce(c, l, true)),
        },
      });
    }
  }
  return out;
}

// ---- Python's asyncio (and uvloop) for scale, when python3 is present ----

const PYTHON_ECHO = `
import asyncio, sys
size = int(sys.argv[1])
mode = sys.argv[2]
async def echo(reader, writer):
    try:
        while True:
            writer.write(await reader.readexactly(size))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    writer.close()
async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0, limit=65536)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(3600)
if mode == "uvloop":
    import uvloop
    uvloop.run(main())
else:
    asyncio.run(main())
`;

/** Requests/s of a Python echo server under one load, or null. */
async function pythonOnce(
  client: EchoLoadClient,
  load: Load,
  mode: "asyncio" | "uvloop",
): Promise<number | null> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("python3", {
      args: ["-c", PYTHON_ECHO, String(load.size), mode],
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch {
    return null;
  }
  const reader = child.stdout.getReader();
  try {
    const first = await reader.read();
    const port = Number(
      new TextDecoder().decode(first.value ?? new Uint8Array()),
    );
    if (!port) return null;
    await client.run({ ...load, port }); // warm-up
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      await client.run({ ...load, port });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return load.requests / (times[Math.floor(times.length / 2)] / 1000);
  } finally {
    reader.releaseLock();
    child.kill();
    await child.stdout.cancel();
    await child.status;
  }
}

async function pythonHas(module: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("python3", {
      args: ["-c", `import ${module}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const filter = Deno.args[0]?.toLowerCase();
  const withPython = await pythonHas("asyncio");
  const withUvloop = withPython && await pythonHas("uvloop");
  const table: string[][] = [];
  for (const c of comparisons()) {
    if (filter && !c.title.toLowerCase().includes(filter)) continue;
    console.error(`running: ${c.title}`);
    const [exactly, raw, line, fresh] = await compare(c);
    const rps = (row: Row) => 1e6 / row.usPerOp;
    const cells = [
      c.title.replace("streams echo, ", ""),
      rps(raw).toFixed(0),
      rps(exactly).toFixed(0),
      `${(rps(exactly) / rps(raw)).toFixed(2)}x`,
      rps(line).toFixed(0),
      `${(rps(line) / rps(raw)).toFixed(2)}x`,
      rps(fresh).toFixed(0),
      `${(rps(exactly) / rps(fresh)).toFixed(2)}x`,
    ];
    if (withPython) {
      const [connections, label] = c.title.replace("streams echo, ", "")
        .split(" conn x ");
      const size = SIZES.find(([l]) => l === label)!;
      const load: Load = {
        connections: Number(connections),
        size: size[1],
        requests: size[2],
        newline: true,
      };
      const client = new EchoLoadClient();
      try {
        for (
          const mode of withUvloop
            ? ["asyncio", "uvloop"] as const
            : ["asyncio"] as const
        ) {
          const py = await pythonOnce(client, load, mode);
          cells.push(
            py === null
              ? "-"
              : `${py.toFixed(0)} (${(py / rps(raw)).toFixed(2)}x)`,
          );
        }
      } finally {
        client.close();
      }
    }
    table.push(cells);
  }
  const header = [
    "cell",
    "raw Deno req/s",
    "readExactly req/s",
    "vs raw",
    "readLine req/s",
    "vs raw",
    "raw, new buffer per read, req/s",
    "readExactly / it",
  ];
  if (withPython) header.push("Python asyncio req/s (vs raw)");
  if (withUvloop) header.push("uvloop req/s (vs raw)");
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((r) => (r[i] ?? "").length))
  );
  const fmt = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of table) console.log(fmt(row));
}

// The network table of `deno task bench`: echo servers, each in a process of
// its own, driven by an external load client (bench/load/echo_client.c,
// built with the system compiler; else its Deno twin in its own process).
//
//   deno task bench:net [--full] [--markdown] [--no-python] [--deno-client]
//                       [--json FILE] [--only ID,ID] [--sizes BYTES,BYTES|none]
//   deno task bench:net --ranges A.json B.json C.json [--markdown]
//
// Servers: raw Deno (Deno.listen, a read/write loop per connection reusing
// one buffer, and the same with a new buffer per read), our Protocol and
// BufferedProtocol echoes, our streams echoes (read(), readExactly(), and the
// BYOB read, readInto()), and, where python3 is installed,
// CPython asyncio's and uvloop's Protocol and streams echoes
// (bench/python/echo_server.py).
//
// Cells: 64 B, 1 KiB, 16 KiB and 64 KiB messages x 1, 10 and 100 ping-pong
// connections. Every server of a size runs at once (idle but the one under
// load) and the rounds alternate between them, so that the ratios of one run
// are taken under the same conditions. Then the latency row (1-byte
// ping-pong on one connection, p50 and p99) and the idle-memory row (10,000
// idle connections held open against a fresh server: RSS per connection,
// from /proc/<pid>/status before and after).
//
// Quick (the default): one round of 0.3 s per server and cell, about 2
// minutes. --full: three rounds of 1 s and medians, about 10 minutes.
// --json writes every round's figures; --ranges prints the tables of several
// such files as ranges (each ratio taken within one run, then the range over
// the runs).

import {
  DENO_KINDS,
  DENO_LABELS,
  type DenoKind,
} from "./load/_deno_servers.ts";
import {
  type EchoResult,
  fdLimits,
  holdIdle,
  type LoadClient,
  loadClient,
  runEcho,
  withFdLimit,
} from "./load/_client.ts";
import { type PythonMode, pythonModes } from "./_python.ts";

const SIZES: [string, number][] = [
  ["64 B", 64],
  ["1 KiB", 1024],
  ["16 KiB", 16384],
  ["64 KiB", 65536],
];
const CONNECTIONS = [1, 10, 100];
const IDLE_CONNECTIONS = 10_000;
/** A count no run reaches in its time: runs end on time. */
const MESSAGE_CAP = 1_000_000_000;

/** One server under test. */
interface ServerSpec {
  id: string;
  /** Column header. */
  label: string;
  /** Which Python peers it is compared with. */
  group: "transport" | "streams";
  python: boolean;
  /** The command that starts it with messages of `size` bytes. */
  command(size: number): [string, string[]];
}

const DENO_GROUP: Record<DenoKind, "transport" | "streams"> = {
  "raw": "transport",
  "raw-fresh": "transport",
  "protocol": "transport",
  "buffered": "transport",
  "streams-read": "streams",
  "streams-exactly": "streams",
  "streams-byob": "streams",
};

function denoServer(kind: DenoKind): ServerSpec {
  return {
    id: kind,
    label: DENO_LABELS[kind],
    group: DENO_GROUP[kind],
    python: false,
    command: (size) => [Deno.execPath(), [
      "run",
      "--allow-all",
      new URL("./load/echo_server.ts", import.meta.url).pathname,
      kind,
      String(size),
    ]],
  };
}

const PYTHON_LABELS: Record<PythonMode, string> = {
  asyncio: "CPython asyncio",
  uvloop: "uvloop",
};

function pythonServer(mode: PythonMode, kind: "protocol" | "streams") {
  return {
    id: `${mode}-${kind}`,
    label: `${PYTHON_LABELS[mode]} ${
      kind === "protocol" ? "Protocol" : "streams"
    }`,
    group: kind === "protocol" ? "transport" : "streams",
    python: true,
    command: (size: number): [string, string[]] => ["python3", [
      new URL("./python/echo_server.py", import.meta.url).pathname,
      kind,
      String(size),
      mode,
    ]],
  } satisfies ServerSpec;
}

/** Everything one run measured, round by round (what --json writes). */
export interface NetworkRun {
  meta: {
    client: "c" | "deno";
    full: boolean;
    rounds: number;
    timeMs: number;
    warmupMs: number;
    idleConnections: number;
    deno: string;
    date: string;
  };
  /** Server ids in table order, and their labels and groups. */
  servers: { id: string; label: string; group: string; python: boolean }[];
  /** Visible notes: skipped rows, fallbacks, reduced counts. */
  notes: string[];
  /** messages/s per round: echo[server][cell]. */
  echo: Record<string, Record<string, number[]>>;
  /** Round trips of 1-byte ping-pong on one connection, µs, per round. */
  latency: Record<string, { p50: number[]; p99: number[] }>;
  /** Idle connections: KiB of RSS per connection, per round. */
  memory: Record<
    string,
    {
      kibPerConnection: number[];
      rssBeforeKib: number[];
      rssAfterKib: number[];
    }
  >;
  /** Errors, by server and cell. */
  errors: string[];
}

/** The key of an echo cell. */
const cellKey = (label: string, connections: number) =>
  `${label} x ${connections}`;
const CELLS = SIZES.flatMap(([label]) =>
  CONNECTIONS.map((c) => cellKey(label, c))
);

/** A server process, started and waiting. */
interface Running {
  spec: ServerSpec;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(
  spec: ServerSpec,
  size: number,
  fdLimit: number | null,
): Promise<Running> {
  const [program, programArgs] = spec.command(size);
  const [command, args] = withFdLimit(fdLimit, program, programArgs);
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const stop = async () => {
    await stdin.close().catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    try {
      await child.status;
    } finally {
      clearTimeout(timer);
    }
  };
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel();
  }
  const port = Number(text.trim());
  if (!Number.isInteger(port) || port <= 0) {
    await stop();
    throw new Error(`${spec.label} did not start: '${text.trim()}'`);
  }
  return { spec, port, pid: child.pid, stop };
}

/** VmRSS of a process, in KiB. */
async function rssKib(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What `measure()` needs. */
export interface NetworkOptions {
  full: boolean;
  python: boolean;
  denoClient: boolean;
  /** Only these servers (ids: raw, protocol, asyncio-streams, ...); all if null. */
  only?: string[] | null;
  /** Only these message sizes in bytes; all if null. */
  sizes?: number[] | null;
  /** Progress lines go here. */
  log: (line: string) => void;
}

/** Runs every server through every cell, the latency and the memory row. */
export async function measure(options: NetworkOptions): Promise<NetworkRun> {
  const { log } = options;
  const rounds = options.full ? 3 : 1;
  const timeMs = options.full ? 1000 : 300;
  const warmupMs = options.full ? 200 : 100;
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    log(line);
  };
  const client: LoadClient = await loadClient({ deno: options.denoClient });
  if (client.note !== null) note(client.note);

  const specs: ServerSpec[] = [];
  for (const kind of DENO_KINDS) specs.push(denoServer(kind));
  const modes = options.python ? await pythonModes() : [];
  if (!options.python) note("--no-python: no CPython asyncio or uvloop rows");
  else if (modes.length === 0) {
    note("python3 not found: no CPython asyncio or uvloop rows");
  } else if (!modes.includes("uvloop")) {
    note("uvloop cannot be imported: no uvloop rows");
  }
  for (const kind of ["protocol", "streams"] as const) {
    for (const mode of modes) specs.push(pythonServer(mode, kind));
  }
  const only = options.only ?? null;
  if (only !== null) {
    const known = specs.map((spec) => spec.id);
    const unknown = only.filter((id) => !known.includes(id));
    if (unknown.length > 0) {
      throw new TypeError(
        `--only: unknown server ids ${JSON.stringify(unknown)}; known: ${
          known.join(", ")
        }`,
      );
    }
    specs.splice(0, specs.length, ...specs.filter((s) => only.includes(s.id)));
    note(`--only: ${only.join(", ")}`);
  }
  const sizes = options.sizes ?? null;
  if (sizes !== null) note(`--sizes: ${sizes.join(", ")}`);

  // File descriptors: every server holds the idle connections at once in
  // the memory row, and so does the client.
  let idle = IDLE_CONNECTIONS;
  const limits = await fdLimits();
  let fdLimit: number | null = null;
  const needed = idle + 100;
  if (limits.soft < needed) {
    if (limits.hard >= needed) fdLimit = needed;
    else {
      idle = Math.max(100, Math.floor((limits.hard - 100) / 100) * 100);
      fdLimit = limits.hard;
      note(
        `ulimit -n: the hard limit (${limits.hard}) is below ${needed}: ` +
          `the idle row holds ${idle} connections, not ${IDLE_CONNECTIONS}`,
      );
    }
  }

  const run: NetworkRun = {
    meta: {
      client: client.kind,
      full: options.full,
      rounds,
      timeMs,
      warmupMs,
      idleConnections: idle,
      deno: Deno.version.deno,
      date: new Date().toISOString(),
    },
    servers: specs.map(({ id, label, group, python }) => ({
      id,
      label,
      group,
      python,
    })),
    notes,
    echo: {},
    latency: {},
    memory: {},
    errors: [],
  };
  const fail = (what: string, error: unknown) => {
    const line = `error: ${what}: ${
      error instanceof Error ? error.message : error
    }`;
    run.errors.push(line);
    log(line);
  };

  /** Starts every server for one message size, runs `body`, stops them. */
  const withServers = async (
    size: number,
    body: (servers: Running[]) => Promise<void>,
  ) => {
    const servers: Running[] = [];
    try {
      for (const spec of specs) {
        try {
          servers.push(await startServer(spec, size, fdLimit));
        } catch (error) {
          fail(`${spec.label} (${size} B)`, error);
        }
      }
      await body(servers);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  };

  for (const [label, size] of SIZES) {
    if (sizes !== null && !sizes.includes(size)) continue;
    await withServers(size, async (servers) => {
      for (const connections of CONNECTIONS) {
        const cell = cellKey(label, connections);
        log(`echo ${cell}`);
        for (let round = 0; round < rounds; round++) {
          for (const server of servers) {
            try {
              const result: EchoResult = await runEcho(client, {
                port: server.port,
                connections,
                size,
                messages: MESSAGE_CAP,
                timeMs,
                warmupMs,
              });
              ((run.echo[server.spec.id] ??= {})[cell] ??= []).push(
                result.messagesPerSec,
              );
            } catch (error) {
              fail(`${server.spec.label}, ${cell}`, error);
            }
          }
        }
      }
    });
  }

  log("latency: 1-byte ping-pong, 1 connection");
  await withServers(1, async (servers) => {
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        try {
          const result = await runEcho(client, {
            port: server.port,
            connections: 1,
            size: 1,
            messages: MESSAGE_CAP,
            timeMs,
            warmupMs,
          });
          const row = run.latency[server.spec.id] ??= { p50: [], p99: [] };
          row.p50.push(result.p50Us);
          row.p99.push(result.p99Us);
        } catch (error) {
          fail(`${server.spec.label}, latency`, error);
        }
      }
    }
  });

  log(`memory: ${idle} idle connections`);
  for (let round = 0; round < rounds; round++) {
    for (const spec of specs) {
      let server: Running | null = null;
      try {
        server = await startServer(spec, 1, fdLimit);
        await sleep(500);
        const before = await rssKib(server.pid);
        const hold = await holdIdle(
          client,
          server.port,
          idle,
          60_000,
          fdLimit,
        );
        try {
          await sleep(500);
          const after = await rssKib(server.pid);
          const row = run.memory[spec.id] ??= {
            kibPerConnection: [],
            rssBeforeKib: [],
            rssAfterKib: [],
          };
          row.kibPerConnection.push((after - before) / idle);
          row.rssBeforeKib.push(before);
          row.rssAfterKib.push(after);
        } finally {
          await hold.release();
        }
      } catch (error) {
        fail(`${spec.label}, idle memory`, error);
      } finally {
        await server?.stop();
      }
    }
  }
  return run;
}

// ---- Tables ----

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One run's figures, medians of its rounds, ratios within the run. */
interface Summary {
  rate: (server: string, cell: string) => number | undefined;
  vsPython: (server: string, cell: string) => number | undefined;
  vsRaw: (server: string, cell: string) => number | undefined;
  p50: (server: string) => number | undefined;
  p99: (server: string) => number | undefined;
  p99VsPython: (server: string) => number | undefined;
  kib: (server: string) => number | undefined;
  kibVs: (server: string, peer: string) => number | undefined;
}

function summarize(run: NetworkRun): Summary {
  const groupOf = new Map(run.servers.map((s) => [s.id, s.group]));
  const pythonIds = (group: string) =>
    run.servers.filter((s) => s.python && s.group === group).map((s) => s.id);
  const rate = (server: string, cell: string) => {
    const values = run.echo[server]?.[cell];
    return values?.length ? median(values) : undefined;
  };
  const best = <T>(values: (T | undefined)[], pick: (a: T, b: T) => T) =>
    values.reduce<T | undefined>(
      (acc, v) => v === undefined ? acc : acc === undefined ? v : pick(acc, v),
      undefined,
    );
  const p = (server: string, q: "p50" | "p99") => {
    const values = run.latency[server]?.[q];
    return values?.length ? median(values) : undefined;
  };
  const kib = (server: string) => {
    const values = run.memory[server]?.kibPerConnection;
    return values?.length ? median(values) : undefined;
  };
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : a / b;
  return {
    rate,
    vsPython: (server, cell) =>
      ratio(
        rate(server, cell),
        best(
          pythonIds(groupOf.get(server) ?? "").map((id) => rate(id, cell)),
          Math.max,
        ),
      ),
    vsRaw: (server, cell) => ratio(rate(server, cell), rate("raw", cell)),
    p50: (server) => p(server, "p50"),
    p99: (server) => p(server, "p99"),
    // Theirs over ours: above 1x our p99 is the shorter.
    p99VsPython: (server) =>
      ratio(
        best(
          pythonIds(groupOf.get(server) ?? "").map((id) => p(id, "p99")),
          Math.min,
        ),
        p(server, "p99"),
      ),
    kib,
    kibVs: (server, peer) => ratio(kib(server), kib(peer)),
  };
}

/** One figure over several runs: "a" or "a–b". */
function range(
  values: (number | undefined)[],
  format: (n: number) => string,
  suffix = "",
): string {
  const known = values.filter((v): v is number => v !== undefined);
  if (known.length === 0) return "-";
  const lo = format(Math.min(...known));
  const hi = format(Math.max(...known));
  const text = lo === hi ? lo : `${lo}–${hi}`;
  return known.length < values.length
    ? `${text}${suffix} (some runs: -)`
    : text + suffix;
}

const fmtRate = (n: number) =>
  n >= 1e5 ? `${(n / 1e3).toFixed(0)}k` : `${(n / 1e3).toFixed(1)}k`;
const fmtRatio = (n: number) => n.toFixed(2);
const fmtUs = (n: number) => n >= 100 ? n.toFixed(0) : n.toFixed(1);
const fmtKib = (n: number) => n >= 100 ? n.toFixed(0) : n.toFixed(1);

function renderTable(
  header: string[],
  rows: string[][],
  markdown: boolean,
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i].length))
  );
  const line = markdown
    ? (cells: string[]) =>
      `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`
    : (cells: string[]) =>
      cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}

/**
 * The tables of one run, or of several (each figure then the range over the
 * runs, each ratio taken within its run).
 */
export function render(runs: NetworkRun[], markdown: boolean): string {
  const first = runs[0];
  const summaries = runs.map(summarize);
  const servers = first.servers;
  const ours = servers.filter((s) => !s.python);
  const python = servers.filter((s) => s.python);
  const over = <T>(f: (s: Summary) => T) => summaries.map(f);
  const out: string[] = [];
  const { meta } = first;
  const many = runs.length > 1;
  out.push(
    `Network: ${
      meta.client === "c"
        ? "external C load client (bench/load/echo_client.c)"
        : "external Deno load client (bench/load/echo_client.ts, slower than the C one)"
    }, each server in its own process; ${meta.rounds} round${
      meta.rounds > 1 ? "s" : ""
    } of ${meta.timeMs} ms after ${meta.warmupMs} ms of warm-up per server and cell, ${
      meta.rounds > 1 ? "medians" : "one round (quick; --full for 3 rounds)"
    }${many ? `; ranges over ${runs.length} runs` : ""}.`,
  );
  const notes = [...new Set(runs.flatMap((r) => r.notes))];
  for (const note of notes) out.push(`note: ${note}`);
  const errors = runs.flatMap((r) => r.errors);
  for (const error of errors) out.push(error);

  out.push(
    "",
    "Echo, messages/s (ping-pong; cell = message size x connections):",
    "",
  );
  out.push(renderTable(
    ["cell", ...servers.map((s) => s.label)],
    CELLS.map((cell) => [
      cell,
      ...servers.map((s) => range(over((m) => m.rate(s.id, cell)), fmtRate)),
    ]),
    markdown,
  ));
  if (python.length > 0) {
    out.push(
      "",
      "Ours / the faster of CPython asyncio and uvloop in the same run (Protocol peers for the raw and transport rows, streams peers for the streams rows); above 1x we are faster:",
      "",
    );
    out.push(renderTable(
      ["cell", ...ours.map((s) => s.label)],
      CELLS.map((cell) => [
        cell,
        ...ours.map((s) =>
          range(over((m) => m.vsPython(s.id, cell)), fmtRatio, "x")
        ),
      ]),
      markdown,
    ));
  }
  const vsRaw = servers.filter((s) => s.id !== "raw");
  out.push("", "Each / raw Deno (one buffer reused) in the same run:", "");
  out.push(renderTable(
    ["cell", ...vsRaw.map((s) => s.label)],
    CELLS.map((cell) => [
      cell,
      ...vsRaw.map((s) =>
        range(over((m) => m.vsRaw(s.id, cell)), fmtRatio, "x")
      ),
    ]),
    markdown,
  ));

  out.push(
    "",
    "Latency: 1-byte ping-pong on one connection, round trip in µs:",
    "",
  );
  out.push(renderTable(
    ["server", "p50 µs", "p99 µs", "faster Python's p99 / ours"],
    servers.map((s) => [
      s.label,
      range(over((m) => m.p50(s.id)), fmtUs),
      range(over((m) => m.p99(s.id)), fmtUs),
      s.python ? "" : range(over((m) => m.p99VsPython(s.id)), fmtRatio, "x"),
    ]),
    markdown,
  ));

  const peers = python.filter((s) => s.group === "transport");
  out.push(
    "",
    `Idle connections: ${meta.idleConnections} held open (each has echoed one byte), server RSS per connection (VmRSS after - before):`,
    "",
  );
  out.push(renderTable(
    [
      "server",
      "KiB per connection",
      ...peers.map((p) => `x ${p.label.replace(" Protocol", "")}'s`),
    ],
    servers.map((s) => {
      // Compared with the Python server of the same shape.
      const peerOf = (p: { id: string }) =>
        s.group === "streams" ? p.id.replace("protocol", "streams") : p.id;
      return [
        s.label,
        range(over((m) => m.kib(s.id)), fmtKib),
        ...peers.map((p) =>
          s.python
            ? ""
            : range(over((m) => m.kibVs(s.id, peerOf(p))), fmtRatio, "x")
        ),
      ];
    }),
    markdown,
  ));
  out.push(
    "",
    "The machine is shared (2 cores, other work running): single figures move by ±20% or more between runs; compare the ratios of one run.",
  );
  return out.join("\n");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return false;
    args.splice(i, 1);
    return true;
  };
  const value = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) {
      throw new TypeError(`${name} needs a value`);
    }
    args.splice(i, 2);
    return v;
  };
  const markdown = flag("--markdown");
  const full = flag("--full");
  const noPython = flag("--no-python");
  const denoClient = flag("--deno-client");
  const json = value("--json");
  const ranges = flag("--ranges");
  const onlyText = value("--only");
  const sizesText = value("--sizes");
  if (ranges) {
    if (args.length === 0) throw new TypeError("--ranges needs JSON files");
    const runs = await Promise.all(
      args.map(async (file) =>
        JSON.parse(await Deno.readTextFile(file)) as NetworkRun
      ),
    );
    console.log(render(runs, markdown));
  } else {
    if (args.length > 0) {
      throw new TypeError(`unknown arguments: ${JSON.stringify(args)}`);
    }
    const started = performance.now();
    const run = await measure({
      full,
      python: !noPython,
      denoClient,
      only: onlyText === undefined ? null : onlyText.split(","),
      sizes: sizesText === undefined
        ? null
        : sizesText === "none"
        ? []
        : sizesText.split(",").map((v) => {
          const n = Number(v);
          if (!SIZES.some(([, size]) => size === n)) {
            throw new TypeError(
              `--sizes: ${JSON.stringify(v)} is not one of ${
                SIZES.map(([, size]) => size).join(", ")
              }`,
            );
          }
          return n;
        }),
      log: (line) => console.error(line),
    });
    if (json !== undefined) {
      await Deno.writeTextFile(json, JSON.stringify(run, null, 1));
    }
    console.log(render([run], markdown));
    console.log(
      `${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
    );
  }
}

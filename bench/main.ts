// `deno task bench`: every benchmark beside its baselines, in one table,
// then the network table (bench/network.ts: echo servers in processes of
// their own under an external load client). Where `python3` is installed,
// the same shapes in CPython's asyncio (and uvloop when it can be imported)
// are added as columns; see bench/python/.
//
//   deno task bench [--quick] [--full] [--no-network] [--no-python]
//                   [--markdown] [--deno-client] [word]
//
// A word runs only the benchmarks whose title contains it (the word
// "network" runs only the network table); --quick runs one timed round of
// the in-memory shapes instead of five; the network table runs its quick
// mode unless --full is given (three rounds and medians).

import { compare, type Comparison, type Row } from "./_harness.ts";
import {
  hasPythonShape,
  type PythonMode,
  pythonModes,
  pythonUsPerOp,
} from "./_python.ts";
import { comparisons as taskComparisons } from "./tasks_bench.ts";
import { comparisons as combinatorComparisons } from "./combinators_bench.ts";
import { comparisons as syncComparisons } from "./sync_bench.ts";
import { comparisons as queueComparisons } from "./queues_bench.ts";
import { comparisons as subprocessComparisons } from "./subprocess_bench.ts";
import { comparisons as diagnosticsComparisons } from "./diagnostics_bench.ts";
import { comparisons as datagramComparisons } from "./datagram_bench.ts";
import { comparisons as sendfileComparisons } from "./sendfile_bench.ts";
import { comparisons as tlsComparisons } from "./tls_bench.ts";
import {
  measure as measureNetwork,
  render as renderNetwork,
} from "./network.ts";

const FLAGS = [
  "--quick",
  "--full",
  "--no-network",
  "--no-python",
  "--markdown",
  "--deno-client",
];
const unknown = Deno.args.filter((a) =>
  a.startsWith("--") && !FLAGS.includes(a)
);
const words = Deno.args.filter((a) => !a.startsWith("--"));
if (unknown.length > 0 || words.length > 1) {
  console.error(
    `deno task bench: unknown ${
      unknown.length > 0
        ? `flag ${unknown.join(" ")}`
        : `words ${words.join(" ")}`
    }; usage: deno task bench [${FLAGS.join("] [")}] [word]`,
  );
  Deno.exit(2);
}
const quick = Deno.args.includes("--quick");
const full = Deno.args.includes("--full");
const noNetwork = Deno.args.includes("--no-network");
const noPython = Deno.args.includes("--no-python");
const markdown = Deno.args.includes("--markdown");
const filter = Deno.args.find((a) => !a.startsWith("--"))?.toLowerCase();
const all: Comparison[] = [
  ...taskComparisons(),
  ...combinatorComparisons(),
  ...syncComparisons(),
  ...queueComparisons(),
  ...subprocessComparisons(),
  ...diagnosticsComparisons(),
  ...datagramComparisons(),
  ...sendfileComparisons(),
  ...tlsComparisons(),
];
const shapes = all.filter((c) =>
  !filter || c.title.toLowerCase().includes(filter)
);
const network = !noNetwork && (!filter || filter === "network");
const modes: PythonMode[] = noPython || shapes.length === 0
  ? []
  : await pythonModes();
if (modes.length === 0 && !noPython && shapes.length > 0) {
  console.error("python3 not found: no CPython columns");
}

const LABEL: Record<PythonMode, string> = {
  asyncio: "CPython asyncio",
  uvloop: "uvloop",
};
const fmtUs = (us: number) =>
  us >= 100 ? us.toFixed(0) : us >= 1 ? us.toFixed(2) : us.toFixed(3);
/** Their time / ours: above 1x we are faster. */
const fmtRatio = (theirs: number, ours: number) =>
  `${(theirs / ours).toFixed(2)}x`;

const table: string[][] = [];
const started = performance.now();
for (const comparison of shapes) {
  console.error(`running: ${comparison.title}`);
  const rounds = comparison.rounds ?? (quick ? 1 : 5);
  const rows: Row[] = await compare({ ...comparison, rounds });
  const [ours, ...baselines] = rows;
  const python: string[] = [];
  if (hasPythonShape(comparison)) {
    for (const mode of modes) {
      const us = await pythonUsPerOp(comparison, mode, rounds);
      python.push(
        us === null ? "-" : fmtUs(us),
        us === null ? "" : fmtRatio(us, ours.usPerOp),
      );
    }
  } else {
    for (const _ of modes) python.push("", "");
  }
  baselines.forEach((baseline, i) => {
    table.push([
      i === 0 ? comparison.title : "",
      i === 0 ? fmtUs(ours.usPerOp) : "",
      baseline.contender,
      fmtUs(baseline.usPerOp),
      fmtRatio(baseline.usPerOp, ours.usPerOp),
      ...(i === 0 ? python : python.map(() => "")),
    ]);
  });
}

const header = [
  "benchmark",
  "ours µs/op",
  "baseline",
  "µs/op",
  "ours vs it",
  ...modes.flatMap((m) => [`${LABEL[m]} µs/op`, "ours vs it"]),
];
const widths = header.map((h, i) =>
  Math.max(h.length, ...table.map((row) => row[i].length))
);
const line = markdown
  ? (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`
  : (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
if (shapes.length > 0) {
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of table) console.log(line(row));
  console.log(
    "\n'ours vs it' = its time / ours: above 1x we are faster, below 1x slower." +
      `\n${quick ? "--quick: one timed round each" : "median of the rounds"}.`,
  );
}
if (network) {
  if (shapes.length > 0) console.log();
  const run = await measureNetwork({
    full,
    python: !noPython,
    denoClient: Deno.args.includes("--deno-client"),
    log: (line) => console.error(line),
  });
  console.log(renderNetwork([run], markdown));
} else if (noNetwork) {
  console.error("--no-network: no network table");
}
console.log(
  `\n${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
);

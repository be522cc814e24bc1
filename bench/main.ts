// `deno task bench`: every benchmark beside its baselines, in one table.
// Where `python3` is installed, the same shapes in CPython's asyncio (and
// uvloop when it can be imported) are added as columns; see bench/python/.
//
//   deno task bench [--quick] [--no-python] [--markdown] [word]
//
// A word runs only the benchmarks whose title contains it; --quick runs one
// timed round of the in-memory shapes instead of five (the I/O shapes keep
// their own count: their load clients live for exactly that many runs).

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
import { comparisons as transportComparisons } from "./transports_bench.ts";
import { comparisons as subprocessComparisons } from "./subprocess_bench.ts";
import { comparisons as diagnosticsComparisons } from "./diagnostics_bench.ts";
import { comparisons as streamsComparisons } from "./streams_bench.ts";
import { comparisons as datagramComparisons } from "./datagram_bench.ts";
import { comparisons as sendfileComparisons } from "./sendfile_bench.ts";
import { comparisons as tlsComparisons } from "./tls_bench.ts";

const quick = Deno.args.includes("--quick");
const noPython = Deno.args.includes("--no-python");
const markdown = Deno.args.includes("--markdown");
const filter = Deno.args.find((a) => !a.startsWith("--"))?.toLowerCase();
const all: Comparison[] = [
  ...taskComparisons(),
  ...combinatorComparisons(),
  ...syncComparisons(),
  ...queueComparisons(),
  ...transportComparisons(),
  ...subprocessComparisons(),
  ...diagnosticsComparisons(),
  ...streamsComparisons(),
  ...datagramComparisons(),
  ...sendfileComparisons(),
  ...tlsComparisons(),
];
const modes: PythonMode[] = noPython ? [] : await pythonModes();
if (modes.length === 0 && !noPython) {
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
for (const comparison of all) {
  if (filter && !comparison.title.toLowerCase().includes(filter)) continue;
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
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of table) console.log(line(row));
console.log(
  "\n'ours vs it' = its time / ours: above 1x we are faster, below 1x slower." +
    `\n${quick ? "--quick: one timed round each" : "median of the rounds"}; ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
);

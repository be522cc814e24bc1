// `deno task bench`: every benchmark beside its baselines, one table.
// Pass a word to run only the benchmarks whose title contains it.

import { compare, printRows, type Row } from "./_harness.ts";
import { comparisons as taskComparisons } from "./tasks_bench.ts";
import { comparisons as combinatorComparisons } from "./combinators_bench.ts";
import { comparisons as syncComparisons } from "./sync_bench.ts";
import { comparisons as queueComparisons } from "./queues_bench.ts";
import { comparisons as transportComparisons } from "./transports_bench.ts";
import { comparisons as subprocessComparisons } from "./subprocess_bench.ts";
import { comparisons as diagnosticsComparisons } from "./diagnostics_bench.ts";
import { comparisons as streamsComparisons } from "./streams_bench.ts";

const filter = Deno.args[0]?.toLowerCase();
const all = [
  ...taskComparisons(),
  ...combinatorComparisons(),
  ...syncComparisons(),
  ...queueComparisons(),
  ...transportComparisons(),
  ...subprocessComparisons(),
  ...diagnosticsComparisons(),
  ...streamsComparisons(),
];
const rows: Row[] = [];
for (const comparison of all) {
  if (filter && !comparison.title.toLowerCase().includes(filter)) continue;
  console.error(`running: ${comparison.title}`);
  rows.push(...await compare(comparison));
}
printRows(rows);

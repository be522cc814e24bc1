// The benchmark harness: every shape runs beside its baselines in the same
// process, alternating rounds, and the median of the rounds is compared.
// These machines are noisy, so ratios are what we report, not absolute times.

/** One contender: a function that does `ops` operations once. */
export type Work = () => unknown | Promise<unknown>;

/** A benchmark: our shape and the baselines it is measured against. */
export interface Comparison {
  /** What is measured, e.g. "1,000,000 task steps". */
  title: string;
  /** How many operations one run does (for µs/op). */
  ops: number;
  /** Our implementation. */
  ours: Work;
  /** Named baselines. */
  baselines: Record<string, Work>;
  /** Rounds to run (each contender once a round). */
  rounds?: number;
}

/** One printed row. */
export interface Row {
  title: string;
  contender: string;
  usPerOp: number;
  /** baseline time / our time: above 1 means we are faster. */
  speedup: number | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeOnce(work: Work): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Runs one comparison and returns its rows (ours first). */
export async function compare(c: Comparison): Promise<Row[]> {
  const rounds = c.rounds ?? 5;
  const names = ["asyncio-deno", ...Object.keys(c.baselines)];
  const works = [c.ours, ...Object.values(c.baselines)];
  // One warm-up run each, so that JIT tiers settle before timing.
  for (const work of works) await work();
  const times: number[][] = names.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < works.length; i++) {
      times[i].push(await timeOnce(works[i]));
    }
  }
  const medians = times.map(median);
  return names.map((contender, i) => ({
    title: c.title,
    contender,
    usPerOp: (medians[i] * 1000) / c.ops,
    speedup: i === 0 ? null : medians[i] / medians[0],
  }));
}

/** Prints rows as a table. */
export function printRows(rows: Row[]): void {
  const header = ["benchmark", "contender", "µs/op", "ours vs it"];
  const lines = rows.map((r) => [
    r.title,
    r.contender,
    r.usPerOp.toFixed(4),
    r.speedup === null ? "" : `${r.speedup.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => l[i].length))
  );
  const fmt = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(fmt(line));
  console.log(
    "\n'ours vs it' = the baseline's time / ours: above 1x we are faster.",
  );
}

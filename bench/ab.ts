// A/B of two copies of the library: the working tree against a baseline
// tree (another checkout, or `git archive` of a commit), shape by shape, in
// many alternating rounds (A B, then B A, ...), so that both see the same
// machine noise. It prints, per shape, the median time of each and the
// median of the per-round ratios (new / base: above 1 means slower).
//
//   git archive main --prefix=base/ | tar -x -C /tmp/ab
//   deno run -A bench/ab.ts --base /tmp/ab/base [--head <dir>] \
//     [--rounds 10] [--inner 5] [word]
//
// Each round runs each copy in a process of its own (2 warm-ups, then
// `--inner` timed runs, each after a full collection; the process reports
// their median). Times are CPU time (user + system) of the process, which
// other processes on a shared machine disturb less than wall time; --wall
// measures wall time instead. Two copies loaded in one process do not measure alike:
// the copy imported first runs the task-step shape some 20% faster than an
// identical copy imported second. --head compares another tree instead of
// this one; an A/A run (two copies of one commit) shows the noise floor. A
// word runs only the shapes whose name contains it.

import { resolve } from "node:path";
import { cpuUsage } from "node:process";
import { pathToFileURL } from "node:url";
import type { Lib, Shape } from "./_ab_shapes.ts";

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i === -1 ? undefined : Deno.args[i + 1];
}

const VALUED = new Set(["--base", "--head", "--rounds", "--inner", "--child"]);
const filter = Deno.args.find((a, i) =>
  !a.startsWith("--") && !VALUED.has(Deno.args[i - 1])
)?.toLowerCase();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function shapesOf(dir: string | undefined): Promise<Shape[]> {
  const lib: Lib = await import(
    dir === undefined ? "../mod.ts" : pathToFileURL(resolve(dir, "mod.ts")).href
  );
  return (await import("./_ab_shapes.ts")).shapes(lib);
}

const child = arg("--child");
if (child !== undefined) {
  // Child: one copy, one shape; prints the median of the inner timings.
  const gc = (globalThis as { gc?: () => void }).gc;
  const shapes = await shapesOf(child === "." ? undefined : child);
  const shape = shapes.find((s) => s.name === arg("--shape"))!;
  const inner = Number(arg("--inner") ?? 5);
  for (let i = 0; i < 2; i++) await shape.run();
  const times: number[] = [];
  const wall = Deno.args.includes("--wall");
  for (let i = 0; i < inner; i++) {
    gc?.();
    const start = performance.now();
    const cpu = cpuUsage();
    for (let j = 0; j < (shape.repeat ?? 1); j++) await shape.run();
    const used = cpuUsage(cpu);
    times.push(
      wall ? performance.now() - start : (used.user + used.system) / 1000,
    );
  }
  await shape.done?.();
  console.log(JSON.stringify([median(times), Math.min(...times)]));
  Deno.exit(0);
}

const baseDir = arg("--base");
if (baseDir === undefined) {
  console.error(
    "usage: bench/ab.ts --base <dir> [--head <dir>] [--rounds N] [--inner N] [word]",
  );
  Deno.exit(2);
}
const headDir = arg("--head") ?? ".";
const rounds = Number(arg("--rounds") ?? 10);
const inner = arg("--inner") ?? "5";

async function timeIn(
  dir: string,
  shape: string,
): Promise<[number, number]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--child",
      dir,
      "--shape",
      shape,
      "--inner",
      inner,
      ...(Deno.args.includes("--wall") ? ["--wall"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `${shape} in ${dir} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(stdout));
}

const rows: string[][] = [];
for (const { name } of await shapesOf(undefined)) {
  if (filter && !name.toLowerCase().includes(filter)) continue;
  console.error(`running: ${name}`);
  const a: number[] = [];
  const b: number[] = [];
  let minA = Infinity;
  let minB = Infinity;
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ta: [number, number], tb: [number, number];
    if (r % 2 === 0) {
      ta = await timeIn(baseDir, name);
      tb = await timeIn(headDir, name);
    } else {
      tb = await timeIn(headDir, name);
      ta = await timeIn(baseDir, name);
    }
    a.push(ta[0]);
    b.push(tb[0]);
    minA = Math.min(minA, ta[1]);
    minB = Math.min(minB, tb[1]);
    ratios.push(tb[0] / ta[0]);
  }
  rows.push([
    name,
    median(a).toFixed(1),
    median(b).toFixed(1),
    median(ratios).toFixed(3),
    `${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}`,
    minA.toFixed(1),
    minB.toFixed(1),
    (minB / minA).toFixed(3),
  ]);
}

const unit = Deno.args.includes("--wall") ? "ms" : "cpu ms";
const header = [
  "shape",
  `base ${unit}`,
  `new ${unit}`,
  "new/base",
  "range",
  "base min",
  "new min",
  "min new/base",
];
const widths = header.map((h, i) =>
  Math.max(h.length, ...rows.map((r) => r[i].length))
);
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));
console.log(
  `\n${rounds} rounds, alternating (A B, B A, ...), each copy in its own ` +
    `process: 2 warm-ups, then the median of ${inner} timed runs. new/base ` +
    "is the median of the per-round ratios (above 1: new is slower); the " +
    "min columns are the fastest run of each over all rounds (what noise " +
    "from other processes can only slow).",
);

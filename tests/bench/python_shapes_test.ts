// The CPython columns of `deno task bench` stay attached to the benchmarks
// they mirror: every script is named by a benchmark that exists, exists
// itself, and runs (when python3 is installed; timing is for the bench, this
// only checks that it reports a number).

import assert from "node:assert/strict";
import { pythonScripts } from "../../bench/_python.ts";
import { comparisons as tasks } from "../../bench/tasks_bench.ts";
import { comparisons as combinators } from "../../bench/combinators_bench.ts";
import { comparisons as sync } from "../../bench/sync_bench.ts";
import { comparisons as queues } from "../../bench/queues_bench.ts";
import { comparisons as subprocess } from "../../bench/subprocess_bench.ts";

const titles = [
  ...tasks(),
  ...combinators(),
  ...sync(),
  ...queues(),
  ...subprocess(),
].map((c) => c.title);

Deno.test("bench/_python.ts: every Python script belongs to a benchmark that exists, and the file exists", async () => {
  for (const [title, script] of Object.entries(pythonScripts())) {
    assert.ok(titles.includes(title), `no benchmark is titled "${title}"`);
    const info = await Deno.stat(
      new URL(`../../bench/python/${script}`, import.meta.url),
    );
    assert.ok(info.isFile, script);
  }
});

Deno.test("bench/python/_shape.py: a shape reports its time per operation as JSON", async () => {
  const script = `
import asyncio, sys
sys.path.insert(0, ${
    JSON.stringify(new URL("../../bench/python/", import.meta.url).pathname)
  })
from _shape import main
async def shape():
    await asyncio.sleep(0)
main(shape, 10)
`;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("python3", {
      args: ["-c", script, "asyncio", "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // no python3 here
    throw error;
  }
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const { usPerOp } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(typeof usPerOp, "number");
  assert.ok(usPerOp > 0);
});

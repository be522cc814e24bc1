// The CPython columns of `deno task bench`: the same shapes, same sizes, in
// Python's asyncio (and uvloop when it can be imported), from the scripts in
// bench/python/. Without `python3` on the machine the columns are left out.
// (The echo servers' Python rows are bench/network.ts's.)

import type { Comparison } from "./_harness.ts";

const DIR = new URL("./python/", import.meta.url);

/** The Python runtimes to compare with. */
export type PythonMode = "asyncio" | "uvloop";

/** Which script runs which benchmark, by its title. */
const SCRIPTS: Record<string, string> = {
  "10,000 tasks x 100 sleep(0)": "tasks_sleep0.py",
  "1,000,000 yield* of a done Future": "done_future.py",
  "gather() of 10,000 short tasks": "gather_short.py",
  "taskGroup() of 10,000 short tasks": "taskgroup_short.py",
  "2 tasks alternating on one Lock, 100,000 acquires each": "lock_alternate.py",
  "2 tasks alternating on one Lock via `using hold()`, 100,000 each":
    "lock_async_with.py",
  "1,000,000 items through Queue(100), 1 producer 1 consumer": "queue_items.py",
  "500 sequential spawns of true": "spawn_sequential.py",
  "100 concurrent spawns of true": "spawn_concurrent.py",
  "100 MiB through cat (communicate)": "communicate_cat.py",
};

async function python(args: string[]): Promise<Deno.CommandOutput | null> {
  try {
    return await new Deno.Command("python3", {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The runtimes available here: none, asyncio, or asyncio and uvloop. */
export async function pythonModes(): Promise<PythonMode[]> {
  const has = async (module: string) =>
    (await python(["-c", `import ${module}`]))?.code === 0;
  if (!await has("asyncio")) return [];
  return await has("uvloop") ? ["asyncio", "uvloop"] : ["asyncio"];
}

/** The titles with a Python script, and the script of each. */
export function pythonScripts(): Record<string, string> {
  return { ...SCRIPTS };
}

/** Whether a Python counterpart exists for this benchmark. */
export function hasPythonShape(c: Comparison): boolean {
  return c.title in SCRIPTS;
}

/** µs per operation of the Python counterpart, or null if there is none. */
export async function pythonUsPerOp(
  c: Comparison,
  mode: PythonMode,
  rounds: number,
): Promise<number | null> {
  const script = SCRIPTS[c.title];
  if (script === undefined) return null;
  const out = await python([
    new URL(script, DIR).pathname,
    mode,
    String(rounds),
  ]);
  if (out === null) return null;
  if (out.code !== 0) {
    throw new Error(
      `${script} (${mode}) failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)).usPerOp;
}

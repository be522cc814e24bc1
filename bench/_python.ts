// The CPython columns of `deno task bench`: the same shapes, same sizes, in
// Python's asyncio (and uvloop when it can be imported), from the scripts in
// bench/python/. Without `python3` on the machine the columns are left out.

import type { Comparison } from "./_harness.ts";
import { EchoLoadClient, type EchoLoadOptions } from "./_echo_client.ts";

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

/** The echo cells: "TCP echo, 10 conn x 1 KiB", "streams echo, ...". */
const ECHO = /^(TCP|streams) echo, (\d+) conn x (64 B|1 KiB|64 KiB)$/;
const ECHO_BYTES: Record<string, number> = {
  "64 B": 64,
  "1 KiB": 1024,
  "64 KiB": 65536,
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
  return c.title in SCRIPTS || ECHO.test(c.title);
}

/** µs per operation of the Python counterpart, or null if there is none. */
export async function pythonUsPerOp(
  c: Comparison,
  mode: PythonMode,
  rounds: number,
): Promise<number | null> {
  const script = SCRIPTS[c.title];
  if (script !== undefined) {
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
  const echo = ECHO.exec(c.title);
  if (echo === null) return null;
  // One operation is one echoed message, as in the Deno cells.
  return await echoUsPerOp(
    echo[1] === "TCP" ? "protocol" : "streams",
    mode,
    rounds,
    {
      connections: Number(echo[2]),
      size: ECHO_BYTES[echo[3]],
      requests: c.ops,
      newline: true,
    },
  );
}

/** Times the load client against a Python echo server. */
async function echoUsPerOp(
  kind: "protocol" | "streams",
  mode: PythonMode,
  rounds: number,
  load: Omit<EchoLoadOptions, "port">,
): Promise<number | null> {
  const child = new Deno.Command("python3", {
    args: [
      new URL("echo_server.py", DIR).pathname,
      kind,
      String(load.size),
      mode,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const client = new EchoLoadClient();
  try {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return null;
      text += new TextDecoder().decode(value);
    }
    const port = Number(text.trim());
    await client.run({ ...load, port }); // warm-up
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      await client.run({ ...load, port });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return (times[Math.floor(times.length / 2)] * 1000) / load.requests;
  } finally {
    client.close();
    reader.releaseLock();
    child.kill();
    await child.stdout.cancel();
    await child.status;
  }
}

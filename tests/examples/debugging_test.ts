import assert from "node:assert/strict";

async function runExample(
  script: string,
  flags: string[],
  args: string[] = [],
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      new URL(`../../examples/${script}`, import.meta.url).href,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

Deno.test("examples: debugging.ts reports a blocking task, dumps a hung task group, and reports an unclosed server", async () => {
  const out = await runExample("debugging.ts", ["--allow-net"]);
  assert.match(
    out,
    /\[warning\] Executing <Task pending name='cruncher' .*> took 0\.1\d\d seconds/,
  );
  assert.match(
    out,
    new RegExp(
      [
        "- Task 'Task-1' \\(pending\\): waiting",
        "  └─ awaits TaskGroup \\(pending\\), waiting for:",
        "     ├─ Task 'fetch-reply' \\(pending\\)",
        "     │  └─ awaits Future \\(pending\\)",
        "     └─ Task 'heartbeat' \\(pending\\)",
        "        └─ awaits Future \\(pending\\)",
        "  created at .*examples/debugging\\.ts:\\d+:\\d+",
      ].join("\n"),
    ),
  );
  assert.match(out, /gave up after 0\.5 s/);
  assert.match(
    out,
    /\[warning\] Unclosed server on 127\.0\.0\.1:\d+: it was still open when its event loop closed/,
  );
});

Deno.test("examples: cpu_offload.ts computes in Workers while the loop ticks", async () => {
  const out = await runExample("cpu_offload.ts", ["--allow-read"], [
    "--workers",
    "2",
    "--n",
    "27",
  ]);
  assert.match(out, /^4 x fib\(27\) = 196418 on 2 Workers in \d+\.\d\d s$/m);
  assert.match(out, /^the loop ticked \d+ times meanwhile \(every 10 ms\)$/m);
  assert.match(out, /^fib\(25\) = 75025$/m);
});

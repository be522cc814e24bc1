import assert from "node:assert/strict";
import { run } from "@asyncio/asyncio/eventloop";
import { runCommands } from "../../examples/parallel_commands.ts";
import { test } from "./_child.ts";

test("examples: runCommands runs commands a few at a time, merges stderr, kills those over the limit", async () => {
  const log: string[] = [];
  const results = await run(
    runCommands(
      ["echo hello", "echo oops >&2; exit 3", "sleep 30", "printf '%s' done"],
      { jobs: 2, limit: 0.5 },
      (line) => log.push(line),
    ),
  );
  assert.deepEqual(
    results.map((r) => [r.returncode, r.output, r.timedOut]),
    [[0, "hello\n", false], [3, "oops\n", false], [-9, "", true], [
      0,
      "done",
      false,
    ]],
  );
  assert.ok(results[2].seconds < 5);
  // At most two ran at once: the third started only after one finished.
  const firstDone = log.findIndex((l) => l.startsWith("done:"));
  assert.ok(log.indexOf("start: sleep 30") > firstDone, log.join("\n"));
});

test("examples: parallel_commands.ts runs as a program", async () => {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-run",
      new URL("../../examples/parallel_commands.ts", import.meta.url).href,
      "--limit",
      "0.5",
      "echo hi",
      "sleep 30",
    ],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, text);
  assert.match(text, /exit 0 +echo hi: hi/);
  assert.match(text, /killed \(time limit\) +sleep 30:/);
});

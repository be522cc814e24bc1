import assert from "node:assert/strict";
import { test } from "./_child.ts";

test("demo: `deno task demo` runs the whole tour in a few seconds and exits 0", async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "demo"],
    cwd: new URL("../../", import.meta.url),
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.ok(seconds < 15, `the demo took ${seconds} s`);
  for (
    const expected of [
      /^== 1\. Tasks side by side, and a cancellation that runs finally ==$/m,
      /fast: finally ran after \d+ beats/,
      /slow: finally ran after \d+ beats/,
      /main: fast cancelled \(the demo moves on\)/,
      /^== 2\. A TCP echo server and 50 clients at once ==$/m,
      /clients: 50 clients x 20 lines, 1000 echoed back in \d+ ms/,
      /server: closed/,
      /^== 3\. A timeout firing/m,
      /slow: cancelled by the timeout, its finally ran/,
      /slow: timed out/,
      /quick: found/,
      /^== 4\. A child process/m,
      /child: answered "SHOUT THIS, PLEASE", exit code 0/,
      /^== Summary ==$/m,
      /^ {2}tasks {7}2 workers ran side by side/m,
      /^ {2}server {6}50 concurrent clients, 1000\/1000 lines echoed/m,
      /^ {2}timeout {5}4 lookups, 1 timed out, 2 at a time$/m,
      /^ {2}subprocess {2}deno eval uppercased its stdin, exit code 0$/m,
      /^Done in \d+\.\d\d s\./m,
    ]
  ) {
    assert.match(out, expected);
  }
});

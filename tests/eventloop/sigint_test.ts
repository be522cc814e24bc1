import assert from "node:assert/strict";

const PROGRAM = new URL("./_sigint/program.ts", import.meta.url);

/** Runs the program, sends SIGINT once it is ready, and returns its output. */
async function interrupt(variant: string, signals = 1) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-check", PROGRAM.href, variant],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await stdout.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGINT");
  if (signals > 1) {
    while (!out.includes("ignoring the cancellation\n")) {
      const { value, done } = await stdout.read();
      if (done) break;
      out += value;
    }
    child.kill("SIGINT");
  }
  while (true) {
    const { value, done } = await stdout.read();
    if (done) break;
    out += value;
  }
  const err = await new Response(child.stderr).text();
  const status = await child.status;
  return { out, err, code: status.code, signal: status.signal };
}

Deno.test("run(): Ctrl-C cancels the main task, its finally runs, and run() throws KeyboardInterrupt", async () => {
  const { out, err, code, signal } = await interrupt("plain");
  assert.equal(out, "ready\nfinally ran\n");
  assert.match(
    err,
    /^error: Uncaught KeyboardInterrupt: interrupted by Ctrl-C/m,
  );
  // Uncaught, it ends the program by SIGINT, as Python does: status 130.
  assert.equal(signal, "SIGINT");
  assert.equal(code, 130);
});

Deno.test("Runner.run(): an uncaught KeyboardInterrupt also ends the program by SIGINT", async () => {
  const { out, err, code, signal } = await interrupt("runner");
  assert.equal(out, "ready\nfinally ran\n");
  assert.match(err, /KeyboardInterrupt/);
  assert.equal(signal, "SIGINT");
  assert.equal(code, 130);
});

Deno.test("run(): a KeyboardInterrupt caught, then rethrown, still ends the program with status 130", async () => {
  const { out, code, signal } = await interrupt("rethrow");
  assert.equal(out, "ready\nfinally ran\ncleaning up, then rethrowing\n");
  assert.equal(signal, "SIGINT");
  assert.equal(code, 130);
});

Deno.test("run(): other uncaught errors still end the program with status 1", async () => {
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--no-check",
      `import { run } from ${
        JSON.stringify(new URL("../../eventloop/mod.ts", import.meta.url).href)
      };
       await run(function* () { yield; throw new RangeError("plain failure"); });`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(child.code, 1);
  assert.equal(child.signal, null);
  assert.match(
    new TextDecoder().decode(child.stderr),
    /RangeError: plain failure/,
  );
});

Deno.test("run(): KeyboardInterrupt can be caught around run()", async () => {
  const { out, code } = await interrupt("catch");
  assert.equal(out, "ready\nfinally ran\ncaught KeyboardInterrupt\n");
  assert.equal(code, 0);
});

Deno.test("run(): a program's own SIGINT handler takes Ctrl-C instead", async () => {
  const { out, code } = await interrupt("own-handler");
  assert.equal(out, "ready\nown handler ran\nmain returned\n");
  assert.equal(code, 0);
});

Deno.test("run(): a second Ctrl-C ends a program that ignores the first", async () => {
  const { out, code, signal } = await interrupt("stubborn", 2);
  assert.equal(out, "ready\nignoring the cancellation\n");
  assert.equal(signal, "SIGINT");
  assert.equal(code, 130);
});

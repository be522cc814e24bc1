import assert from "node:assert/strict";
import { ExampleProcess, runExample, test } from "./_child.ts";

/** One GET on a new connection; the body. */
async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return await response.text();
}

test("examples: supervisor.ts runs reusePort workers on one port, restarts a dead one, and stops them all on SIGINT", async () => {
  const supervisor = new ExampleProcess("supervisor.ts", [
    "--allow-run",
    "--allow-net=127.0.0.1",
  ], ["--workers", "2", "--port", "0"]);
  let exited;
  try {
    const [, port] = await supervisor.waitForLine(
      /^all 2 workers ready on 127\.0\.0\.1:(\d+)$/,
    );
    const pids = supervisor.lines
      .map((l) => l.match(/^\[w[12]\] worker (\d+) ready on /)?.[1])
      .filter((pid) => pid !== undefined);
    assert.equal(pids.length, 2);

    // The kernel spreads new connections over both workers.
    const seen = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const body = await get(Number(port));
      const pid = body.match(/^hello from worker (\d+)\n$/)?.[1];
      assert.ok(pid && pids.includes(pid), body);
      seen.set(pid, (seen.get(pid) ?? 0) + 1);
    }
    assert.equal(seen.size, 2, `all requests went to one worker: ${[...seen]}`);

    // A worker that dies is replaced, on the same port.
    Deno.kill(Number(pids[0]), "SIGKILL");
    await supervisor.waitForLine(/^w1 exited with -9; restarting it$/);
    const [, newPid] = await supervisor.waitForLine(
      /^\[w1\] worker (\d+) ready on 127\.0\.0\.1:\d+$/,
    );
    assert.notEqual(newPid, pids[0]);
    for (let i = 0; i < 10; i++) {
      assert.match(await get(Number(port)), /^hello from worker \d+\n$/);
    }
    exited = await supervisor.finish("SIGINT");
  } finally {
    exited ??= await supervisor.finish("SIGKILL");
  }
  assert.equal(exited.code, 0, exited.stderr);
  const lines = exited.stdout.split("\n");
  assert.ok(lines.includes("stopping 2 workers"), exited.stdout);
  const stopped = lines.filter((l) =>
    /^\[w[12]\] worker \d+ stopped after \d+ requests$/.test(l)
  );
  assert.equal(stopped.length, 2, exited.stdout);
  assert.equal(lines.at(-1), "all workers stopped (1 restarts)");
});

test("examples: supervisor.ts on a terminal's Ctrl-C (SIGINT to the whole group) stops cleanly without restarts", async () => {
  const supervisor = new ExampleProcess("supervisor.ts", [
    "--allow-run",
    "--allow-net=127.0.0.1",
  ], ["--workers", "2", "--port", "0"]);
  let exited;
  try {
    const [, port] = await supervisor.waitForLine(
      /^all 2 workers ready on 127\.0\.0\.1:(\d+)$/,
    );
    assert.match(await get(Number(port)), /^hello from worker \d+\n$/);
    // The example runs in a process group of its own, as a shell job would.
    Deno.kill(-supervisor.pid, "SIGINT");
    exited = await supervisor.finish();
  } finally {
    exited ??= await supervisor.finish("SIGKILL");
  }
  assert.equal(exited.code, 0, exited.stderr);
  assert.doesNotMatch(exited.stdout, /restarting/);
  assert.equal(
    exited.stdout.split("\n").filter((l) =>
      / stopped after \d+ requests$/.test(l)
    )
      .length,
    2,
    exited.stdout,
  );
  assert.equal(
    exited.stdout.split("\n").at(-1),
    "all workers stopped (0 restarts)",
  );
});

test("examples: multicore_server.ts without --unstable-net says it needs the flag and exits 1, without a stack trace", async () => {
  const exited = await runExample("multicore_server.ts", [
    "--allow-net=127.0.0.1",
  ], ["--port", "0"]);
  assert.equal(exited.code, 1);
  assert.equal(exited.stdout, "");
  assert.equal(
    exited.stderr,
    "multicore_server: Cannot create server with 'reusePort': Deno allows SO_REUSEPORT only with the --unstable-net flag\n",
  );
});

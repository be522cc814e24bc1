// createSubprocessExec / createSubprocessShell, with real child processes:
// what they start and what they refuse (the Process they give is
// tests/subprocess/process_test.ts).

import assert from "node:assert/strict";
import { test } from "./_sanitized.ts";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { createTask, sleep, waitFor } from "../../tasks/mod.ts";
import {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  STDOUT,
} from "../../subprocess/mod.ts";
import { assertCancelled } from "./_helpers.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const MiB = 1024 * 1024;

test("createSubprocessExec() with stderr STDOUT reads both through proc.stdout", async () => {
  const [text, err, stderr] = await run(function* () {
    const proc = yield* createSubprocessExec(
      Deno.execPath(),
      [
        "eval",
        "console.log('to stdout'); console.error('to stderr'); await new Promise((r) => setTimeout(r, 50)); console.log('last');",
      ],
      { stdout: PIPE, stderr: STDOUT },
    );
    const [out, err] = yield* proc.communicate();
    return [decoder.decode(out!), err, proc.stderr];
  }());
  assert.equal(err, null);
  assert.equal(stderr, null);
  assert.deepEqual(text.split("\n").sort(), [
    "",
    "last",
    "to stderr",
    "to stdout",
  ]);
  assert.ok(text.endsWith("last\n"));
});

test("createSubprocessExec() with DEVNULL has no stream and drops output", async () => {
  await run(function* () {
    const proc = yield* createSubprocessExec("sh", [
      "-c",
      "cat; echo out; echo err >&2",
    ], {
      stdin: DEVNULL,
      stdout: DEVNULL,
      stderr: DEVNULL,
    });
    assert.equal(proc.stdin, null);
    assert.equal(proc.stdout, null);
    assert.equal(proc.stderr, null);
    assert.deepEqual(yield* proc.communicate(), [null, null]);
    assert.equal(proc.returncode, 0);
  }());
  await run(function* () {
    const proc = yield* createSubprocessShell("echo gone >&2", {
      stdout: DEVNULL,
      stderr: STDOUT,
    });
    assert.equal(proc.stdout, null);
    assert.equal(yield* proc.wait(), 0);
  }());
});

test("createSubprocessExec() passes env (replacing the environment) and cwd", async () => {
  const dir = await Deno.makeTempDir();
  const real = await Deno.realPath(dir);
  try {
    const text = await run(function* () {
      const proc = yield* createSubprocessExec(
        "sh",
        ["-c", 'pwd; echo "$ANSWER ${USER:-unset}"'],
        { stdout: PIPE, cwd: dir, env: { ANSWER: "42" } },
      );
      const [out] = yield* proc.communicate();
      return decoder.decode(out!);
    }());
    assert.equal(text, `${real}\n42 unset\n`);
    const inherited = await run(function* () {
      const proc = yield* createSubprocessShell("echo $ASYNCIO_DENO_T", {
        stdout: PIPE,
        env: { ...Deno.env.toObject(), ASYNCIO_DENO_T: "added" },
      });
      const [out] = yield* proc.communicate();
      return decoder.decode(out!);
    }());
    assert.equal(inherited, "added\n");
  } finally {
    await Deno.remove(dir);
  }
});

test("cancelling the task that owns a process, then closing the loop, leaves no child behind", async () => {
  let pid = 0;
  await run(function* () {
    const owner = createTask(function* () {
      const proc = yield* createSubprocessExec("sleep", ["30"], {
        stdin: PIPE,
        stdout: PIPE,
        stderr: PIPE,
      });
      pid = proc.pid;
      yield* proc.communicate();
    }());
    yield* sleep(0.05);
    owner.cancel();
    yield* assertCancelled(owner);
  }());
  assert.ok(pid > 0);
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      Deno.kill(pid, "SIGCONT");
      await new Promise((r) => setTimeout(r, 10));
    } catch {
      alive = false;
    }
  }
  assert.ok(!alive, "the child still runs");
});

test("createSubprocessExec() fails clearly on bad input", async (t) => {
  const fails = async (
    body: () => Generator<unknown, unknown, unknown>,
    expected: RegExp | (new (...a: never[]) => Error),
  ) => {
    await run(function* () {
      let caught: unknown;
      try {
        yield* body() as Generator<undefined, unknown, unknown>;
      } catch (error) {
        caught = error;
      }
      if (expected instanceof RegExp) {
        assert.ok(caught instanceof Error, String(caught));
        assert.match(caught.message, expected);
      } else {
        assert.ok(caught instanceof expected, String(caught));
      }
    }());
  };
  await t.step(
    "a program that does not exist: NotFound",
    () =>
      fails(
        () => createSubprocessExec("no-such-program-asyncio-deno"),
        Deno.errors.NotFound,
      ),
  );
  await t.step(
    "a bad stdio value names the option",
    () =>
      fails(
        () => createSubprocessExec("true", [], { stdin: "piped" as "pipe" }),
        /'stdin' must be "pipe", "null" or "inherit": received "piped"/,
      ),
  );
  await t.step(
    "a bad limit",
    () =>
      fails(
        () => createSubprocessExec("true", [], { limit: 0 }),
        /'limit' must be a positive integer: received 0/,
      ),
  );
  await t.step("a startNewSession that is not a boolean", () =>
    fails(
      () => createSubprocessExec("true", [], { startNewSession: 1 as never }),
      /'startNewSession' must be a boolean: received 1/,
    ));
  await t.step("a limit that is not a number", () =>
    fails(
      () => createSubprocessExec("true", [], { limit: "64" as never }),
      TypeError,
    ));
  await t.step("an unknown option lists the options", () =>
    fails(
      () => createSubprocessShell("true", { stdOut: PIPE } as never),
      /'stdOut' is not one of its options \(did you mean 'stdout'\?\): the options are stdin, stdout, stderr, cwd, env, startNewSession, limit/,
    ));
  await t.step(
    "a bad shell command",
    () =>
      fails(
        () => createSubprocessShell(42 as unknown as string),
        /'cmd' must be a non-empty string: received 42/,
      ),
  );
  await t.step("input while stdin is not a pipe", () =>
    fails(function* () {
      const proc = yield* createSubprocessExec("true");
      try {
        yield* proc.communicate(encoder.encode("x"));
      } finally {
        yield* proc.wait();
      }
    }, /stdin is not a pipe/));
  await t.step("input that is not bytes", () =>
    fails(function* () {
      const proc = yield* createSubprocessExec("cat", [], { stdin: PIPE });
      try {
        yield* proc.communicate("x" as never);
      } finally {
        proc.stdin!.close();
        yield* proc.wait();
      }
    }, /'input' must be a Uint8Array: received "x"/));
  await t.step("no --allow-run: Deno's NotCapable", async () => {
    const script = new URL("./_no_run_permission.ts", import.meta.url);
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-env", script.href],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.equal(decoder.decode(stdout).trim(), "NotCapable");
  });
});

test("createSubprocessExec() needs a running loop", () => {
  assert.throws(
    () => createSubprocessExec("true").next(),
    /no running event loop/,
  );
});

test("a virtual-time loop does not jump ahead while a child runs", async () => {
  const [elapsed, code] = await run(
    function* () {
      const loop = getRunningLoop();
      const timer = createTask(sleep(3600));
      const proc = yield* createSubprocessExec("sleep", ["0.1"]);
      const code = yield* proc.wait();
      const elapsed = loop.time();
      timer.cancel();
      return [elapsed, code];
    }(),
    { virtualTime: true },
  );
  assert.equal(code, 0);
  assert.ok(elapsed < 3600, `virtual time jumped to ${elapsed}`);
});

test("createSubprocessShell() with startNewSession: killing the group stops the grandchildren too", async () => {
  const [code, out] = await run(function* () {
    // dash forks `sleep`, which holds stdout open: killing only sh would
    // leave communicate() waiting for it.
    const proc = yield* createSubprocessShell("echo started; sleep 30", {
      stdout: PIPE,
      startNewSession: true,
    });
    assert.equal(
      decoder.decode(yield* proc.stdout!.readLine()),
      "started\n",
    );
    Deno.kill(-proc.pid, "SIGKILL");
    const [out] = yield* waitFor(proc.communicate(), 10);
    return [proc.returncode, out];
  }());
  assert.equal(code, -9);
  assert.equal(out!.length, 0);
});

test("closing the loop while a write to a stuck child is in flight frees everything", async () => {
  let pid = 0;
  await run(function* () {
    const owner = createTask(function* () {
      // sleep never reads: the pipe fills and the write stays in flight.
      const proc = yield* createSubprocessExec("sleep", ["30"], {
        stdin: PIPE,
        stdout: PIPE,
      });
      pid = proc.pid;
      proc.stdin!.write(new Uint8Array(4 * MiB));
      yield* proc.stdin!.drain();
    }());
    yield* sleep(0.05);
    assert.ok(!owner.done());
    owner.cancel();
    yield* assertCancelled(owner);
  }());
  assert.ok(pid > 0);
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      Deno.kill(pid, "SIGCONT");
      await new Promise((r) => setTimeout(r, 10));
    } catch {
      alive = false;
    }
  }
  assert.ok(!alive, "the child still runs");
});

function procState(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

test("run() reaps the children its loop killed before it returns: no zombie is left", async () => {
  const pids: number[] = [];
  await run(function* () {
    const quiet = yield* createSubprocessExec("sleep", ["1000"], {
      stdin: DEVNULL,
      stdout: DEVNULL,
      stderr: DEVNULL,
    });
    const piped = yield* createSubprocessExec("cat", [], {
      stdin: PIPE,
      stdout: PIPE,
    });
    pids.push(quiet.pid, piped.pid);
    for (const pid of pids) assert.match(procState(pid) ?? "gone", /^[RS]$/);
    // Return with both still running: closing the loop kills them.
  }());
  assert.deepEqual(pids.map(procState), [null, null]);
});

// createSubprocessExec / createSubprocessShell and Process, with real child
// processes.

import assert from "node:assert/strict";
import { test } from "./_sanitized.ts";
import { Buffer } from "node:buffer";
import { CancelledError, getRunningLoop, run } from "../../eventloop/mod.ts";
import {
  type Coroutine,
  createTask,
  sleep,
  type Task,
  waitFor,
} from "../../tasks/mod.ts";
import {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  type Process,
  STDOUT,
} from "../../subprocess/mod.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const MiB = 1024 * 1024;

function pattern(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  return data;
}

test("Process.communicate() round-trips bytes through cat", async (t) => {
  for (const size of [0, 1, 50 * MiB]) {
    await t.step(`${size} bytes`, async () => {
      const input = pattern(size);
      const [out, err, code] = await run(function* () {
        const proc = yield* createSubprocessExec("cat", [], {
          stdin: PIPE,
          stdout: PIPE,
          stderr: PIPE,
        });
        const [out, err] = yield* proc.communicate(input);
        return [out, err, proc.returncode] as const;
      }());
      assert.equal(code, 0);
      assert.equal(err!.length, 0);
      assert.equal(out!.length, size);
      assert.ok(Buffer.compare(out!, input) === 0, "the bytes differ");
    });
  }
});

test("Process streams: write/drain and read through cat keep the bytes", async (t) => {
  for (const size of [0, 1, 50 * MiB]) {
    await t.step(`${size} bytes`, async () => {
      const input = pattern(size);
      const out = await run(function* () {
        const proc = yield* createSubprocessExec("cat", [], {
          stdin: PIPE,
          stdout: PIPE,
        });
        const reader = createTask(proc.stdout!.read());
        for (let i = 0; i < size; i += 256 * 1024) {
          proc.stdin!.write(input.subarray(i, i + 256 * 1024));
          yield* proc.stdin!.drain();
        }
        proc.stdin!.close();
        yield* proc.stdin!.waitClosed();
        const out = yield* reader;
        assert.equal(yield* proc.wait(), 0);
        return out;
      }());
      assert.equal(out.length, size);
      assert.ok(Buffer.compare(out, input) === 0, "the bytes differ");
    });
  }
});

test("Process.communicate() reads large stdout and stderr at once without deadlock", async () => {
  const [out, err] = await run(function* () {
    // tee blocks on whichever pipe is not read.
    const proc = yield* createSubprocessShell(
      "head -c 4000000 /dev/urandom | tee /dev/stderr",
      { stdout: PIPE, stderr: PIPE },
    );
    return yield* waitFor(proc.communicate(), 60);
  }());
  assert.equal(out!.length, 4_000_000);
  assert.ok(Buffer.compare(out!, err!) === 0);
});

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

test("Process.returncode gives exit codes, null while running", async () => {
  for (const code of [0, 1, 42, 255]) {
    const got = await run(function* () {
      const proc = yield* createSubprocessShell(`exit ${code}`);
      assert.equal(proc.returncode, null);
      assert.equal(yield* proc.wait(), code);
      return proc.returncode;
    }());
    assert.equal(got, code);
  }
});

test("Process.terminate()/kill()/sendSignal() stop a sleeping child with -signal", async (t) => {
  const cases: [string, (p: Process) => void, number][] = [
    ["terminate", (p) => p.terminate(), -15],
    ["kill", (p) => p.kill(), -9],
    ["sendSignal SIGUSR1", (p) => p.sendSignal("SIGUSR1"), -10],
  ];
  for (const [name, stop, code] of cases) {
    await t.step(name, async () => {
      await run(function* () {
        const proc = yield* createSubprocessExec("sleep", ["30"]);
        assert.equal(typeof proc.pid, "number");
        assert.equal(String(proc), `<Process ${proc.pid}>`);
        stop(proc);
        assert.equal(yield* proc.wait(), code);
        assert.equal(proc.returncode, code);
        assert.throws(() => proc.kill(), Deno.errors.NotFound);
      }());
    });
  }
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

test("Process.stdout.readLine() reads a child's output as it comes", async () => {
  const lines = await run(function* () {
    const proc = yield* createSubprocessShell(
      "for i in 1 2 3; do echo line $i; done",
      { stdout: PIPE },
    );
    const lines: string[] = [];
    while (true) {
      const line = yield* proc.stdout!.readLine();
      if (line.length === 0) break;
      lines.push(decoder.decode(line).trimEnd());
    }
    yield* proc.wait();
    return lines;
  }());
  assert.deepEqual(lines, ["line 1", "line 2", "line 3"]);
});

test("a child that dies while we write: drain() throws, communicate() ignores it", async (t) => {
  await t.step("drain", async () => {
    await run(function* () {
      const proc = yield* createSubprocessExec("head", ["-c", "1"], {
        stdin: PIPE,
        stdout: DEVNULL,
      });
      let caught: unknown = null;
      try {
        for (let i = 0; i < 1000; i++) {
          proc.stdin!.write(new Uint8Array(64 * 1024));
          yield* proc.stdin!.drain();
        }
      } catch (error) {
        caught = error;
      }
      assert.ok(
        caught instanceof Deno.errors.BrokenPipe ||
          caught instanceof Deno.errors.ConnectionReset,
        String(caught),
      );
      let closedWith: unknown = null;
      try {
        yield* proc.stdin!.waitClosed();
      } catch (error) {
        closedWith = error;
      }
      assert.ok(
        closedWith instanceof Deno.errors.BrokenPipe,
        String(closedWith),
      );
      assert.equal(yield* proc.wait(), 0);
    }());
  });
  await t.step("communicate", async () => {
    const [out, code] = await run(function* () {
      const proc = yield* createSubprocessExec("head", ["-c", "3"], {
        stdin: PIPE,
        stdout: PIPE,
      });
      const [out] = yield* proc.communicate(new Uint8Array(8 * MiB).fill(65));
      return [decoder.decode(out!), proc.returncode];
    }());
    assert.equal(out, "AAA");
    assert.equal(code, 0);
  });
});

test("cancelling wait() or communicate() does not kill the child", async (t) => {
  await t.step("wait", async () => {
    await run(function* () {
      const proc = yield* createSubprocessExec("sleep", ["0.3"]);
      const waiter = createTask(proc.wait());
      yield* sleep(0.02);
      waiter.cancel();
      yield* assertCancelled(waiter);
      assert.equal(proc.returncode, null);
      assert.equal(yield* proc.wait(), 0);
    }());
  });
  await t.step("communicate", async () => {
    await run(function* () {
      const proc = yield* createSubprocessShell("sleep 0.3; echo done", {
        stdout: PIPE,
      });
      const talk = createTask(proc.communicate());
      yield* sleep(0.05);
      assert.ok(!talk.done());
      talk.cancel();
      yield* assertCancelled(talk);
      assert.equal(proc.returncode, null);
      const rest = yield* proc.stdout!.read();
      assert.equal(decoder.decode(rest), "done\n");
      assert.equal(yield* proc.wait(), 0);
    }());
  });
});

function* assertCancelled(task: Task<unknown>): Coroutine<void> {
  try {
    yield* task;
    assert.fail(`${task} should have been cancelled`);
  } catch (error) {
    assert.ok(error instanceof CancelledError, String(error));
  }
  assert.ok(task.cancelled());
}

test("Process.communicate() called as soon as the process is made reads each pipe whole", async (t) => {
  await t.step(
    "stdout and stderr, then the readers are at their end",
    async () => {
      const [out, err, atEnd, code] = await run(function* () {
        const proc = yield* createSubprocessShell(
          "printf out; printf err >&2",
          {
            stdout: PIPE,
            stderr: PIPE,
          },
        );
        const [out, err] = yield* proc.communicate();
        return [
          decoder.decode(out!),
          decoder.decode(err!),
          [proc.stdout!.atEof(), proc.stderr!.atEof()],
          proc.returncode,
        ];
      }());
      assert.equal(out, "out");
      assert.equal(err, "err");
      assert.deepEqual(atEnd, [true, true]);
      assert.equal(code, 0);
    },
  );
  await t.step(
    "cancelled, the bytes read so far stay in proc.stdout",
    async () => {
      await run(function* () {
        let proc: Process | null = null;
        const talk = createTask(function* () {
          proc = yield* createSubprocessShell("printf abc; exec sleep 30", {
            stdout: PIPE,
          });
          return yield* proc.communicate();
        }());
        while (proc === null) yield* sleep(0.01);
        const child: Process = proc;
        talk.cancel();
        yield* assertCancelled(talk);
        assert.equal(child.returncode, null, "cancelling kills nothing");
        child.kill();
        assert.equal(yield* child.wait(), -9);
        assert.equal(decoder.decode(yield* child.stdout!.read()), "abc");
        assert.ok(child.stdout!.atEof());
      }());
    },
  );
  await t.step(
    "after a first read, communicate() returns the rest",
    async () => {
      const [first, rest] = await run(function* () {
        const proc = yield* createSubprocessShell("echo first; echo second", {
          stdout: PIPE,
        });
        const first = decoder.decode(yield* proc.stdout!.readLine());
        const [rest] = yield* proc.communicate();
        return [first, decoder.decode(rest!)];
      }());
      assert.equal(first, "first\n");
      assert.equal(rest, "second\n");
    },
  );
});

test("a pipe read whole by communicate() does not keep the process alive after run()", async () => {
  const script = new URL("./_grandchild_holds_pipe.ts", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", script.href],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), 10_000);
  });
  const output = child.output();
  const result = await Promise.race([output, hung]);
  clearTimeout(timer);
  if (result === null) {
    child.kill("SIGKILL");
    await output;
  }
  const grandchild = Number(decoder.decode(result?.stderr).trim());
  if (grandchild > 0) {
    try {
      Deno.kill(grandchild, "SIGKILL");
    } catch {
      // It has ended already.
    }
  }
  assert.ok(result !== null, "the process waited for the grandchild");
  assert.equal(decoder.decode(result.stdout).trim(), "TimeoutError");
  assert.ok(grandchild > 0, "the shell printed the grandchild's pid");
});

test("Process output pipes read ahead even when only wait() is called", async () => {
  // 100 KiB overflows the OS pipe (64 KiB) but not the reader's buffer
  // (twice the 64 KiB limit): as in asyncio, the child can finish.
  const [code, out] = await run(function* () {
    const proc = yield* createSubprocessShell("head -c 102400 /dev/zero", {
      stdout: PIPE,
    });
    const code = yield* waitFor(proc.wait(), 30);
    return [code, yield* proc.stdout!.read()];
  }());
  assert.equal(code, 0);
  assert.equal(out.length, 102400);
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

test("communicate() reads a pipe whole only while no read has started", async (t) => {
  // The whole read cannot be seen through the public API (same bytes, same
  // EOF), so this looks at the pipe transports a Process is made from.
  const { Process } = await import("../../subprocess/process.ts");
  const { SubprocessStreamProtocol } = await import(
    "../../subprocess/_subprocess_stream_protocol.ts"
  );
  type Pipe = { _readingWhole: boolean };
  function* start(cmd: string) {
    const loop = getRunningLoop();
    const [transport, protocol] = yield* loop.subprocessShell(
      () => new SubprocessStreamProtocol(65536, loop),
      cmd,
      { stdout: PIPE, stderr: PIPE },
    );
    const proc = new Process(transport, protocol, loop);
    const pipes = [1, 2].map((fd) =>
      transport.getPipeTransport(fd) as unknown as Pipe
    );
    return [proc, pipes] as const;
  }
  await t.step("called at once: both pipes are read whole", async () => {
    await run(function* () {
      const [proc, pipes] = yield* start("printf out; printf err >&2");
      const [out, err] = yield* proc.communicate();
      assert.equal(decoder.decode(out!), "out");
      assert.equal(decoder.decode(err!), "err");
      assert.deepEqual(pipes.map((p) => p._readingWhole), [true, true]);
    }());
  });
  await t.step("in a task made in the same step: read whole", async () => {
    await run(function* () {
      const [proc, pipes] = yield* start("printf out; printf err >&2");
      const [out] = yield* createTask(proc.communicate());
      assert.equal(decoder.decode(out!), "out");
      assert.deepEqual(pipes.map((p) => p._readingWhole), [true, true]);
    }());
  });
  await t.step("called after a wait: the chunked path", async () => {
    await run(function* () {
      const [proc, pipes] = yield* start("printf out; printf err >&2");
      yield* sleep(0.05);
      const [out, err] = yield* proc.communicate();
      assert.equal(decoder.decode(out!), "out");
      assert.equal(decoder.decode(err!), "err");
      assert.deepEqual(pipes.map((p) => p._readingWhole), [false, false]);
    }());
  });
});

/** The state letter of process `pid` in /proc (`Z` for a zombie), or null. */
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

// subprocess/process.ts: Process, the object createSubprocessExec() and
// createSubprocessShell() give (its streams, wait(), communicate(), signals
// and returncode), with real child processes. Starting one, and what
// createSubprocess*() refuse, is tests/subprocess/create_subprocess_test.ts.

import assert from "node:assert/strict";
import { test } from "./_sanitized.ts";
import { Buffer } from "node:buffer";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { createTask, sleep, waitFor } from "../../tasks/mod.ts";
import {
  createSubprocessExec,
  createSubprocessShell,
  DEVNULL,
  PIPE,
  type Process,
} from "../../subprocess/mod.ts";
import { assertCancelled, pattern } from "./_helpers.ts";

const decoder = new TextDecoder();
const MiB = 1024 * 1024;

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

test("Process: pid, text form, and wait() once it has exited", async () => {
  await run(function* () {
    const proc = yield* createSubprocessShell("exit 4", {
      stdin: DEVNULL,
      stdout: DEVNULL,
      stderr: DEVNULL,
    });
    assert.ok(Number.isInteger(proc.pid) && proc.pid > 0);
    assert.equal(String(proc), `<Process ${proc.pid}>`);
    assert.equal(yield* proc.wait(), 4);
    // Exited: each wait() gives the code again at once.
    let turns = 0;
    getRunningLoop().callSoon(() => turns++);
    assert.equal(yield* proc.wait(), 4);
    assert.equal(yield* proc.wait(), 4);
    assert.equal(turns, 0, "wait() on an exited process suspended");
    assert.equal(proc.returncode, 4);
  }());
});

test("Process.communicate() refuses bad input before it writes anything", async () => {
  await run(function* () {
    const piped = yield* createSubprocessExec("cat", [], {
      stdin: PIPE,
      stdout: PIPE,
    });
    assert.throws(
      // @ts-expect-error: text is not bytes
      () => piped.communicate("text").next(),
      new TypeError(
        `Cannot communicate with the process as 'input' must be a Uint8Array: received "text"`,
      ),
    );
    const [out] = yield* piped.communicate(new TextEncoder().encode("ok"));
    assert.equal(decoder.decode(out!), "ok");
    const closed = yield* createSubprocessShell("exit 0", {
      stdin: DEVNULL,
      stdout: DEVNULL,
    });
    assert.throws(
      () => closed.communicate(new Uint8Array(1)).next(),
      /stdin is not a pipe: start it with \{ stdin: PIPE \}/,
    );
    // No pipes at all: nothing to read, the exit is waited for.
    assert.deepEqual(yield* closed.communicate(), [null, null]);
    assert.equal(closed.returncode, 0);
  }());
});

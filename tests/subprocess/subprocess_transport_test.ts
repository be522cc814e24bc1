// loop.subprocessExec / subprocessShell and the subprocess transport, with
// real child processes.

import assert from "node:assert/strict";
import { test } from "./_sanitized.ts";
import {
  getRunningLoop,
  type ReadTransport,
  run,
  SubprocessProtocol,
  type SubprocessTransport,
  type WriteTransport,
} from "../../eventloop/mod.ts";
import { createTask, sleep } from "../../tasks/mod.ts";
import "../../subprocess/mod.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Records every protocol event, and resolves `done` on connectionLost. */
class Recorder extends SubprocessProtocol {
  events: string[] = [];
  out: Record<number, string> = { 1: "", 2: "" };
  bytes: Record<number, number> = { 1: 0, 2: 0 };
  errors: Record<number, Error | null> = {};
  done = getRunningLoop().createFuture<void>();
  exited = getRunningLoop().createFuture<void>();
  transport: SubprocessTransport | null = null;
  keepText = true;
  override connectionMade(transport: SubprocessTransport): void {
    this.transport = transport;
    this.events.push("connectionMade");
  }
  override pipeDataReceived(fd: number, data: Uint8Array): void {
    if (this.events.at(-1) !== `data ${fd}`) this.events.push(`data ${fd}`);
    this.bytes[fd] += data.length;
    if (this.keepText) this.out[fd] += decoder.decode(data);
  }
  override pipeConnectionLost(fd: number, error: Error | null): void {
    this.errors[fd] = error;
    this.events.push(`pipeLost ${fd}`);
  }
  override processExited(): void {
    this.events.push("processExited");
    this.exited.setResult();
  }
  override connectionLost(error: Error | null): void {
    this.events.push(`connectionLost ${error}`);
    this.done.setResult();
  }
}

test("loop.subprocessExec() calls the protocol in asyncio's order", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const [transport, protocol] = yield* loop.subprocessExec(
      () => new Recorder(),
      "sh",
      ["-c", "echo out; echo err >&2"],
    );
    assert.deepEqual(protocol.events, ["connectionMade"]);
    assert.equal(protocol.transport, transport);
    assert.equal(typeof transport.getPid(), "number");
    assert.equal(transport.getReturncode(), null);
    const stdin = transport.getPipeTransport(0) as WriteTransport;
    stdin.close();
    yield* protocol.done;
    assert.equal(protocol.events[0], "connectionMade");
    assert.equal(protocol.events.at(-1), "connectionLost null");
    for (
      const e of ["pipeLost 0", "pipeLost 1", "pipeLost 2", "processExited"]
    ) {
      assert.ok(protocol.events.includes(e), `${e} in ${protocol.events}`);
    }
    assert.ok(
      protocol.events.indexOf("data 1") < protocol.events.indexOf("pipeLost 1"),
    );
    assert.ok(
      protocol.events.indexOf("data 2") < protocol.events.indexOf("pipeLost 2"),
    );
    assert.equal(protocol.out[1], "out\n");
    assert.equal(protocol.out[2], "err\n");
    assert.deepEqual(protocol.errors, { 0: null, 1: null, 2: null });
    assert.equal(transport.getReturncode(), 0);
    transport.close();
  }());
});

test("loop.subprocessExec() pipes bytes through cat and half-closes with writeEof()", async (t) => {
  for (const size of [0, 1, 300_000]) {
    await t.step(`${size} bytes`, async () => {
      await run(function* () {
        const [transport, protocol] = yield* getRunningLoop().subprocessExec(
          () => new Recorder(),
          "cat",
          [],
          { stderr: "null" },
        );
        protocol.keepText = false;
        assert.equal(transport.getPipeTransport(2), null);
        const stdin = transport.getPipeTransport(0) as WriteTransport;
        assert.ok(stdin.canWriteEof());
        stdin.write(new Uint8Array(size).fill(7));
        stdin.writeEof();
        assert.ok(stdin.isClosing());
        yield* protocol.done;
        assert.equal(protocol.bytes[1], size);
        assert.equal(transport.getReturncode(), 0);
        transport.close();
      }());
    });
  }
});

test("loop.subprocessExec() with stderr 'stdout' merges both into fd 1", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "sh",
      ["-c", "echo one; echo two >&2; sleep 0.05; echo three"],
      { stdin: "null", stderr: "stdout" },
    );
    assert.equal(transport.getPipeTransport(0), null);
    assert.equal(transport.getPipeTransport(2), null);
    yield* protocol.done;
    assert.deepEqual(protocol.out[1].split("\n").sort(), [
      "",
      "one",
      "three",
      "two",
    ]);
    assert.ok(protocol.out[1].endsWith("three\n"));
    assert.equal(protocol.out[2], "");
    assert.ok(!protocol.events.includes("pipeLost 2"));
    transport.close();
  }());
});

test("SubprocessTransport reports a child killed by a signal as minus the signal number", async (t) => {
  for (
    const [method, code] of [["terminate", -15], ["kill", -9]] as const
  ) {
    await t.step(method, async () => {
      await run(function* () {
        const [transport, protocol] = yield* getRunningLoop().subprocessExec(
          () => new Recorder(),
          "sleep",
          ["30"],
          { stdin: "null", stdout: "null", stderr: "null" },
        );
        transport[method]();
        yield* protocol.done;
        assert.equal(transport.getReturncode(), code);
        transport.close();
        assert.throws(() => transport.kill(), Deno.errors.NotFound);
      }());
    });
  }
  await t.step("sendSignal", async () => {
    await run(function* () {
      const [transport, protocol] = yield* getRunningLoop().subprocessExec(
        () => new Recorder(),
        "sleep",
        ["30"],
        { stdin: "null", stdout: "null", stderr: "null" },
      );
      assert.throws(
        () => transport.sendSignal(9 as unknown as Deno.Signal),
        /'signal' must be a signal name.*received 9/,
      );
      transport.sendSignal("SIGINT");
      yield* protocol.done;
      assert.equal(transport.getReturncode(), -2);
      transport.close();
    }());
  });
});

test("SubprocessTransport.close() kills a running child and still reports its exit", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "sleep",
      ["30"],
    );
    transport.close();
    assert.ok(transport.isClosing());
    yield* protocol.done;
    assert.equal(transport.getReturncode(), -9);
    assert.ok(protocol.events.includes("processExited"));
  }());
});

test("loop.subprocessShell() runs the command through /bin/sh", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessShell(
      () => new Recorder(),
      "echo $((6 * 7)) | tr 4 X; exit 5",
      { stdin: "null" },
    );
    yield* protocol.done;
    assert.equal(protocol.out[1], "X2\n");
    assert.equal(transport.getReturncode(), 5);
    transport.close();
  }());
});

test("loop.subprocessExec() passes cwd and env (env replaces the environment)", async () => {
  const dir = await Deno.makeTempDir();
  const real = await Deno.realPath(dir);
  try {
    await run(function* () {
      const [transport, protocol] = yield* getRunningLoop().subprocessExec(
        () => new Recorder(),
        "sh",
        ["-c", 'pwd; echo "$GREETING"; echo "${HOME:-no home}"'],
        { stdin: "null", cwd: dir, env: { GREETING: "hi there" } },
      );
      yield* protocol.done;
      assert.equal(
        protocol.out[1],
        `${real}\nhi there\nno home\n`,
      );
      transport.close();
    }());
  } finally {
    await Deno.remove(dir);
  }
});

test("loop.subprocessExec() passes arguments as a list, never through a shell", async () => {
  await run(function* () {
    const tricky = ["$HOME", "a b", "; echo injected", "'\"", "*"];
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "printf",
      ["%s\\n", ...tricky],
      { stdin: "null" },
    );
    yield* protocol.done;
    assert.equal(protocol.out[1], tricky.join("\n") + "\n");
    transport.close();
  }());
});

test("loop.subprocessExec() rejects bad input with clear errors", async (t) => {
  const factory = () => new SubprocessProtocol();
  const cases: [
    string,
    () => Generator<unknown, unknown, unknown>,
    RegExp | (new (...a: never[]) => Error),
  ][] = [
    [
      "a program that does not exist",
      () =>
        getRunningLoop().subprocessExec(
          factory,
          "no-such-program-asyncio-deno",
        ),
      Deno.errors.NotFound,
    ],
    [
      "bad stdout",
      () =>
        getRunningLoop().subprocessExec(factory, "true", [], {
          stdout: "piped" as "pipe",
        }),
      /'stdout' must be "pipe", "null" or "inherit": received "piped"/,
    ],
    [
      "bad stderr",
      () =>
        getRunningLoop().subprocessExec(factory, "true", [], {
          stderr: 1 as unknown as "pipe",
        }),
      /'stderr' must be "pipe", "null", "inherit" or "stdout": received 1/,
    ],
    [
      "STDOUT with inherited stdout",
      () =>
        getRunningLoop().subprocessExec(factory, "true", [], {
          stdout: "inherit",
          stderr: "stdout",
        }),
      /'stderr' "stdout".*'stdout' "inherit"/,
    ],
    [
      "args not an array",
      () =>
        getRunningLoop().subprocessExec(
          factory,
          "true",
          "x" as unknown as string[],
        ),
      /'args' must be an array of strings: received "x"/,
    ],
    [
      "an argument not a string",
      () =>
        getRunningLoop().subprocessExec(factory, "true", [
          "a",
          2 as unknown as string,
        ]),
      /'args\[1\]' must be a string: received 2/,
    ],
    [
      "empty program",
      () => getRunningLoop().subprocessExec(factory, ""),
      /'program' must be a non-empty string or a URL: received ""/,
    ],
    [
      "unknown option",
      () =>
        getRunningLoop().subprocessExec(
          factory,
          "true",
          [],
          { stdOut: "pipe" } as never,
        ),
      /'stdOut' is not one of its options \(did you mean 'stdout'\?\)/,
    ],
    [
      "bad env",
      () =>
        getRunningLoop().subprocessExec(
          factory,
          "true",
          [],
          { env: { A: 1 } } as never,
        ),
      /'env.A' must be a string: received 1/,
    ],
    [
      "bad cwd",
      () =>
        getRunningLoop().subprocessExec(
          factory,
          "true",
          [],
          { cwd: 3 } as never,
        ),
      /'cwd' must be a non-empty string or a URL: received 3/,
    ],
    [
      "bad factory",
      () => getRunningLoop().subprocessExec(null as never, "true"),
      /'protocolFactory' must be a function: received null/,
    ],
    [
      "bad shell command",
      () => getRunningLoop().subprocessShell(factory, ["ls"] as never),
      /'cmd' must be a non-empty string: received an array of length 1/,
    ],
  ];
  for (const [name, call, expected] of cases) {
    await t.step(name, async () => {
      await run(function* () {
        let caught: unknown;
        try {
          yield* call() as Generator<undefined, unknown, unknown>;
        } catch (error) {
          caught = error;
        }
        if (expected instanceof RegExp) {
          assert.ok(caught instanceof TypeError, String(caught));
          assert.match(caught.message, expected);
        } else {
          assert.ok(caught instanceof expected, String(caught));
        }
      }());
    });
  }
});

test("ReadPipeTransport.pauseReading() holds data until resumeReading()", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "sh",
      ["-c", "echo a; sleep 0.05; echo b"],
      { stdin: "null", stderr: "null" },
    );
    const stdout = transport.getPipeTransport(1) as ReadTransport;
    assert.ok(stdout.isReading());
    stdout.pauseReading();
    assert.ok(!stdout.isReading());
    yield* protocol.exited;
    yield* sleep(0.05);
    assert.equal(protocol.out[1], "");
    assert.ok(!protocol.done.done());
    stdout.resumeReading();
    yield* protocol.done;
    assert.equal(protocol.out[1], "a\nb\n");
    transport.close();
  }());
});

test("WritePipeTransport calls pauseWriting/resumeWriting around the water marks", async () => {
  await run(function* () {
    class Flow extends Recorder {
      override pauseWriting(): void {
        this.events.push("pause");
      }
      override resumeWriting(): void {
        this.events.push("resume");
      }
    }
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Flow(),
      "cat",
      [],
      { stderr: "null" },
    );
    protocol.keepText = false;
    const stdin = transport.getPipeTransport(0) as WriteTransport;
    assert.deepEqual(stdin.getWriteBufferLimits(), [16384, 65536]);
    stdin.setWriteBufferLimits(1000);
    assert.deepEqual(stdin.getWriteBufferLimits(), [250, 1000]);
    assert.throws(() => stdin.setWriteBufferLimits(10, 20), RangeError);
    assert.throws(
      () => stdin.setWriteBufferLimits(-1),
      /'high' must be a non-negative integer: received -1/,
    );
    assert.throws(
      () => stdin.write("x" as never),
      /'data' must be a Uint8Array: received "x"/,
    );
    stdin.write(new Uint8Array(500));
    assert.equal(stdin.getWriteBufferSize(), 500);
    assert.ok(!protocol.events.includes("pause"));
    stdin.write(new Uint8Array(1000));
    assert.ok(protocol.events.includes("pause"));
    while (stdin.getWriteBufferSize() > 0) yield* sleep(0.001);
    assert.ok(protocol.events.includes("resume"));
    stdin.close();
    yield* protocol.done;
    assert.equal(protocol.bytes[1], 1500);
    transport.close();
  }());
});

test("a child that exits while we write to its stdin ends the pipe with BrokenPipe", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "head",
      ["-c", "1"],
      { stderr: "null" },
    );
    const stdin = transport.getPipeTransport(0) as WriteTransport;
    for (let i = 0; i < 64; i++) stdin.write(new Uint8Array(65536));
    yield* protocol.done;
    assert.ok(
      protocol.errors[0] instanceof Deno.errors.BrokenPipe,
      String(protocol.errors[0]),
    );
    assert.equal(protocol.bytes[1], 1);
    assert.equal(transport.getReturncode(), 0);
    transport.close();
  }());
});

test("closing the loop kills children still running and frees their pipes", async () => {
  let pid = 0;
  await run(function* () {
    const loop = getRunningLoop();
    createTask(function* () {
      const [transport] = yield* loop.subprocessExec(
        () => new SubprocessProtocol(),
        "sleep",
        ["30"],
      );
      pid = transport.getPid();
      yield* sleep(3600);
    }());
    yield* sleep(0.05);
    assert.ok(pid > 0);
  }());
  // The child is gone: signal 0 probes for it.
  let alive = true;
  for (let i = 0; i < 100 && alive; i++) {
    try {
      Deno.kill(pid, "SIGCONT");
      await new Promise((r) => setTimeout(r, 10));
    } catch {
      alive = false;
    }
  }
  assert.ok(!alive);
});

test("cancelling subprocessExec() while it starts kills and reaps the child", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const task = createTask(
      loop.subprocessExec(() => new Recorder(), "sleep", ["30"]),
    );
    yield* sleep(0);
    task.cancel();
    let cancelled = false;
    try {
      yield* task;
    } catch {
      cancelled = task.cancelled();
    }
    assert.ok(cancelled);
  }());
});

test("SubprocessTransport extras: getExtraInfo, setProtocol, abort() of stdin", async () => {
  await run(function* () {
    const [transport, protocol] = yield* getRunningLoop().subprocessExec(
      () => new Recorder(),
      "cat",
      [],
      { stderr: "null" },
    );
    const child = transport.getExtraInfo("subprocess") as Deno.ChildProcess;
    assert.equal(child.pid, transport.getPid());
    assert.equal(transport.getExtraInfo("nothing", 5), 5);
    assert.equal(transport.getProtocol(), protocol);
    const other = new Recorder();
    transport.setProtocol(other);
    assert.equal(transport.getProtocol(), other);
    transport.setProtocol(protocol);
    const stdin = transport.getPipeTransport(0) as WriteTransport;
    stdin.write(encoder.encode("dropped?"));
    stdin.abort();
    assert.ok(stdin.isClosing());
    stdin.write(encoder.encode("after abort")); // dropped, as in asyncio
    yield* protocol.done;
    assert.equal(protocol.errors[0], null);
    assert.equal(transport.getReturncode(), 0);
    assert.ok(!protocol.out[1].includes("after abort"));
    transport.close();
  }());
});

test("an error thrown by pipeDataReceived is reported and ends that pipe with it", async () => {
  const reported: unknown[] = [];
  await run(function* () {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, context) =>
      reported.push(context.exception)
    );
    class Throws extends Recorder {
      override pipeDataReceived(fd: number, data: Uint8Array): void {
        super.pipeDataReceived(fd, data);
        throw new Error("boom");
      }
    }
    const [transport, protocol] = yield* loop.subprocessExec(
      () => new Throws(),
      "sh",
      ["-c", "echo hi; exec sleep 30"],
      { stdin: "null", stderr: "null" },
    );
    while (!("1" in protocol.errors)) yield* sleep(0.005);
    assert.equal((protocol.errors[1] as Error).message, "boom");
    assert.equal(reported.length, 1);
    assert.equal((reported[0] as Error).message, "boom");
    transport.kill();
    yield* protocol.done;
    assert.equal(transport.getReturncode(), -9);
    transport.close();
  }());
});

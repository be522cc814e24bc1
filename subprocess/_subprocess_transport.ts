// The subprocess transport over Deno.Command, and the implementation of
// `loop.subprocessExec()` / `loop.subprocessShell()`, registered with the
// loop when this module is evaluated (see eventloop/_subprocess_hook.ts).
// asyncio's `base_subprocess.BaseSubprocessTransport` and the child-watcher
// part of `unix_events`: Deno reaps the child and `child.status` tells us.

import type { EventLoop } from "../eventloop/event_loop.ts";
import type { Future } from "../eventloop/future.ts";
import {
  type BaseProtocol,
  Protocol,
  type SubprocessProtocol,
} from "../eventloop/protocols.ts";
import type {
  ReadTransport,
  SubprocessTransport,
  WriteTransport,
} from "../eventloop/transports.ts";
import type {
  SubprocessOptions,
  SubprocessStderr,
  SubprocessStdio,
} from "../eventloop/subprocess_options.ts";
import {
  checkFunction,
  checkLoopOpen,
  checkOptionNames,
  type Coroutine,
  describeValue,
  noteKilledAtClose,
  offLoopClose,
  onLoopClose,
  ReadPipeTransport,
  SUBPROCESS_OPTIONS,
  subprocessHook,
  whenSettled,
  WritePipeTransport,
} from "../eventloop/_lowlevel.ts";

const STDIO_VALUES: readonly string[] = ["pipe", "null", "inherit"];

/** Spawn arguments after validation. */
interface SpawnSpec {
  program: string | URL;
  args: string[];
  stdin: SubprocessStdio;
  stdout: SubprocessStdio;
  stderr: SubprocessStderr;
  cwd: string | URL | undefined;
  env: Record<string, string> | undefined;
  startNewSession: boolean;
}

/** asyncio's `WriteSubprocessPipeProto`: forwards a pipe's events by fd. */
class PipeProto extends Protocol {
  pipe: ReadTransport | WriteTransport | null = null;
  disconnected = false;
  #owner: PipedSubprocessTransport;
  #fd: number;

  constructor(owner: PipedSubprocessTransport, fd: number) {
    super();
    this.#owner = owner;
    this.#fd = fd;
  }

  override dataReceived(data: Uint8Array): void {
    this.#owner._pipeDataReceived(this.#fd, data);
  }

  override eofReceived(): void {}

  override connectionLost(error: Error | null): void {
    this.disconnected = true;
    this.#owner._pipeConnectionLost(this.#fd, error);
  }

  override pauseWriting(): void {
    this.#owner.getProtocol().pauseWriting();
  }

  override resumeWriting(): void {
    this.#owner.getProtocol().resumeWriting();
  }
}

/**
 * A child process and its pipes.
 *
 * Protocol order (asyncio's): `connectionMade`, then `pipeDataReceived` /
 * `pipeConnectionLost` / `processExited` as they happen, then
 * `connectionLost` once the child has exited and every pipe is closed; the
 * `wait()`ers are woken right after `connectionLost`.
 */
class PipedSubprocessTransport implements SubprocessTransport {
  #protocol: SubprocessProtocol;
  #loop: EventLoop;
  #child: Deno.ChildProcess | null;
  #pid: number;
  #returncode: number | null = null;
  #closed = false;
  #finished = false;
  #pipes = new Map<number, PipeProto>();
  #exitWaiters: Future<number>[] = [];
  #extra: Record<string, unknown>;
  #release = () => this.#releaseNow();

  constructor(loop: EventLoop, protocol: SubprocessProtocol, spec: SpawnSpec) {
    this.#loop = loop;
    this.#protocol = protocol;
    const merge = spec.stderr === "stdout";
    const child = new Deno.Command(spec.program, commandOptions(spec))
      .spawn();
    this.#child = child;
    this.#pid = child.pid;
    this.#extra = { subprocess: child };
    onLoopClose(loop, this.#release);

    if (spec.stdin === "pipe") {
      const proto = new PipeProto(this, 0);
      proto.pipe = new WritePipeTransport(loop, child.stdin, proto, {
        pipe: child.stdin,
      });
      this.#pipes.set(0, proto);
    }
    // A Process starts its reading pipes itself (see `_startReadingSoon()`).
    const defer = (protocol as { _defersPipeReading?: boolean })
      ._defersPipeReading === true;
    if (spec.stdout === "pipe") {
      const proto = new PipeProto(this, 1);
      const sources = merge ? [child.stdout, child.stderr] : [child.stdout];
      proto.pipe = new ReadPipeTransport(loop, sources, proto, {
        pipe: child.stdout,
      }, defer);
      this.#pipes.set(1, proto);
    }
    if (spec.stderr === "pipe") {
      const proto = new PipeProto(this, 2);
      proto.pipe = new ReadPipeTransport(loop, [child.stderr], proto, {
        pipe: child.stderr,
      }, defer);
      this.#pipes.set(2, proto);
    }

    whenSettled(
      loop,
      child.status,
      (status) => {
        if (!loop.isClosed()) {
          loop.callSoon(() => this.#processExited(returncodeOf(status)));
        }
      },
      (error) => {
        if (!loop.isClosed()) {
          loop.callExceptionHandler({
            message: "Could not get the exit status of a child process",
            exception: error,
            transport: this,
          });
        }
      },
    );
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  isClosing(): boolean {
    return this.#closed;
  }

  /**
   * Closes the pipes and, if the child still runs, kills it (asyncio's
   * `close()`). The protocol still gets `processExited` and
   * `connectionLost` as the child goes.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const proto of this.#pipes.values()) proto.pipe?.close();
    if (this.#child !== null && this.#returncode === null) {
      this.#signal("SIGKILL");
    }
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as SubprocessProtocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  getPid(): number {
    return this.#pid;
  }

  getReturncode(): number | null {
    return this.#returncode;
  }

  getPipeTransport(fd: number): WriteTransport | ReadTransport | null {
    return this.#pipes.get(fd)?.pipe ?? null;
  }

  sendSignal(signal: Deno.Signal): void {
    if (typeof signal !== "string") {
      throw new TypeError(
        `Cannot send a signal as 'signal' must be a signal name such as "SIGTERM": received ${
          describeValue(signal)
        }`,
      );
    }
    if (this.#child === null) {
      // asyncio raises ProcessLookupError (ESRCH); Deno calls it NotFound.
      throw new Deno.errors.NotFound(
        `Cannot send ${signal} to process ${this.#pid}: it has exited and been waited for`,
      );
    }
    this.#signal(signal);
  }

  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /**
   * @internal The return code, once the child has exited and (if it had not
   * exited yet when called) every pipe is closed: asyncio's `_wait()`.
   * @ignore
   */
  *_wait(): Coroutine<number> {
    if (this.#returncode !== null) return this.#returncode;
    const waiter = this.#loop.createFuture<number>();
    this.#exitWaiters.push(waiter);
    return yield* waiter;
  }

  /**
   * @internal Starts the reading pipes two loop passes from now. A Process
   * calls it as it is made, so that a `communicate()` called at once can
   * still read each pipe whole (`_readWhole()`): in the same task step
   * (directly, or through `waitFor`/`timeout`, which run it in the caller's
   * task), or in a task made in that step (`createTask(...)`,
   * `gather(...)`), whose first step runs in the next pass, hence two
   * passes. Otherwise the pipes read eagerly from then on, as asyncio's do.
   * @ignore
   */
  _startReadingSoon(): void {
    if (!this.#pipes.has(1) && !this.#pipes.has(2)) return;
    const start = () => {
      for (const proto of this.#pipes.values()) {
        (proto.pipe as Partial<ReadPipeTransport> | null)?._start?.();
      }
    };
    this.#loop.callSoon(() => this.#loop.callSoon(start));
  }

  /** @ignore @internal Schedules connectionMade, then resolves `waiter`. */
  _connect(waiter: Future<void>): void {
    const protocol = this.#protocol;
    this.#loop.callSoon(() => protocol.connectionMade(this));
    this.#loop.callSoon(() => {
      if (!waiter.done()) waiter.setResult();
    });
  }

  /** @ignore @internal */
  _pipeDataReceived(fd: number, data: Uint8Array): void {
    const protocol = this.#protocol;
    this.#loop.callSoon(() => {
      try {
        protocol.pipeDataReceived(fd, data);
      } catch (error) {
        // As the other transports of this module do: report it, and end the
        // pipe with the error.
        this.#loop.callExceptionHandler({
          message: "Fatal error: protocol.pipeDataReceived() call failed.",
          exception: error,
          transport: this,
          protocol,
        });
        const pipe = this.#pipes.get(fd)?.pipe as ReadPipeTransport | null;
        pipe?._fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** @ignore @internal */
  _pipeConnectionLost(fd: number, error: Error | null): void {
    const protocol = this.#protocol;
    this.#loop.callSoon(() => protocol.pipeConnectionLost(fd, error));
    this.#tryFinish();
  }

  #processExited(returncode: number): void {
    this.#returncode = returncode;
    // asyncio's write pipe notices that the reading end closed; a
    // WritableStream cannot, so stdin is closed here: pending bytes then fail
    // with BrokenPipe, as they would in asyncio.
    const stdin = this.#pipes.get(0);
    if (stdin !== undefined && !stdin.disconnected) stdin.pipe?.close();
    const protocol = this.#protocol;
    this.#loop.callSoon(() => protocol.processExited());
    this.#tryFinish();
  }

  #tryFinish(): void {
    if (this.#finished || this.#returncode === null) return;
    for (const proto of this.#pipes.values()) {
      if (!proto.disconnected) return;
    }
    this.#finished = true;
    this.#loop.callSoon(() => this.#callConnectionLost());
  }

  #callConnectionLost(): void {
    try {
      this.#protocol.connectionLost(null);
    } finally {
      for (const waiter of this.#exitWaiters) {
        if (!waiter.done()) waiter.setResult(this.#returncode!);
      }
      this.#exitWaiters = [];
      offLoopClose(this.#loop, this.#release);
      this.#child = null;
    }
  }

  /** Sends a signal; a child that exited but is not reported yet is skipped. */
  #signal(signal: Deno.Signal): void {
    try {
      this.#child!.kill(signal);
    } catch (error) {
      if (error instanceof TypeError && /terminated/.test(error.message)) {
        return;
      }
      if (error instanceof TypeError) {
        throw new TypeError(
          `Cannot send a signal as 'signal' must be a signal name such as "SIGTERM": received ${
            describeValue(signal)
          }`,
        );
      }
      throw error;
    }
  }

  /** The loop is closing: kill a child still running and free its pipes. */
  #releaseNow(): void {
    this.#closed = true;
    for (const proto of this.#pipes.values()) {
      (proto.pipe as { _release(): void } | null)?._release();
    }
    if (this.#child !== null && this.#returncode === null) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // It has exited already.
      }
      // run() waits for it to be reaped: no zombie outlives run().
      noteKilledAtClose(this.#loop, this.#child.status);
    }
    // A pipe read whole by communicate() cannot be cancelled: it ends when
    // the last writer closes it, which a grandchild may hold open. Such a
    // read must not keep the process alive once the loop is gone.
    for (const proto of this.#pipes.values()) {
      if ((proto.pipe as Partial<ReadPipeTransport> | null)?._readingWhole) {
        this.#child?.unref();
        break;
      }
    }
  }
}

/**
 * Deno.Command's options, with only the fields that differ from its defaults:
 * spelling out the defaults makes every spawn measurably slower.
 */
function commandOptions(spec: SpawnSpec): Deno.CommandOptions {
  const options: Deno.CommandOptions = {};
  if (spec.args.length > 0) options.args = spec.args;
  if (spec.stdin !== "inherit") options.stdin = denoStdio(spec.stdin);
  if (spec.stdout !== "inherit") options.stdout = denoStdio(spec.stdout);
  if (spec.stderr === "stdout") {
    options.stderr = spec.stdout === "pipe" ? "piped" : "null";
  } else if (spec.stderr !== "inherit") {
    options.stderr = denoStdio(spec.stderr);
  }
  if (spec.cwd !== undefined) options.cwd = spec.cwd;
  if (spec.env !== undefined) {
    options.env = spec.env;
    options.clearEnv = true;
  }
  if (spec.startNewSession) options.detached = true;
  return options;
}

/** asyncio reports a child killed by signal N as -N. */
function returncodeOf(status: Deno.CommandStatus): number {
  if (status.signal === null) return status.code;
  // Deno reports 128 + N as the code of a child killed by signal N.
  return status.code > 128 ? -(status.code - 128) : -status.code;
}

function denoStdio(value: SubprocessStdio): "piped" | "null" | "inherit" {
  return value === "pipe" ? "piped" : value;
}

function optionError(name: string, must: string, value: unknown): TypeError {
  return new TypeError(
    `Cannot start a subprocess as '${name}' must be ${must}: received ${
      describeValue(value)
    }`,
  );
}

function checkSpec(
  program: unknown,
  args: unknown,
  options: unknown,
): SpawnSpec {
  if (
    !(typeof program === "string" && program.length > 0) &&
    !(program instanceof URL)
  ) {
    throw optionError("program", "a non-empty string or a URL", program);
  }
  if (!Array.isArray(args)) {
    throw optionError("args", "an array of strings", args);
  }
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] !== "string") {
      throw optionError(`args[${i}]`, "a string", args[i]);
    }
  }
  if (
    options !== undefined && (typeof options !== "object" || options === null)
  ) {
    throw optionError("options", "an object", options);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  checkOptionNames(o, SUBPROCESS_OPTIONS, "start a subprocess");
  const stdio = (name: string, extra: string[] = []): string => {
    const value = o[name] ?? "pipe";
    if (
      typeof value !== "string" ||
      !(STDIO_VALUES.includes(value) || extra.includes(value))
    ) {
      const allowed = [...STDIO_VALUES, ...extra].map((v) => `"${v}"`);
      throw optionError(
        name,
        `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`,
        value,
      );
    }
    return value;
  };
  const stdin = stdio("stdin") as SubprocessStdio;
  const stdout = stdio("stdout") as SubprocessStdio;
  const stderr = stdio("stderr", ["stdout"]) as SubprocessStderr;
  if (stderr === "stdout" && stdout === "inherit") {
    throw new TypeError(
      `Cannot start a subprocess with 'stderr' "stdout" (STDOUT) and 'stdout' "inherit": Deno.Command cannot send a child's stderr to this process's stdout; use PIPE or DEVNULL for stdout`,
    );
  }
  const cwd = o.cwd;
  if (
    cwd !== undefined && !(typeof cwd === "string" && cwd.length > 0) &&
    !(cwd instanceof URL)
  ) {
    throw optionError("cwd", "a non-empty string or a URL", cwd);
  }
  const env = o.env;
  if (env !== undefined) {
    if (typeof env !== "object" || env === null || Array.isArray(env)) {
      throw optionError("env", "an object of strings", env);
    }
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== "string") {
        throw optionError(`env.${key}`, "a string", value);
      }
    }
  }
  const startNewSession = o.startNewSession ?? false;
  if (typeof startNewSession !== "boolean") {
    throw optionError("startNewSession", "a boolean", startNewSession);
  }
  return {
    startNewSession,
    program: program as string | URL,
    args: [...args],
    stdin,
    stdout,
    stderr,
    cwd: cwd as string | URL | undefined,
    env: env as Record<string, string> | undefined,
  };
}

/**
 * Starts the child, then waits until the protocol's connectionMade has run.
 * Cancelled meanwhile, the child is killed and waited for (asyncio's
 * `_make_subprocess_transport`).
 */
function* start<P extends SubprocessProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  spec: SpawnSpec,
): Coroutine<[SubprocessTransport, P]> {
  const protocol = protocolFactory();
  const transport = new PipedSubprocessTransport(loop, protocol, spec);
  const waiter = loop.createFuture<void>();
  transport._connect(waiter);
  try {
    yield* waiter;
  } catch (error) {
    transport.close();
    yield* transport._wait();
    throw error;
  }
  return [transport, protocol];
}

/** The shell of `subprocessShell`. */
function shellCommand(cmd: string): [string, string[]] {
  return Deno.build.os === "windows"
    ? ["cmd.exe", ["/d", "/s", "/c", cmd]]
    : ["/bin/sh", ["-c", cmd]];
}

subprocessHook.impl = {
  *exec<P extends SubprocessProtocol>(
    loop: EventLoop,
    protocolFactory: () => P,
    program: string | URL,
    args: readonly string[],
    options: SubprocessOptions | undefined,
  ): Coroutine<[SubprocessTransport, P]> {
    checkLoopOpen(loop, "subprocessExec()");
    checkFunction(protocolFactory, "subprocessExec()'s 'protocolFactory'");
    const spec = checkSpec(program, args, options);
    return yield* start(loop, protocolFactory, spec);
  },
  *shell<P extends SubprocessProtocol>(
    loop: EventLoop,
    protocolFactory: () => P,
    cmd: string,
    options: SubprocessOptions | undefined,
  ): Coroutine<[SubprocessTransport, P]> {
    checkLoopOpen(loop, "subprocessShell()");
    checkFunction(protocolFactory, "subprocessShell()'s 'protocolFactory'");
    if (typeof cmd !== "string" || cmd.length === 0) {
      throw optionError("cmd", "a non-empty string", cmd);
    }
    const [program, args] = shellCommand(cmd);
    const spec = checkSpec(program, args, options);
    return yield* start(loop, protocolFactory, spec);
  },
};

/**
 * {@linkcode Process}: a running child and its streams.
 *
 * @module
 */

import { describeValue, watchCoroutine } from "../eventloop/_lowlevel.ts";
import type { EventLoop } from "../eventloop/event_loop.ts";
import type {
  ReadTransport,
  SubprocessTransport,
} from "../eventloop/transports.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { gather } from "../tasks/gather.ts";
import type { StreamReader, StreamWriter } from "../streams/mod.ts";
import type { SubprocessStreamProtocol } from "./_subprocess_stream_protocol.ts";

/** The transport as the subprocess folder makes it. */
type WaitableTransport = SubprocessTransport & {
  _wait(): Coroutine<number>;
  _startReadingSoon(): void;
};

/**
 * A child process started with `createSubprocessExec()` or
 * `createSubprocessShell()`: its pid, its return code once it has exited,
 * and streams over the pipes it was started with.
 *
 * Read the output pipes while the child runs (or use `communicate()`): a
 * child that fills a pipe nobody reads blocks, and then so does `wait()`.
 *
 * asyncio: `asyncio.subprocess.Process`.
 *
 * @example Talking to a child line by line
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const lines = await run(function* () {
 *   const proc = yield* createSubprocessExec("cat", [], { stdin: PIPE, stdout: PIPE });
 *   const lines: string[] = [];
 *   for (const word of ["one", "two"]) {
 *     proc.stdin!.write(new TextEncoder().encode(word + "\n"));
 *     yield* proc.stdin!.drain();
 *     lines.push(new TextDecoder().decode(yield* proc.stdout!.readLine()));
 *   }
 *   proc.stdin!.close();
 *   assert.equal(yield* proc.wait(), 0);
 *   return lines;
 * }());
 * assert.deepEqual(lines, ["one\n", "two\n"]);
 * ```
 */
export class Process {
  /**
   * The child's stdin, when it was started with `stdin: PIPE`. Its
   * `write()` keeps a reference to the bytes, not a copy (as Web Streams
   * writers do): do not modify an array after writing it.
   */
  readonly stdin: StreamWriter | null;
  /** The child's stdout (and stderr with `STDOUT`), with `stdout: PIPE`. */
  readonly stdout: StreamReader | null;
  /** The child's stderr, when it was started with `stderr: PIPE`. */
  readonly stderr: StreamReader | null;
  /** The child's process id. */
  readonly pid: number;
  #transport: WaitableTransport;

  /**
   * Wraps a subprocess transport and its stream protocol. Made by
   * `createSubprocessExec()` and `createSubprocessShell()`; not meant to be
   * called directly.
   *
   * @param transport The subprocess transport.
   * @param protocol Its stream protocol.
   * @param _loop The loop they belong to.
   */
  constructor(
    transport: SubprocessTransport,
    protocol: SubprocessStreamProtocol,
    _loop: EventLoop,
  ) {
    this.#transport = transport as WaitableTransport;
    this.#transport._startReadingSoon();
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
    this.pid = transport.getPid();
  }

  /**
   * The exit code: `null` while the child runs, minus the signal number if a
   * signal killed it (`-9` after `kill()`).
   *
   * asyncio: `Process.returncode`.
   *
   * @returns The code.
   *
   * @example The code of a failing command
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessShell } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * await run(function* () {
   *   const proc = yield* createSubprocessShell("exit 7");
   *   assert.equal(proc.returncode, null);
   *   yield* proc.wait();
   *   assert.equal(proc.returncode, 7);
   * }());
   * ```
   */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /**
   * Waits until the child has exited (and its output pipes are closed) and
   * gives its return code. Cancelling the wait does not stop the child.
   *
   * With `stdout: PIPE` or `stderr: PIPE`, read the output or use
   * `communicate()` instead: a child that fills a pipe nobody reads never
   * exits.
   *
   * asyncio: `Process.wait()`.
   *
   * @returns The return code.
   *
   * @example Waiting for a child
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessExec } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * const code = await run(function* () {
   *   const proc = yield* createSubprocessExec("sh", ["-c", "exit 3"]);
   *   return yield* proc.wait();
   * }());
   * assert.equal(code, 3);
   * ```
   */
  wait(): Coroutine<number> {
    return watchCoroutine(this.#wait(), "Process.wait");
  }

  *#wait(): Coroutine<number> {
    return yield* this.#transport._wait();
  }

  /**
   * Sends a signal to the child. Does nothing if the child has exited but
   * that is not known yet.
   *
   * asyncio: `Process.send_signal()`.
   *
   * @param signal A signal name such as `"SIGINT"`.
   * @throws {TypeError} If `signal` is not a signal name.
   * @throws {Deno.errors.NotFound} If the child has exited and been waited
   * for (asyncio's `ProcessLookupError`).
   *
   * @example Interrupting a child
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessExec } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * const code = await run(function* () {
   *   const proc = yield* createSubprocessExec("sleep", ["30"]);
   *   proc.sendSignal("SIGINT");
   *   return yield* proc.wait();
   * }());
   * assert.equal(code, -2);
   * ```
   */
  sendSignal(signal: Deno.Signal): void {
    this.#transport.sendSignal(signal);
  }

  /**
   * Sends SIGTERM: asks the child to stop.
   *
   * asyncio: `Process.terminate()`.
   *
   * @throws {Deno.errors.NotFound} If the child has exited and been waited
   * for.
   *
   * @example Stopping a sleeping child
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessExec } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * const code = await run(function* () {
   *   const proc = yield* createSubprocessExec("sleep", ["30"]);
   *   proc.terminate();
   *   return yield* proc.wait();
   * }());
   * assert.equal(code, -15);
   * ```
   */
  terminate(): void {
    this.#transport.terminate();
  }

  /**
   * Sends SIGKILL: stops the child at once.
   *
   * asyncio: `Process.kill()`.
   *
   * @throws {Deno.errors.NotFound} If the child has exited and been waited
   * for.
   *
   * @example Killing a sleeping child
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessExec } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * const code = await run(function* () {
   *   const proc = yield* createSubprocessExec("sleep", ["30"]);
   *   proc.kill();
   *   return yield* proc.wait();
   * }());
   * assert.equal(code, -9);
   * ```
   */
  kill(): void {
    this.#transport.kill();
  }

  /**
   * Sends `input` to the child's stdin and closes it, reads stdout and
   * stderr to their end, all at once (so a child that writes much while it
   * reads never deadlocks), then waits for the child to exit.
   *
   * A child that exits without reading all its input is not an error: the
   * broken pipe is ignored, as in asyncio. Cancelling `communicate()` does
   * not stop the child, and loses no output: what was read stays in
   * `stdout`/`stderr`.
   *
   * Called as soon as the process is made (in the same task step, also
   * through `waitFor`, or in a task made in that step with `createTask` or
   * `gather`), it
   * reads each output pipe in one native read, as fast as `Deno.Command`'s
   * `output()`. Later, the pipes have started reading chunk by chunk, as
   * asyncio's do, and it collects the chunks.
   *
   * asyncio: `Process.communicate()`.
   *
   * @param input Bytes for stdin; the process must have `stdin: PIPE`.
   * @returns `[stdout, stderr]`: the bytes of each pipe, `null` for a
   * stream that is not a pipe.
   * @throws {TypeError} If `input` is not a Uint8Array, or is given while
   * stdin is not a pipe.
   *
   * @example Sorting lines with `sort`
   * ```ts
   * import { run } from "@asyncio/asyncio/eventloop";
   * import { createSubprocessExec, PIPE } from "@asyncio/asyncio/subprocess";
   * import assert from "node:assert/strict";
   *
   * const [out, err] = await run(function* () {
   *   const proc = yield* createSubprocessExec("sort", [], {
   *     stdin: PIPE,
   *     stdout: PIPE,
   *     stderr: PIPE,
   *   });
   *   return yield* proc.communicate(new TextEncoder().encode("b\nc\na\n"));
   * }());
   * assert.equal(new TextDecoder().decode(out!), "a\nb\nc\n");
   * assert.equal(err!.length, 0);
   * ```
   */
  communicate(
    input?: Uint8Array | null,
  ): Coroutine<[Uint8Array | null, Uint8Array | null]> {
    return watchCoroutine(this.#communicate(input), "Process.communicate");
  }

  *#communicate(
    input?: Uint8Array | null,
  ): Coroutine<[Uint8Array | null, Uint8Array | null]> {
    if (input !== undefined && input !== null) {
      if (!(input instanceof Uint8Array)) {
        throw new TypeError(
          `Cannot communicate with the process as 'input' must be a Uint8Array: received ${
            describeValue(input)
          }`,
        );
      }
      if (this.stdin === null) {
        throw new TypeError(
          "Cannot communicate 'input' to a process whose stdin is not a pipe: start it with { stdin: PIPE }",
        );
      }
    }
    const [, stdout, stderr] = yield* gather([
      this.stdin !== null ? this.#feedStdin(input ?? null) : none(),
      this.stdout !== null ? this.#readOutput(1, this.stdout) : none(),
      this.stderr !== null ? this.#readOutput(2, this.stderr) : none(),
    ]);
    yield* this.wait();
    return [stdout, stderr];
  }

  /**
   * A short description for logs.
   *
   * @returns For example `<Process 1234>`.
   */
  toString(): string {
    return `<Process ${this.pid}>`;
  }

  *#feedStdin(input: Uint8Array | null): Coroutine<null> {
    const stdin = this.stdin!;
    if (input !== null) stdin.write(input);
    try {
      yield* stdin.drain();
    } catch (error) {
      // asyncio's communicate() ignores BrokenPipeError and
      // ConnectionResetError: the child stopped reading.
      if (
        !(error instanceof Deno.errors.BrokenPipe) &&
        !(error instanceof Deno.errors.ConnectionReset)
      ) throw error;
    }
    stdin.close();
    return null;
  }

  /**
   * Reads one output pipe to its end. Called before the pipe has started
   * reading (communicate() right after the process was made), the pipe is
   * read whole in one native read instead of chunk by chunk; the bytes
   * still pass through the StreamReader, as one chunk. Must be called
   * synchronously by communicate(), before it waits for anything.
   */
  #readOutput(fd: number, stream: StreamReader): Coroutine<Uint8Array> {
    const pipe = this.#transport.getPipeTransport(fd) as
      | (ReadTransport & { _readWhole?(): boolean })
      | null;
    pipe?._readWhole?.();
    return readAll(stream, pipe);
  }
}

function* readAll(
  stream: StreamReader,
  pipe: ReadTransport | null,
): Coroutine<Uint8Array> {
  const output = yield* stream.read();
  pipe?.close();
  return output;
}

function* none(): Coroutine<null> {
  return null;
}

/**
 * {@linkcode createSubprocessExec} and {@linkcode createSubprocessShell}:
 * starting a child process with streams over its pipes.
 *
 * @module
 */

import type {
  SubprocessStderr,
  SubprocessStdio,
} from "../eventloop/subprocess_options.ts";
import { getRunningLoop } from "../eventloop/registry.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { Process } from "./process.ts";
import { SubprocessStreamProtocol } from "./_subprocess_stream_protocol.ts";
import "./_subprocess_transport.ts";
import {
  checkOptionNames,
  describeValue,
  type OptionNames,
  SUBPROCESS_OPTIONS,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";

/** asyncio's `streams._DEFAULT_LIMIT`, the StreamReader default. */
const DEFAULT_LIMIT = 2 ** 16;

/** Options of {@linkcode createSubprocessExec} and {@linkcode createSubprocessShell}. */
export interface CreateSubprocessOptions {
  /**
   * The child's stdin: `PIPE` (then `proc.stdin` is a `StreamWriter`),
   * `DEVNULL`, or `"inherit"`.
   *
   * @default {"inherit"}
   */
  stdin?: SubprocessStdio;
  /**
   * The child's stdout: `PIPE` (then `proc.stdout` is a `StreamReader`),
   * `DEVNULL`, or `"inherit"`.
   *
   * @default {"inherit"}
   */
  stdout?: SubprocessStdio;
  /**
   * The child's stderr: `PIPE`, `DEVNULL`, `"inherit"`, or `STDOUT` to read
   * it through `proc.stdout` (stdout must then be `PIPE` or `DEVNULL`).
   *
   * @default {"inherit"}
   */
  stderr?: SubprocessStderr;
  /**
   * The child's working directory.
   *
   * @default {this process's working directory}
   */
  cwd?: string | URL;
  /**
   * The child's whole environment, as with Python's `Popen(env=...)`: it
   * replaces this process's environment. Spread `Deno.env.toObject()` into
   * it to add variables.
   *
   * @default {this process's environment}
   */
  env?: Record<string, string>;
  /**
   * Starts the child in a new session (and process group) of its own, as
   * Python's `Popen(start_new_session=True)` does (Deno's `detached`), so
   * that `Deno.kill(-proc.pid, signal)` reaches it and every process it
   * starts: `proc.kill()` stops only the child itself, and a grandchild that
   * keeps a pipe open keeps `wait()` waiting.
   *
   * @default {false}
   */
  startNewSession?: boolean;
  /**
   * The `limit` of the `StreamReader`s of stdout and stderr: the longest
   * line `readLine()` accepts; each pipe is paused while more than twice
   * this many bytes wait unread.
   *
   * @default {65536}
   */
  limit?: number;
}

const CREATE_SUBPROCESS_OPTIONS: OptionNames<CreateSubprocessOptions> = {
  ...SUBPROCESS_OPTIONS,
  limit: true,
};

/** Splits `limit` off, checks it, and fills asyncio's defaults (inherit). */
function prepare(
  options: CreateSubprocessOptions | undefined,
  where: string,
): [number, CreateSubprocessOptions] {
  if (
    options !== undefined && (typeof options !== "object" || options === null)
  ) {
    throw new TypeError(
      `${where} expected 'options' to be an object: received ${
        describeValue(options)
      }`,
    );
  }
  checkOptionNames(options, CREATE_SUBPROCESS_OPTIONS, "start a subprocess");
  const { limit = DEFAULT_LIMIT, ...rest } = options ?? {};
  if (typeof limit !== "number") {
    throw new TypeError(
      `Cannot start a subprocess as 'limit' must be a positive integer: received ${
        describeValue(limit)
      }`,
    );
  }
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(
      `Cannot start a subprocess as 'limit' must be a positive integer: received ${
        describeValue(limit)
      }`,
    );
  }
  return [limit, {
    ...rest,
    stdin: rest.stdin ?? "inherit",
    stdout: rest.stdout ?? "inherit",
    stderr: rest.stderr ?? "inherit",
  }];
}

/**
 * Starts a program with its arguments passed as a list, never through a
 * shell (so they need no quoting and cannot inject commands), and gives a
 * {@linkcode Process}. By default the child shares this process's stdin,
 * stdout and stderr; ask for `PIPE` to talk to it.
 *
 * asyncio: `asyncio.create_subprocess_exec()`.
 *
 * @param program The program: a path, or a name looked up in `PATH`.
 * @param args Its arguments.
 * @param options `stdin`, `stdout`, `stderr` (`PIPE`, `DEVNULL`,
 * `"inherit"`, and `STDOUT` for stderr), `cwd`, `env`, `startNewSession`,
 * `limit`.
 * @returns The process, once it has started.
 * @throws {Deno.errors.NotFound} If the program does not exist.
 * @throws {Deno.errors.NotCapable} Without `--allow-run` (Deno 2's
 * permission error).
 * @throws {Deno.errors.PermissionDenied} If the program is not executable.
 * @throws {TypeError} If an argument or option is invalid (the message
 * names it).
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example Capturing a program's output
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const [code, text] = await run(function* () {
 *   const proc = yield* createSubprocessExec("printf", ["%s-%s", "a b", "$HOME"], {
 *     stdout: PIPE,
 *   });
 *   const [out] = yield* proc.communicate();
 *   return [proc.returncode, new TextDecoder().decode(out!)];
 * }());
 * assert.equal(code, 0);
 * assert.equal(text, "a b-$HOME");
 * ```
 *
 * @example A program that does not exist
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessExec } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(
 *   run(createSubprocessExec("no-such-program-here")),
 *   Deno.errors.NotFound,
 * );
 * ```
 */
export function createSubprocessExec(
  program: string | URL,
  args?: readonly string[],
  options?: CreateSubprocessOptions,
): Coroutine<Process> {
  return watchCoroutine(
    createSubprocessExecCoroutine(program, args, options),
    "createSubprocessExec",
  );
}

function* createSubprocessExecCoroutine(
  program: string | URL,
  args?: readonly string[],
  options?: CreateSubprocessOptions,
): Coroutine<Process> {
  const [limit, rest] = prepare(options, "createSubprocessExec()");
  const loop = getRunningLoop();
  const [transport, protocol] = yield* loop.subprocessExec(
    () => new SubprocessStreamProtocol(limit, loop),
    program,
    args ?? [],
    rest,
  );
  return new Process(transport, protocol, loop);
}

/**
 * Starts a command line through the shell (`/bin/sh -c cmd`) and gives a
 * {@linkcode Process}, as {@linkcode createSubprocessExec} does.
 *
 * Beware of shell injection: the shell interprets `cmd`, so never build it
 * from untrusted text (a file name such as `x; rm -rf ~` runs the second
 * command). Use `createSubprocessExec`, which passes arguments as a list,
 * whenever you do not need the shell's pipes, globs or redirections.
 *
 * asyncio: `asyncio.create_subprocess_shell()`.
 *
 * @param cmd The shell command line.
 * @param options As for `createSubprocessExec`.
 * @returns The process, once it has started.
 * @throws {Deno.errors.NotCapable} Without `--allow-run`.
 * @throws {TypeError} If `cmd` is not a non-empty string or an option is
 * invalid.
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example A shell pipeline
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { createSubprocessShell, PIPE } from "@asyncio/asyncio/subprocess";
 * import assert from "node:assert/strict";
 *
 * const out = await run(function* () {
 *   const proc = yield* createSubprocessShell("printf 'b\\na\\n' | sort", {
 *     stdout: PIPE,
 *   });
 *   const [out] = yield* proc.communicate();
 *   return new TextDecoder().decode(out!);
 * }());
 * assert.equal(out, "a\nb\n");
 * ```
 */
export function createSubprocessShell(
  cmd: string,
  options?: CreateSubprocessOptions,
): Coroutine<Process> {
  return watchCoroutine(
    createSubprocessShellCoroutine(cmd, options),
    "createSubprocessShell",
  );
}

function* createSubprocessShellCoroutine(
  cmd: string,
  options?: CreateSubprocessOptions,
): Coroutine<Process> {
  const [limit, rest] = prepare(options, "createSubprocessShell()");
  const loop = getRunningLoop();
  const [transport, protocol] = yield* loop.subprocessShell(
    () => new SubprocessStreamProtocol(limit, loop),
    cmd,
    rest,
  );
  return new Process(transport, protocol, loop);
}

/**
 * The options of `loop.subprocessExec()` and `loop.subprocessShell()`. The
 * implementation of those methods lives in the `subprocess` folder, over
 * `Deno.Command`.
 *
 * @module
 */

/**
 * Where one of a child's standard streams goes: `"pipe"` (a pipe to this
 * process, asyncio's `PIPE`), `"null"` (the null device, asyncio's
 * `DEVNULL`) or `"inherit"` (this process's own stream, asyncio's `None`).
 * The `subprocess` folder exports them as `PIPE` and `DEVNULL`.
 */
export type SubprocessStdio = "pipe" | "null" | "inherit";

/**
 * Where a child's stderr goes: a {@linkcode SubprocessStdio}, or `"stdout"`
 * to merge it into the stdout pipe (asyncio's `STDOUT`).
 */
export type SubprocessStderr = SubprocessStdio | "stdout";

/** Options of `loop.subprocessExec()` and `loop.subprocessShell()`. */
export interface SubprocessOptions {
  /**
   * The child's stdin.
   *
   * @default {"pipe"}
   */
  stdin?: SubprocessStdio;
  /**
   * The child's stdout.
   *
   * @default {"pipe"}
   */
  stdout?: SubprocessStdio;
  /**
   * The child's stderr; `"stdout"` merges it into the stdout pipe (stdout
   * must then be `"pipe"`).
   *
   * @default {"pipe"}
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
   * replaces this process's environment rather than adding to it. Spread
   * `Deno.env.toObject()` into it to add variables.
   *
   * @default {this process's environment}
   */
  env?: Record<string, string>;
  /**
   * Starts the child in a new session (and process group) of its own, as
   * Python's `Popen(start_new_session=True)` does (Deno's `detached`), so
   * that `Deno.kill(-pid, signal)` reaches it and every process it starts.
   *
   * @default {false}
   */
  startNewSession?: boolean;
}

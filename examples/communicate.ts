// communicate(): the simple way to run a child process to completion with
// input and captured output, without deadlocks (stdin is written while
// stdout and stderr are read).
//
//   deno run --allow-run examples/communicate.ts
//
// Three cases: sorting lines through `sort`, capturing stdout and stderr
// separately with the exit code, and reading stderr through stdout (STDOUT).

import { run } from "@asyncio/asyncio/eventloop";
import type { Coroutine } from "@asyncio/asyncio/tasks";
import {
  createSubprocessExec,
  createSubprocessShell,
  PIPE,
  STDOUT,
} from "@asyncio/asyncio/subprocess";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sorts lines with the `sort` program. */
export function* sortLines(lines: string[]): Coroutine<string[]> {
  const proc = yield* createSubprocessExec("sort", [], {
    stdin: PIPE,
    stdout: PIPE,
    env: { LC_ALL: "C" }, // byte order, whatever the user's locale
  });
  const [out] = yield* proc.communicate(
    encoder.encode(lines.join("\n") + "\n"),
  );
  if (proc.returncode !== 0) {
    throw new Error(`sort exited with ${proc.returncode}`);
  }
  return decoder.decode(out!).split("\n").slice(0, -1);
}

/** What a shell command printed, and how it ended. */
export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` in a shell and captures stdout and stderr separately. */
export function* capture(command: string): Coroutine<ShellResult> {
  const proc = yield* createSubprocessShell(command, {
    stdout: PIPE,
    stderr: PIPE,
  });
  const [out, err] = yield* proc.communicate();
  return {
    code: proc.returncode!,
    stdout: decoder.decode(out!),
    stderr: decoder.decode(err!),
  };
}

/**
 * Runs `command` with stderr merged into stdout. Deno cannot point one pipe
 * at the other, so the two are read side by side and chunks interleave in the
 * order they arrive; for the exact order, write `2>&1` in the command.
 */
export function* captureMerged(command: string): Coroutine<[number, string]> {
  const proc = yield* createSubprocessShell(command, {
    stdout: PIPE,
    stderr: STDOUT,
  });
  const [out] = yield* proc.communicate();
  return [proc.returncode!, decoder.decode(out!)];
}

if (import.meta.main) {
  await run(function* () {
    const sorted = yield* sortLines(["pear", "apple", "fig", "banana"]);
    console.log(`sort: ${sorted.join(", ")}`);

    const result = yield* capture("echo to stdout; echo to stderr >&2; exit 3");
    console.log(`exit code ${result.code}`);
    console.log(`  stdout: ${JSON.stringify(result.stdout)}`);
    console.log(`  stderr: ${JSON.stringify(result.stderr)}`);

    const [code, merged] = yield* captureMerged(
      "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three",
    );
    console.log(`merged (exit code ${code}): ${JSON.stringify(merged)}`);
  }());
}

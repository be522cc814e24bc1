// Runs shell commands in parallel, at most a few at a time, each with a time
// limit: the shape of a build or test runner.
//
//   commands --Semaphore(jobs)--> createSubprocessShell (stdout+stderr merged)
//                                  waitFor(communicate(), limit), else kill()
//
// Cancelling communicate() (the time limit) does not stop a child, as in
// asyncio, so a command over its limit is killed and then waited for. Each
// command runs in a session of its own (startNewSession) and the whole group
// is killed: killing only the shell would leave the programs it started
// running, holding the output pipe open.
//
//   deno run --allow-run examples/parallel_commands.ts [--jobs N] [--limit S] [cmd...]

import { run, TimeoutError } from "../eventloop/mod.ts";
import { type Coroutine, createTask, waitFor } from "../tasks/mod.ts";
import { Semaphore } from "../sync/mod.ts";
import { createSubprocessShell, PIPE, STDOUT } from "../subprocess/mod.ts";

/** What happened to one command. */
export interface CommandResult {
  command: string;
  /** The exit code; minus the signal number if it was killed. */
  returncode: number;
  /** Its stdout and stderr, merged. */
  output: string;
  timedOut: boolean;
  seconds: number;
}

/** Runs one command with a time limit. */
function* runOne(command: string, limit: number): Coroutine<CommandResult> {
  const started = performance.now();
  const proc = yield* createSubprocessShell(command, {
    stdin: "null",
    stdout: PIPE,
    stderr: STDOUT,
    startNewSession: true,
  });
  let output: Uint8Array = new Uint8Array(0);
  let timedOut = false;
  try {
    [output] = (yield* waitFor(proc.communicate(), limit)) as [
      Uint8Array,
      null,
    ];
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    timedOut = true;
    try {
      Deno.kill(-proc.pid, "SIGKILL");
    } catch (error) {
      // NotFound: the whole group exited meanwhile.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const returncode = yield* proc.wait();
  return {
    command,
    returncode,
    output: new TextDecoder().decode(output),
    timedOut,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Runs `commands` at most `jobs` at a time, each killed after `limit`
 * seconds, and gives their results in the order given.
 */
export function* runCommands(
  commands: string[],
  options: { jobs?: number; limit?: number } = {},
  log: (line: string) => void = () => {},
): Coroutine<CommandResult[]> {
  const slots = new Semaphore(options.jobs ?? 2);
  const limit = options.limit ?? 10;
  const tasks = commands.map((command) =>
    createTask(function* (): Coroutine<CommandResult> {
      using _ = yield* slots.hold();
      log(`start: ${command}`);
      const result = yield* runOne(command, limit);
      log(
        `done:  ${command} -> ${
          result.timedOut ? "timed out" : `exit ${result.returncode}`
        } in ${result.seconds.toFixed(2)}s`,
      );
      return result;
    }())
  );
  const results: CommandResult[] = [];
  for (const task of tasks) results.push(yield* task);
  return results;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const option = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    if (i === -1) return fallback;
    const [, value] = args.splice(i, 2);
    return Number(value);
  };
  const jobs = option("--jobs", 2);
  const limit = option("--limit", 2);
  const commands = args.length > 0
    ? args
    : ["echo hello", "ls / | wc -l", "echo oops >&2; exit 3", "sleep 30"];
  const results = await run(
    runCommands(commands, { jobs, limit }, (line) => console.log(line)),
  );
  for (const r of results) {
    const status = r.timedOut ? "killed (time limit)" : `exit ${r.returncode}`;
    console.log(`${status.padEnd(20)} ${r.command}: ${r.output.trim()}`);
  }
}

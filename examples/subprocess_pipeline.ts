// A shell pipe built by hand: two child processes, the first one's stdout
// copied into the second one's stdin through the library's streams, with
// back-pressure (drain) in between. Like `first | second` in a shell, but
// every byte passes through this program, which counts them.
//
//   deno run --allow-run examples/subprocess_pipeline.ts ["seq 1 100000"] ["grep -c 7"]
//
// Each command is split on spaces (no shell quoting). If the second command
// exits without reading everything (try "head -n 3"), the first one is
// stopped, as the shell's SIGPIPE would.

import { run } from "@asyncio/asyncio/eventloop";
import { type Coroutine, createTask } from "@asyncio/asyncio/tasks";
import {
  createSubprocessExec,
  PIPE,
  type Process,
} from "@asyncio/asyncio/subprocess";

/** What the pipe did. */
export interface PipeResult {
  /** The second command's stdout. */
  output: Uint8Array;
  /** Bytes copied from the first command to the second. */
  copied: number;
  /** The exit codes (minus the signal number if a signal ended one). */
  codes: [number, number];
}

/** Copies `from`'s stdout into `to`'s stdin; returns the bytes copied. */
function* copy(from: Process, to: Process): Coroutine<number> {
  const source = from.stdout!;
  const sink = to.stdin!;
  let copied = 0;
  try {
    while (true) {
      const chunk = yield* source.read(65536); // empty at end of stream
      if (chunk.length === 0) break;
      sink.write(chunk);
      yield* sink.drain(); // waits while the second command is behind
      copied += chunk.length;
    }
  } catch (error) {
    // The second command closed its stdin early (exited): a broken pipe.
    if (to.returncode === null && !sink.isClosing()) throw error;
  } finally {
    sink.close();
  }
  return copied;
}

/**
 * Stops a child if it still runs, and waits for it. wait() also waits for the
 * child's output pipes to close, so what is left in its stdout is read and
 * dropped: a pipe paused because nobody reads it would never close.
 */
function* stop(proc: Process, how: "terminate" | "kill"): Coroutine<number> {
  if (proc.returncode === null) proc[how]();
  try {
    if (proc.stdout !== null) yield* proc.stdout.read();
  } catch {
    // A read already failed: nothing left to drop.
  }
  return yield* proc.wait();
}

/** Runs `first | second` and returns the second command's output. */
export function* pipe(
  first: string[],
  second: string[],
): Coroutine<PipeResult> {
  const producer = yield* createSubprocessExec(first[0], first.slice(1), {
    stdout: PIPE,
  });
  let consumer: Process | null = null;
  let done = false;
  try {
    consumer = yield* createSubprocessExec(second[0], second.slice(1), {
      stdin: PIPE,
      stdout: PIPE,
    });
    const copying = createTask(copy(producer, consumer));
    const output = yield* consumer.stdout!.read(); // everything, until EOF
    const secondCode = yield* consumer.wait();
    const copied = yield* copying;
    // Nobody reads the first command any more: stop it, as SIGPIPE would.
    const firstCode = yield* stop(producer, "terminate");
    done = true;
    return { output, copied, codes: [firstCode, secondCode] };
  } finally {
    // On an error or a cancellation, leave no child behind.
    if (!done) {
      for (const proc of [producer, consumer]) {
        if (proc !== null) yield* stop(proc, "kill");
      }
    }
  }
}

if (import.meta.main) {
  const [first = "seq 1 100000", second = "grep -c 7"] = Deno.args;
  const split = (command: string) => command.trim().split(/\s+/);
  const started = performance.now();
  const result = await run(pipe(split(first), split(second)));
  Deno.stdout.writeSync(result.output);
  console.error(
    `${first} | ${second}: ${result.copied} bytes copied in ${
      (performance.now() - started).toFixed(0)
    } ms; exit codes ${result.codes[0]} and ${result.codes[1]}`,
  );
  Deno.exitCode = result.codes[1] === 0 ? 0 : 1;
}

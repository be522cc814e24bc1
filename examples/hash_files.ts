// Hashes the files named on standard input, one path a line, at most --jobs
// at a time, and prints `sha256  path` lines (sha256sum's format) in the
// order the paths came in, however the hashing finishes. A command-line
// filter built on pipes: a StreamReader over stdin, a StreamWriter over
// stdout whose drain() holds the program back when the reader of its output
// is slow, and a bounded queue between the two, so a long input is never
// read far ahead of what has been written. Files that cannot be read are
// reported on stderr; the exit status is then 1 (2 on bad arguments, 130
// after Ctrl-C).
//
//   find . -type f | deno run --allow-read examples/hash_files.ts [--jobs 4] [--stats]

import { parseArgs } from "node:util";
import { isOSError, run } from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  fromPromise,
  type Task,
  taskGroup,
} from "@asyncio/asyncio/tasks";
import { Semaphore } from "@asyncio/asyncio/sync";
import { Queue, QueueShutDown } from "@asyncio/asyncio/queues";
import {
  openReadPipe,
  openWritePipe,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";

/** The outcome of one path: its output line, or why it failed. */
export type Outcome =
  | { path: string; ok: true; line: string }
  | { path: string; ok: false; error: string };

/** What {@linkcode hashLines} did. */
export interface Summary {
  hashed: number;
  failed: number;
  /** The most files that were being hashed at the same moment. */
  mostAtOnce: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The SHA-256 of a file as hex, or why it could not be read. */
function* hashFile(path: string): Coroutine<Outcome> {
  try {
    // Cancelling the task (Ctrl-C) aborts the read.
    const data = yield* fromPromise((signal) =>
      Deno.readFile(path, { signal })
    );
    const digest = yield* fromPromise(crypto.subtle.digest("SHA-256", data));
    const hex = Array.from(
      new Uint8Array(digest),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    return { path, ok: true, line: `${hex}  ${path}\n` };
  } catch (error) {
    // A missing file, a directory, no permission: report it and go on.
    if (isOSError(error)) return { path, ok: false, error: error.message };
    throw error;
  }
}

/**
 * Reads paths from `input`, hashes them `jobs` at a time, writes the lines to
 * `output` in input order, and reports failures through `onError`.
 */
export function* hashLines(
  input: StreamReader,
  output: StreamWriter,
  options: { jobs: number; onError: (path: string, error: string) => void },
): Coroutine<Summary> {
  const { jobs, onError } = options;
  const slots = new Semaphore(jobs);
  // Results waiting for their turn, in input order. When it is full, reading
  // stops until the oldest result has been written.
  const inOrder = new Queue<Task<Outcome>>(2 * jobs);
  const summary: Summary = { hashed: 0, failed: 0, mostAtOnce: 0 };
  let active = 0;

  function* bounded(path: string): Coroutine<Outcome> {
    using _ = yield* slots.hold();
    summary.mostAtOnce = Math.max(summary.mostAtOnce, ++active);
    try {
      return yield* hashFile(path);
    } finally {
      active--;
    }
  }

  function* writeInOrder(): Coroutine<void> {
    for (;;) {
      let task: Task<Outcome>;
      try {
        task = yield* inOrder.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return; // input done, all written
        throw error;
      }
      const outcome = yield* task;
      if (outcome.ok) {
        summary.hashed++;
        output.write(encoder.encode(outcome.line));
        yield* output.drain(); // waits while the reader of stdout lags
      } else {
        summary.failed++;
        onError(outcome.path, outcome.error);
      }
    }
  }

  yield* taskGroup(function* (tg) {
    tg.createTask(writeInOrder());
    for (;;) {
      const raw = yield* input.readLine();
      if (raw.length === 0) break; // end of input
      const path = decoder.decode(raw).replace(/\r?\n$/, "");
      if (path === "") continue;
      yield* inOrder.put(tg.createTask(bounded(path)));
    }
    inOrder.shutdown(); // the writer ends once the queue is empty
  });
  return summary;
}

function* main(args: string[]): Coroutine<number> {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: "string", default: "4" },
      stats: { type: "boolean", default: false },
    },
  });
  const jobs = Number(values.jobs);
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    console.error(
      `hash_files: --jobs must be a positive integer: ${values.jobs}`,
    );
    return 2;
  }
  const [input, stdin] = yield* openReadPipe(Deno.stdin);
  const output = yield* openWritePipe(Deno.stdout);
  let summary: Summary;
  try {
    summary = yield* hashLines(input, output, {
      jobs,
      onError: (path, error) => console.error(`hash_files: ${path}: ${error}`),
    });
  } finally {
    // Also after Ctrl-C (the task is cancelled): nothing is left open.
    stdin.close();
    output.close(); // flushes, then closes stdout
    yield* output.waitClosed();
  }
  if (values.stats) {
    console.error(
      `${summary.hashed} hashed, ${summary.failed} failed, at most ${summary.mostAtOnce} at once`,
    );
  }
  return summary.failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exitCode = await run(main(Deno.args));
  } catch (error) {
    if (error instanceof TypeError) { // parseArgs: an unknown option
      console.error(`hash_files: ${error.message}`);
      Deno.exitCode = 2;
    } else {
      throw error; // KeyboardInterrupt after Ctrl-C ends the program with 130
    }
  }
}

/**
 * {@linkcode openReadPipe} and {@linkcode openWritePipe}: a
 * {@linkcode StreamReader} over standard input (or another pipe) and a
 * {@linkcode StreamWriter} over standard output, for command-line tools.
 *
 * @module
 */

import { getRunningLoop } from "../eventloop/registry.ts";
import {
  checkOptionNames,
  type OptionNames,
  watchCoroutine,
} from "../eventloop/_lowlevel.ts";
import type { ReadPipe, WritePipe } from "../eventloop/pipes.ts";
import type { ReadTransport } from "../eventloop/transports.ts";
import type { Coroutine } from "../tasks/coroutine.ts";
import { StreamReader } from "./stream_reader.ts";
import { StreamReaderProtocol } from "./stream_reader_protocol.ts";
import { StreamWriter } from "./stream_writer.ts";

/**
 * Options of {@linkcode openReadPipe}.
 *
 * asyncio: the `limit` argument of `StreamReader()`.
 */
export interface OpenReadPipeOptions {
  /**
   * The reader's limit: the longest line `readLine()` accepts, and half the
   * buffer size at which reading pauses.
   *
   * @default {65536}
   */
  limit?: number;
}

const OPEN_READ_PIPE_OPTIONS: OptionNames<OpenReadPipeOptions> = {
  limit: true,
};

/**
 * Opens a pipe for reading as a {@linkcode StreamReader}: `Deno.stdin`, an
 * opened `Deno.FsFile` (a FIFO), or a `ReadableStream` of bytes. The reader
 * pauses the pipe while more than twice its `limit` is buffered, so a slow
 * consumer holds back a fast producer. At the end of the input
 * `readLine()` returns an empty array and the pipe closes by itself; to stop
 * reading earlier, close the transport, which closes the pipe (for
 * `Deno.stdin`, the process's standard input).
 *
 * asyncio: the usual recipe, `reader = StreamReader();
 * await loop.connect_read_pipe(lambda: StreamReaderProtocol(reader),
 * sys.stdin)`.
 *
 * @param pipe What to read.
 * @param options The reader's `limit`.
 * @returns `[reader, transport]`.
 * @throws {TypeError} If `pipe` has no readable stream or its stream is
 * locked.
 * @throws {RangeError} If `limit` is not a positive integer.
 * @throws {Error} If no loop is running.
 *
 * @example Reading lines
 * ```ts
 * import { openReadPipe } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // A program reads `Deno.stdin`; a stream stands in for it here.
 * const stdin = ReadableStream.from([new TextEncoder().encode("one\ntwo\n")]);
 * const lines = await run(function* () {
 *   const [input] = yield* openReadPipe(stdin);
 *   const lines: string[] = [];
 *   for (;;) {
 *     const line = yield* input.readLine();
 *     if (line.length === 0) break; // end of input
 *     lines.push(new TextDecoder().decode(line).trimEnd());
 *   }
 *   return lines;
 * }());
 * assert.deepEqual(lines, ["one", "two"]);
 * ```
 */
export function openReadPipe(
  pipe: ReadPipe,
  options?: OpenReadPipeOptions,
): Coroutine<[StreamReader, ReadTransport]> {
  return watchCoroutine(openReadPipeCoroutine(pipe, options), "openReadPipe");
}

function* openReadPipeCoroutine(
  pipe: ReadPipe,
  options: OpenReadPipeOptions | undefined,
): Coroutine<[StreamReader, ReadTransport]> {
  checkOptionNames(options, OPEN_READ_PIPE_OPTIONS, "open read pipe");
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit: options?.limit, loop });
  const protocol = new StreamReaderProtocol(reader, { loop });
  const [transport] = yield* loop.connectReadPipe(() => protocol, pipe);
  return [reader, transport];
}

/**
 * Opens a pipe for writing as a {@linkcode StreamWriter}: `Deno.stdout`,
 * `Deno.stderr`, an opened `Deno.FsFile` (a FIFO), or a `WritableStream`
 * of bytes. `write()` buffers; `yield* drain()` waits while more than 64 KiB
 * is waiting to be written, so a program that writes faster than its
 * reader (`| less`, a slow pipe) does not fill its memory. `close()` then
 * `yield* waitClosed()` flushes what is buffered and closes the pipe —
 * for `Deno.stdout`, the process's standard output: write nothing to it
 * afterwards, `console.log` included.
 *
 * asyncio: the usual recipe, `transport, protocol = await
 * loop.connect_write_pipe(FlowControlMixin, sys.stdout); writer =
 * StreamWriter(transport, protocol, None, loop)` (here `waitClosed()` works
 * too).
 *
 * @param pipe Where to write.
 * @returns The writer.
 * @throws {TypeError} If `pipe` has no writable stream or its stream is
 * locked.
 * @throws {Error} If no loop is running.
 *
 * @example Writing with flow control
 * ```ts
 * import { openWritePipe } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * // A program writes to `Deno.stdout`; a stream stands in for it here.
 * let text = "";
 * const stdout = new WritableStream<Uint8Array>({
 *   write(chunk) {
 *     text += new TextDecoder().decode(chunk);
 *   },
 * });
 * await run(function* () {
 *   const output = yield* openWritePipe(stdout);
 *   for (let i = 1; i <= 3; i++) {
 *     output.write(new TextEncoder().encode(`line ${i}\n`));
 *     yield* output.drain();
 *   }
 *   output.close();
 *   yield* output.waitClosed();
 * }());
 * assert.equal(text, "line 1\nline 2\nline 3\n");
 * ```
 */
export function openWritePipe(pipe: WritePipe): Coroutine<StreamWriter> {
  return watchCoroutine(openWritePipeCoroutine(pipe), "openWritePipe");
}

function* openWritePipeCoroutine(pipe: WritePipe): Coroutine<StreamWriter> {
  const loop = getRunningLoop();
  const protocol = new StreamReaderProtocol(null, { loop });
  const [transport] = yield* loop.connectWritePipe(() => protocol, pipe);
  return new StreamWriter(transport, protocol, { loop });
}

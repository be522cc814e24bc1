// loop.connectReadPipe / connectWritePipe: a protocol over a pipe Deno
// already has open — Deno.stdin, Deno.stdout, Deno.stderr, an opened
// Deno.FsFile (a FIFO, a file), or a Web stream. asyncio takes a file object
// with a file descriptor; Deno hands out streams instead, so a pipe here is
// anything with a `readable` (or `writable`) stream, or the stream itself.

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol, Protocol } from "./protocols.ts";
import type { ReadTransport, WriteTransport } from "./transports.ts";
import type { Coroutine } from "./_coroutine.ts";
import { checkProtocolFactory, makeProtocol } from "./_net.ts";
import { ReadPipeTransport, WritePipeTransport } from "./_pipe_transport.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";
import type { ReadPipe, WritePipe } from "./pipes.ts";

/** Implements `loop.connectReadPipe()`. */
export function* connectReadPipe<P extends Protocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  pipe: ReadPipe,
): Coroutine<[ReadTransport, P]> {
  const what = "connect read pipe";
  checkLoopOpen(loop, "connectReadPipe()");
  checkProtocolFactory(protocolFactory, what);
  const stream = readableOf(pipe);
  const protocol = makeProtocol(protocolFactory, what);
  const waiter = loop.createFuture<void>();
  const transport = new ReadPipeTransport(
    loop,
    [stream],
    protocol,
    { pipe },
    false,
    `read pipe transport for ${describePipe(pipe)}`,
  );
  // After connectionMade, which the transport scheduled first (asyncio's
  // order: connection_made, then the waiter).
  loop.callSoon(() => {
    if (!waiter.done()) waiter.setResult();
  });
  try {
    yield* waiter;
  } catch (error) {
    transport.close();
    throw error;
  }
  return [transport, protocol];
}

/** Implements `loop.connectWritePipe()`. */
export function* connectWritePipe<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  pipe: WritePipe,
): Coroutine<[WriteTransport, P]> {
  const what = "connect write pipe";
  checkLoopOpen(loop, "connectWritePipe()");
  checkProtocolFactory(protocolFactory, what);
  const stream = writableOf(pipe);
  const protocol = makeProtocol(protocolFactory, what);
  const waiter = loop.createFuture<void>();
  const transport = new WritePipeTransport(
    loop,
    stream,
    protocol,
    { pipe },
    `write pipe transport for ${describePipe(pipe)}`,
  );
  loop.callSoon(() => {
    if (!waiter.done()) waiter.setResult();
  });
  try {
    yield* waiter;
  } catch (error) {
    transport.abort();
    throw error;
  }
  return [transport, protocol];
}

function readableOf(pipe: unknown): ReadableStream<Uint8Array> {
  const stream = pipe instanceof ReadableStream
    ? pipe
    : typeof pipe === "object" && pipe !== null && "readable" in pipe
    ? (pipe as { readable: unknown }).readable
    : undefined;
  if (!(stream instanceof ReadableStream)) {
    throw new TypeError(
      `Cannot connect read pipe as 'pipe' must be a ReadableStream or have a 'readable' stream (Deno.stdin, a Deno.FsFile): received ${
        describeValue(pipe)
      }`,
    );
  }
  if (stream.locked) {
    throw new TypeError(
      `Cannot connect read pipe as the stream of 'pipe' is locked: something else reads ${
        describePipe(pipe)
      } already`,
    );
  }
  return stream as ReadableStream<Uint8Array>;
}

function writableOf(pipe: unknown): WritableStream<Uint8Array> {
  const stream = pipe instanceof WritableStream
    ? pipe
    : typeof pipe === "object" && pipe !== null && "writable" in pipe
    ? (pipe as { writable: unknown }).writable
    : undefined;
  if (!(stream instanceof WritableStream)) {
    throw new TypeError(
      `Cannot connect write pipe as 'pipe' must be a WritableStream or have a 'writable' stream (Deno.stdout, Deno.stderr, a Deno.FsFile): received ${
        describeValue(pipe)
      }`,
    );
  }
  if (stream.locked) {
    throw new TypeError(
      `Cannot connect write pipe as the stream of 'pipe' is locked: something else writes to ${
        describePipe(pipe)
      } already`,
    );
  }
  return stream as WritableStream<Uint8Array>;
}

/** `stdin`, `stdout`, `stderr`, or the kind of object. */
function describePipe(pipe: unknown): string {
  if (pipe === Deno.stdin) return "stdin";
  if (pipe === Deno.stdout) return "stdout";
  if (pipe === Deno.stderr) return "stderr";
  return describeValue(pipe);
}

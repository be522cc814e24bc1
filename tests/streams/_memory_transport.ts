// An in-memory transport for the stream tests that need no socket, and the
// error a coroutine throws.

import type { Future } from "../../eventloop/mod.ts";
import type { Transport } from "../../eventloop/transports.ts";
import { BaseProtocol } from "../../eventloop/protocols.ts";
import type { Coroutine } from "../../tasks/mod.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The error `source` throws (throws if it returns instead). */
export function* catching(
  source: Coroutine<unknown> | Future<unknown>,
): Coroutine<unknown> {
  try {
    yield* source;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** An in-memory transport that records what is written and done to it. */
export class MemoryTransport implements Transport {
  written: string[] = [];
  closing = false;
  reading = true;
  extra: Record<string, unknown> = {};
  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    return name in this.extra ? this.extra[name] : defaultValue;
  }
  isClosing(): boolean {
    return this.closing;
  }
  close(): void {
    this.closing = true;
  }
  setProtocol(_protocol: BaseProtocol): void {}
  getProtocol(): BaseProtocol {
    return new BaseProtocol();
  }
  isReading(): boolean {
    return this.reading;
  }
  pauseReading(): void {
    this.reading = false;
  }
  resumeReading(): void {
    this.reading = true;
  }
  setWriteBufferLimits(): void {}
  getWriteBufferSize(): number {
    return 0;
  }
  getWriteBufferLimits(): [number, number] {
    return [0, 0];
  }
  write(data: Uint8Array): void {
    this.written.push(dec(data));
  }
  writeLines(chunks: Iterable<Uint8Array>): void {
    for (const chunk of chunks) this.write(chunk);
  }
  writeEof(): void {
    this.written.push("<eof>");
  }
  canWriteEof(): boolean {
    return true;
  }
  abort(): void {
    this.closing = true;
  }
  setNoDelay(_noDelay: boolean): void {
    throw new Error("Cannot set TCP_NODELAY: a MemoryTransport is not TCP");
  }
}

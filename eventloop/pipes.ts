/**
 * {@linkcode ReadPipe} and {@linkcode WritePipe}: what
 * `loop.connectReadPipe()` and `loop.connectWritePipe()` take.
 *
 * @module
 */

/**
 * What `loop.connectReadPipe()` reads: `Deno.stdin`, an opened
 * `Deno.FsFile`, anything else with a `readable` byte stream, or a
 * `ReadableStream` of bytes.
 */
export type ReadPipe =
  | ReadableStream<Uint8Array>
  | { readonly readable: ReadableStream<Uint8Array> };

/**
 * What `loop.connectWritePipe()` writes to: `Deno.stdout`, `Deno.stderr`, an
 * opened `Deno.FsFile`, anything else with a `writable` byte stream, or a
 * `WritableStream` of bytes.
 */
export type WritePipe =
  | WritableStream<Uint8Array>
  | { readonly writable: WritableStream<Uint8Array> };

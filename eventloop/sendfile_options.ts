/**
 * The arguments of `loop.sendfile()`: {@linkcode SendfileOptions} and the
 * {@linkcode SendfileFile} it reads.
 *
 * @module
 */

/** Options of `loop.sendfile()`. */
export interface SendfileOptions {
  /**
   * Whether the file may be sent by reading it and writing it through the
   * transport when no zero-copy way exists — which, in Deno, is always; with
   * `false`, `SendfileNotAvailableError` is thrown.
   *
   * @default {true}
   */
  fallback?: boolean;
}

/**
 * What `loop.sendfile()` reads: a file opened for reading, such as a
 * `Deno.FsFile` from `Deno.open(path)`.
 */
export interface SendfileFile {
  /** Reads into `p`; `null` at the end of the file. */
  read(p: Uint8Array): Promise<number | null>;
  /** Moves the file position. */
  seekSync(offset: number | bigint, whence: Deno.SeekMode): number;
}

/**
 * Streams: the high-level network API. `openConnection()` and
 * `startServer()` give a {@linkcode StreamReader} and a
 * {@linkcode StreamWriter} per connection, over TCP, TLS or Unix sockets;
 * readers and writers also plug into Web Streams.
 *
 * @example Reading lines fed into a reader
 * ```ts
 * import { StreamReader } from "@asyncio/asyncio/streams";
 * import { run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const line = await run(function* () {
 *   const reader = new StreamReader();
 *   reader.feedData(new TextEncoder().encode("PING\n"));
 *   return yield* reader.readLine();
 * }());
 * assert.equal(new TextDecoder().decode(line), "PING\n");
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./flow_control_protocol.ts";
export * from "./stream_reader.ts";
export * from "./stream_reader_protocol.ts";
export * from "./stream_writer.ts";
export * from "./open_connection.ts";
export * from "./open_pipe.ts";
export * from "./start_server.ts";

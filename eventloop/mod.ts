/**
 * The bottom layer: the event loop, futures, handles, the loop registry,
 * `run`/`Runner`, clocks, and the base errors; and the network layer
 * frameworks build on: transports and protocols over TCP, TLS, Unix sockets
 * and UDP (`loop.createConnection`, `loop.createServer` and `Server`,
 * `loop.createDatagramEndpoint`, `loop.startTls`), and signal handlers.
 *
 * Beneath the public API, two internal pieces serve the layers above. Every
 * primitive that makes a task wait (locks, events, conditions, semaphores,
 * queues, a stream writer's drain) parks it in one waiting primitive, a
 * `ParkingLot` after Trio's, which owns the rule that a waiter cancelled
 * after its wake-up hands the wake-up on. And the layers above reach the
 * loop's internals (ready queue, current task, I/O bridge) only through one
 * internal surface, `eventloop/_lowlevel.ts`, as `trio.lowlevel` is Trio's;
 * `tests/layers_test.ts` enforces it. Neither is public API.
 *
 * @example Running a main coroutine on virtual time
 * ```ts
 * import { run } from "@asyncio/asyncio/eventloop";
 * import { sleep } from "@asyncio/asyncio/tasks";
 * import assert from "node:assert/strict";
 *
 * const result = await run(function* () {
 *   yield* sleep(60);
 *   return "a minute later";
 * }(), { virtualTime: true });
 * assert.equal(result, "a minute later");
 * ```
 *
 * @example A protocol-based echo server on loopback
 * ```ts
 * import { getRunningLoop, Protocol, run, type Transport } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * class Echo extends Protocol {
 *   transport!: Transport;
 *   override connectionMade(t: Transport) { this.transport = t; }
 *   override dataReceived(data: Uint8Array) { this.transport.write(data); }
 * }
 * class Client extends Protocol {
 *   reply = getRunningLoop().createFuture<string>();
 *   override dataReceived(data: Uint8Array) {
 *     this.reply.setResult(new TextDecoder().decode(data));
 *   }
 * }
 * const reply = await run(function* () {
 *   const loop = getRunningLoop();
 *   const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0].addr as Deno.NetAddr;
 *   const [transport, client] = yield* loop.createConnection(() => new Client(), "127.0.0.1", port);
 *   transport.write(new TextEncoder().encode("marco"));
 *   const text = yield* client.reply;
 *   transport.close();
 *   server.close();
 *   server.closeClients();
 *   yield* server.waitClosed();
 *   return text;
 * }());
 * assert.equal(reply, "marco");
 * ```
 *
 * @module
 */

export * from "./clock.ts";
export * from "./dns.ts";
export * from "./errors.ts";
export * from "./event_loop.ts";
export * from "./executor.ts";
export * from "./future.ts";
export * from "./handle.ts";
export * from "./is_future.ts";
export * from "./log.ts";
export * from "./registry.ts";
export * from "./runner.ts";
export * from "./sendfile_options.ts";
export * from "./subprocess_options.ts";
export * from "./network_options.ts";
export * from "./os_errors.ts";
export * from "./pipes.ts";
export * from "./protocols.ts";
export * from "./server.ts";
export * from "./serving.ts";
export * from "./ssl_object.ts";
export * from "./transports.ts";

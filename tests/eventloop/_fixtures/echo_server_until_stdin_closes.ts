// An echo server on a free port with the loop's default exception handler:
// prints its port, serves until its stdin closes, then closes and exits 0.
// accept_test.ts runs it under `ulimit -n` to exhaust its file descriptors.

import {
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../../eventloop/mod.ts";
import { fromPromise } from "../../../tasks/mod.ts";

class Echo extends Protocol {
  #transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.#transport.write(data);
  }
}

await run(function* () {
  const loop = getRunningLoop();
  const server = yield* loop.createServer(() => new Echo(), "127.0.0.1", 0);
  console.log((server.sockets[0].addr as Deno.NetAddr).port);
  const stdin = Deno.stdin.readable.getReader();
  while (!(yield* fromPromise(stdin.read())).done) {
    // Anything written is ignored: only the end matters.
  }
  server.close();
  server.abortClients();
  yield* server.waitClosed();
}());
console.log("closed");

// What bench/tls_bench.ts uses of the in-process Worker load client
// (_echo_client.ts, retired from the TCP and streams echo rows: see
// bench/network.ts): one load run against a server on our loop, and a load
// client kept for every run of one comparison.

import { run, type Server } from "../eventloop/mod.ts";
import { type Coroutine, fromPromise } from "../tasks/mod.ts";
import { EchoLoadClient, type EchoLoadOptions } from "./_echo_client.ts";

/** What one load run sends (the port comes from the server). */
export type Load = Omit<EchoLoadOptions, "port">;

/**
 * One load run against a server that `serve` starts on a new loop, on
 * 127.0.0.1 and a free port; the server is closed after the run.
 *
 * @param client The load client.
 * @param load What it sends.
 * @param serve Starts the server.
 */
export function ourEchoOnce(
  client: EchoLoadClient,
  load: Load,
  serve: () => Coroutine<Server>,
): Promise<void> {
  return run(function* () {
    const server = yield* serve();
    const { port } = server.sockets[0].addr as Deno.NetAddr;
    yield* fromPromise(client.run({ ...load, port }));
    server.close();
    yield* server.waitClosed();
  }());
}

/**
 * A load client for the `uses` runs of one comparison (warm-up included):
 * its worker starts with the first run and ends after the last, so the
 * worker's start is never timed.
 *
 * @param load What each run sends.
 * @param uses How many runs will use it.
 * @returns Runs `once` with the client.
 */
export function sharedClient(
  load: Load,
  uses: number,
): (once: (client: EchoLoadClient, load: Load) => Promise<void>) => Promise<
  void
> {
  let client: EchoLoadClient | null = null;
  let calls = 0;
  return async (once) => {
    client ??= new EchoLoadClient();
    try {
      await once(client, load);
    } finally {
      if (++calls === uses) {
        client.close();
        client = null;
        calls = 0;
      }
    }
  };
}

// What the echo benchmarks (transports, streams, echo_cpu) share: one load
// run against a server on our loop or against the raw Deno echo server
// (Deno.listen with a read/write loop per connection), and a load client
// kept for every run of one comparison.

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

/**
 * One load run against a raw Deno.listen echo server. With `fresh`, each
 * read goes into a new buffer, as when the bytes are handed on to code that
 * keeps them (what `dataReceived` promises a protocol, and what a
 * StreamReader's reads return); otherwise one buffer per connection is
 * reused.
 *
 * @param client The load client.
 * @param load What it sends.
 * @param fresh Whether each read gets a new buffer.
 */
export async function rawEchoOnce(
  client: EchoLoadClient,
  load: Load,
  fresh = false,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        served.push((async () => {
          let buf = new Uint8Array(65536);
          try {
            let n: number | null;
            while ((n = await conn.read(buf)) !== null) {
              const data = buf;
              if (fresh) buf = new Uint8Array(65536);
              let off = 0;
              while (off < n) off += await conn.write(data.subarray(off, n));
            }
          } catch {
            // The client went away.
          } finally {
            conn.close();
          }
        })());
      }
    } catch {
      // The listener was closed.
    }
  })();
  await client.run({ ...load, port });
  listener.close();
  await accepting;
  await Promise.all(served);
}

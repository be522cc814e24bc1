// The raw Deno echo server that the echo benchmarks (transports, streams)
// compare against: Deno.listen with a read/write loop per connection.

import type { EchoLoadClient, EchoLoadOptions } from "./_echo_client.ts";

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
  load: Omit<EchoLoadOptions, "port">,
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

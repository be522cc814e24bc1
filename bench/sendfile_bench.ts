// loop.sendfile() (issue 17): a file sent over loopback TCP through a
// transport, against Deno sending the same file by itself. The receiver is
// the same raw Deno read loop for every contender, so only the sender
// differs.

import { getRunningLoop, Protocol, run } from "../eventloop/mod.ts";
import { fromPromise } from "../tasks/mod.ts";
import type { Comparison } from "./_harness.ts";

const SIZE = 64 * 1024 * 1024;

/** A listener that reads one connection to its end; resolves with the count. */
function sink(): { port: number; received: Promise<number> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received = listener.accept().then(async (conn) => {
    listener.close();
    const buffer = new Uint8Array(65536);
    let total = 0;
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      total += n;
    }
    conn.close();
    return total;
  });
  return { port: (listener.addr as Deno.NetAddr).port, received };
}

function check(total: number): void {
  if (total !== SIZE) throw new Error(`received ${total} of ${SIZE} bytes`);
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  let path: string | null = null;
  const file = () => {
    if (path === null) {
      path = Deno.makeTempFileSync();
      Deno.writeFileSync(path, new Uint8Array(SIZE).fill(120));
      globalThis.addEventListener("unload", () => Deno.removeSync(path!));
    }
    return path;
  };
  return [{
    title: "sendfile of a 64 MiB file over loopback TCP",
    ops: SIZE / 65536, // per 64 KiB chunk
    rounds: 5,
    ours: async () => {
      const { port, received } = sink();
      await run(function* () {
        const loop = getRunningLoop();
        const lost = loop.createFuture<void>();
        class Sender extends Protocol {
          override connectionLost() {
            lost.setResult();
          }
        }
        const [transport] = yield* loop.createConnection(
          () => new Sender(),
          "127.0.0.1",
          port,
        );
        using f = yield* fromPromise(Deno.open(file()));
        yield* loop.sendfile(transport, f);
        transport.close();
        yield* lost;
      }());
      check(await received);
    },
    baselines: {
      "raw Deno read/write loop, 64 KiB": async () => {
        const { port, received } = sink();
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        using f = await Deno.open(file());
        const buffer = new Uint8Array(65536);
        for (;;) {
          const n = await f.read(buffer);
          if (n === null) break;
          let written = 0;
          while (written < n) {
            written += await conn.write(buffer.subarray(written, n));
          }
        }
        conn.close();
        check(await received);
      },
      "file.readable.pipeTo(conn.writable)": async () => {
        const { port, received } = sink();
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        const f = await Deno.open(file());
        await f.readable.pipeTo(conn.writable);
        check(await received);
      },
    },
  }];
}

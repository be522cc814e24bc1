// TLS echo servers on our loop: one that verifies client certificates
// (ssl.verifyMode, served by Deno's node:tls) against the same server
// without verifyMode (Deno.listenTls, the fast path), and against a raw
// node:tls echo server (no loop, no transport) to show what the adapter
// costs. The same bounded load client (in a Worker) presents a client
// certificate to all three. Certificates are made by openssl when it starts.
// `deno run -A bench/tls_bench.ts` prints the table; `deno task bench tls`
// runs the same cells in the shared table.

import { getRunningLoop, Protocol, type Transport } from "../eventloop/mod.ts";
import { compare, type Comparison, printRows, type Row } from "./_harness.ts";
import type { EchoLoadClient } from "./_echo_client.ts";
import { type Load, ourEchoOnce, sharedClient } from "./_echo_servers.ts";
import { type Certs, makeCerts } from "../tests/eventloop/_tls_fixtures.ts";

const ROUNDS = 3;
const CELLS: [string, number, number, number][] = [
  // label, connections, bytes, messages per run
  ["1 conn x 1 KiB", 1, 1024, 3_000],
  ["1 conn x 64 KiB", 1, 65536, 1_000],
  ["10 conn x 64 KiB", 10, 65536, 1_000],
  ["100 handshakes x 1 KiB", 100, 1024, 100],
];

class EchoProtocol extends Protocol {
  #transport!: Transport;
  override connectionMade(transport: Transport): void {
    this.#transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.#transport.write(data);
  }
}

function oursOnce(
  certs: Certs,
  verify: boolean,
): (client: EchoLoadClient, load: Load) => Promise<void> {
  return (client, load) =>
    ourEchoOnce(
      client,
      load,
      () =>
        getRunningLoop().createServer(
          () => new EchoProtocol(),
          "127.0.0.1",
          0,
          {
            ssl: verify
              ? {
                cert: certs.serverCert,
                key: certs.serverKey,
                caCerts: [certs.ca],
                verifyMode: "required",
              }
              : { cert: certs.serverCert, key: certs.serverKey },
          },
        ),
    );
}

/** One load run against a raw node:tls echo server that verifies clients. */
function rawNodeOnce(
  certs: Certs,
): (client: EchoLoadClient, load: Load) => Promise<void> {
  return async (client, load) => {
    const tls = await import("node:tls");
    const server = tls.createServer({
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: [certs.ca],
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: 0,
    }, (socket) => {
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) =>
      server.listen({ host: "127.0.0.1", port: 0 }, resolve)
    );
    const { port } = server.address() as { port: number };
    await client.run({ ...load, port });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

let certs: Certs | null = null;

/** Makes the certificates once (they are removed when the process ends). */
async function getCerts(): Promise<Certs> {
  if (certs === null) {
    certs = await makeCerts();
    const dir = certs.dir;
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // Gone already.
      }
    });
  }
  return certs;
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  const out: Comparison[] = [];
  for (const [label, connections, size, requests] of CELLS) {
    let withClient: ReturnType<typeof sharedClient> | null = null;
    const loadFor = async () => {
      const c = await getCerts();
      withClient ??= sharedClient({
        connections,
        size,
        requests,
        tls: { caCerts: [c.ca], cert: c.clientCert, key: c.clientKey },
      }, 3 * (ROUNDS + 1));
      return { c, withClient };
    };
    out.push({
      title: `TLS echo, ${label}`,
      ops: requests,
      rounds: ROUNDS,
      ours: async () => {
        const { c, withClient } = await loadFor();
        await withClient(oursOnce(c, true));
      },
      baselines: {
        "ours without verifyMode (Deno.listenTls)": async () => {
          const { c, withClient } = await loadFor();
          await withClient(oursOnce(c, false));
        },
        "raw node:tls echo, verifying": async () => {
          const { c, withClient } = await loadFor();
          await withClient(rawNodeOnce(c));
        },
      },
    });
  }
  return out;
}

if (import.meta.main) {
  const rows: Row[] = [];
  for (const c of comparisons()) {
    console.error(`running: ${c.title}`);
    rows.push(...await compare(c));
  }
  printRows(rows);
}

// UDP send throughput (issue 15): a burst of sendto() calls through our
// datagram transport, which keeps call order by sending one datagram at a
// time, beside the same burst sent straight to the socket with every send
// started at once (what the transport did before: Deno then completes the
// sends last in, first out, so the burst went out reversed) and one send at
// a time (the transport's strategy without the transport).
//
// The datagrams go to a loopback port nobody listens on, so only sending is
// measured. Run under `deno task bench` (node:dgram: no --unstable-net), or
// alone for either backend:
//
//   deno run -A bench/datagram_bench.ts
//   deno run -A --unstable-net bench/datagram_bench.ts

import { DatagramProtocol, getRunningLoop, run } from "../eventloop/mod.ts";
import { compare, type Comparison, printRows } from "./_harness.ts";

const DATAGRAMS = 10_000;
const SIZE = 64;

/** The transport's backend here, as the transport picks it. */
const BACKEND = "listenDatagram" in Deno ? "Deno.listenDatagram" : "node:dgram";

/** A raw socket of the backend: sends, then closes. */
interface RawSocket {
  send(data: Uint8Array): Promise<unknown>;
  close(): Promise<void>;
}

/** A loopback port with nobody on it (bound for a moment, then freed). */
function deadPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function rawSocket(port: number): Promise<RawSocket> {
  if (BACKEND === "Deno.listenDatagram") {
    // deno-lint-ignore no-explicit-any -- Deno.listenDatagram is unstable, absent from the stable types
    const conn = (Deno as any).listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    const to = { transport: "udp", hostname: "127.0.0.1", port };
    return {
      send: (data) => conn.send(data, to),
      close: () => Promise.resolve(conn.close()),
    };
  }
  const dgram = await import("node:dgram");
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    send: (data) =>
      new Promise<void>((resolve, reject) =>
        socket.send(
          data,
          port,
          "127.0.0.1",
          (error) => error ? reject(error) : resolve(),
        )
      ),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

class Lost extends DatagramProtocol {
  lost = getRunningLoop().createFuture<void>();
  override connectionLost(): void {
    this.lost.setResult();
  }
}

/** Ours: the burst through the transport; close() waits for the sends. */
function oursOnce(port: number): Promise<void> {
  return run(function* () {
    const [transport, protocol] = yield* getRunningLoop()
      .createDatagramEndpoint(() => new Lost(), {
        remoteAddr: ["127.0.0.1", port],
      });
    for (let i = 0; i < DATAGRAMS; i++) {
      transport.sendto(new Uint8Array(SIZE));
    }
    transport.close();
    yield* protocol.lost;
  }());
}

/** Every send started at once: the order is lost. */
async function allAtOnce(port: number): Promise<void> {
  const socket = await rawSocket(port);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < DATAGRAMS; i++) {
    sends.push(socket.send(new Uint8Array(SIZE)));
  }
  await Promise.all(sends);
  await socket.close();
}

/** One send at a time, each started when the last one ends. */
async function oneAtATime(port: number): Promise<void> {
  const socket = await rawSocket(port);
  for (let i = 0; i < DATAGRAMS; i++) {
    await socket.send(new Uint8Array(SIZE));
  }
  await socket.close();
}

/** The comparisons of this file. */
export function comparisons(): Comparison[] {
  const port = deadPort();
  return [{
    title: `UDP sendto() burst, ${DATAGRAMS / 1000}k x ${SIZE} B (${BACKEND})`,
    ops: DATAGRAMS,
    ours: () => oursOnce(port),
    baselines: {
      [`raw ${BACKEND}, all sends at once (before: order lost)`]: () =>
        allAtOnce(port),
      [`raw ${BACKEND}, one send at a time`]: () => oneAtATime(port),
    },
  }];
}

if (import.meta.main) {
  for (const c of comparisons()) {
    console.error(`running: ${c.title}`);
    printRows(await compare(c));
  }
}

// loop.createDatagramEndpoint: a UDP endpoint on Deno.listenDatagram when
// Deno runs with --unstable-net, on node:dgram otherwise (so users need no
// unstable flag). Both sit behind one small socket interface.
//
// Protocol state machine: connectionMade -> (datagramReceived |
// errorReceived)* -> connectionLost (exactly once).

import type { EventLoop } from "./event_loop.ts";
import type { BaseProtocol, DatagramProtocol } from "./protocols.ts";
import type { DatagramTransport } from "./transports.ts";
import type { Coroutine } from "./_coroutine.ts";
import type {
  DatagramAddress,
  DatagramEndpointOptions,
} from "./network_options.ts";
import {
  checkPort,
  checkProtocolFactory,
  formatAddr,
  hasUnstableNet,
  ioAwait,
  makeProtocol,
  SOCK_WHY,
} from "./_net.ts";
import { checkLoopOpen, describeValue } from "./_util.ts";
import { Step } from "./_step.ts";
import {
  checkOptionNames,
  DATAGRAM_ENDPOINT_OPTIONS,
  refuse,
} from "./_options.ts";
import { checkResolveOptions, resolveEndpoints } from "./_resolve.ts";
import { AF_INET, AF_INET6, AF_UNSPEC, SOCK_DGRAM } from "./dns.ts";
import { trackUnclosed, untrack } from "./_resource_warnings.ts";

const WHAT = "create datagram endpoint";

/** What the endpoint needs of a UDP socket. */
interface UdpSocket {
  readonly addr: Deno.NetAddr;
  /** Starts delivering datagrams (called once). */
  receive(
    onMessage: (data: Uint8Array, from: Deno.NetAddr) => void,
    onError: (error: Error) => void,
  ): void;
  send(data: Uint8Array, to: Deno.NetAddr): Promise<unknown>;
  /** Closes; resolves once nothing is in flight any more. */
  close(): Promise<void>;
}

function toNetAddr(value: unknown, name: string): Deno.NetAddr {
  let hostname: unknown;
  let port: unknown;
  if (Array.isArray(value) && value.length === 2) {
    [hostname, port] = value;
  } else if (typeof value === "object" && value !== null) {
    ({ hostname, port } = value as { hostname?: unknown; port?: unknown });
  } else {
    throw new TypeError(
      `Cannot ${WHAT} as '${name}' must be [host, port] or { hostname, port }: received ${
        describeValue(value)
      }`,
    );
  }
  if (typeof hostname !== "string" || hostname === "") {
    throw new TypeError(
      `Cannot ${WHAT} as '${name}' must have a non-empty host: received ${
        describeValue(hostname)
      }`,
    );
  }
  checkPort(port, WHAT, true);
  return { transport: "udp", hostname, port: port as number };
}

/**
 * Where a socket that only talks to `remote` is bound. asyncio connects it,
 * and the kernel binds it to the source address of the route. Neither UDP
 * backend can connect a socket, so that address is known only for loopback
 * (which goes out from 127.0.0.1 or ::1); elsewhere it is the wildcard, and
 * the kernel picks the source of each datagram.
 */
function localHostFor(remote: Deno.NetAddr): string {
  const host = remote.hostname;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return "127.0.0.1";
  if (host === "::1") return "::1";
  return host.includes(":") ? "::" : "0.0.0.0";
}

function sameAddr(a: Deno.NetAddr, b: Deno.NetAddr): boolean {
  return a.port === b.port && a.hostname === b.hostname;
}

/**
 * Deno.listenDatagram (needs --unstable-net). `refused`: the broadcast
 * addresses to refuse sends to, or `null` with allowBroadcast.
 */
function denoSocket(
  local: Deno.NetAddr,
  refused: Set<string> | null,
): UdpSocket {
  // deno-lint-ignore no-explicit-any -- Deno.listenDatagram is unstable, absent from the stable types
  const listen = (Deno as any).listenDatagram as (
    options: Record<string, unknown>,
  ) => {
    addr: Deno.Addr;
    receive(p?: Uint8Array): Promise<[Uint8Array, Deno.Addr]>;
    send(p: Uint8Array, addr: Deno.Addr): Promise<number>;
    close(): void;
  };
  const conn = listen({
    transport: "udp",
    hostname: local.hostname,
    port: local.port,
  });
  // Deno turns SO_BROADCAST on for every socket it makes and has no way to
  // turn it off, so without allowBroadcast the kernel's refusal (EACCES, as
  // asyncio's endpoint gets it) is made here, before the send.
  let receiving: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    addr: conn.addr as Deno.NetAddr,
    receive(onMessage, onError) {
      const loop = async () => {
        while (!closed) {
          try {
            const [data, from] = await conn.receive();
            if (!closed) onMessage(data, from as Deno.NetAddr);
          } catch (error) {
            if (closed) return;
            if (error instanceof Deno.errors.BadResource) return;
            onError(error instanceof Error ? error : new Error(String(error)));
          }
        }
      };
      receiving = loop();
    },
    send: (data, to) =>
      refused !== null && refused.has(to.hostname)
        ? Promise.reject(
          new Deno.errors.PermissionDenied(
            `Permission denied (os error 13): ${to.hostname} is a broadcast address; pass allowBroadcast: true to send to it`,
          ),
        )
        : conn.send(data, to),
    close() {
      closed = true;
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      return receiving;
    },
  };
}

/**
 * The IPv4 broadcast addresses a send could reach: the limited broadcast
 * address and the directed broadcast address of every local IPv4 network.
 * `null` when Deno may not list the interfaces (no `--allow-sys`): the
 * caller then uses node:dgram, which can leave SO_BROADCAST off.
 */
function broadcastAddresses(): Set<string> | null {
  let interfaces: Deno.NetworkInterfaceInfo[];
  try {
    interfaces = Deno.networkInterfaces();
  } catch {
    return null;
  }
  const found = new Set(["255.255.255.255"]);
  for (const info of interfaces) {
    if (info.family !== "IPv4") continue;
    const address = ipv4ToNumber(info.address);
    const mask = ipv4ToNumber(info.netmask);
    if (address === null || mask === null || mask === 0xffffffff) continue;
    const all = (address | ~mask) >>> 0;
    found.add(
      [all >>> 24, (all >>> 16) & 255, (all >>> 8) & 255, all & 255].join("."),
    );
  }
  return found;
}

function ipv4ToNumber(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 0 || n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/** node:dgram, which needs no unstable flag. */
async function nodeSocket(
  local: Deno.NetAddr,
  broadcast: boolean,
): Promise<UdpSocket> {
  const dgram = await import("node:dgram");
  const type = local.hostname.includes(":") ? "udp6" : "udp4";
  // SO_REUSEADDR stays off: reuseAddress is refused (as asyncio does).
  const socket = dgram.createSocket({ type });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(local.port, local.hostname, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  if (broadcast) socket.setBroadcast(true);
  const info = socket.address();
  let closed = false;
  return {
    addr: { transport: "udp", hostname: info.address, port: info.port },
    receive(onMessage, onError) {
      socket.on("message", (msg, rinfo) => {
        if (closed) return;
        onMessage(
          new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
          { transport: "udp", hostname: rinfo.address, port: rinfo.port },
        );
      });
      socket.on("error", (error) => {
        if (!closed) onError(error);
      });
    },
    send: (data, to) =>
      new Promise<void>((resolve, reject) => {
        socket.send(data, to.port, to.hostname, (error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        socket.close(() => resolve());
      }),
  };
}

/** The datagram transport. */
class DatagramEndpoint implements DatagramTransport {
  #loop: EventLoop;
  #socket: UdpSocket;
  #protocol: BaseProtocol;
  #remote: Deno.NetAddr | null;
  #extra: Record<string, unknown>;
  #closing = false;
  #lost = false;
  /**
   * Datagrams waiting for the send in flight, in call order, from `#head`
   * on. One send is in flight at a time: Deno completes concurrent sends
   * last in, first out (a burst went out reversed), and one at a time is
   * no slower (bench/datagram_bench.ts).
   */
  #queue: ([Uint8Array, Deno.NetAddr] | undefined)[] = [];
  #head = 0;
  #inFlight = false;
  #bufferSize = 0;
  #connLost = 0;

  constructor(
    loop: EventLoop,
    socket: UdpSocket,
    protocol: BaseProtocol,
    remote: Deno.NetAddr | null,
  ) {
    this.#loop = loop;
    this.#socket = socket;
    this.#protocol = protocol;
    this.#remote = remote;
    this.#extra = { sockname: socket.addr, peername: remote ?? undefined };
    trackUnclosed(
      this,
      `datagram endpoint on ${formatAddr(socket.addr)}`,
      loop,
      releaser(socket),
    );
  }

  /** Runs in a loop pass: connectionMade, then datagrams flow. */
  _start(): void {
    this.#protocol.connectionMade(this);
    this.#socket.receive(
      (data, from) => {
        if (this.#closing || this.#loop.isClosed()) return;
        if (this.#remote !== null && !sameAddr(from, this.#remote)) return;
        this.#loop._pushReady(
          new Step(() => {
            if (this.#closing) return;
            try {
              (this.#protocol as DatagramProtocol).datagramReceived(data, from);
            } catch (error) {
              this.#fatal(
                error,
                "Fatal error: protocol.datagramReceived() failed",
              );
            }
          }),
        );
      },
      (error) => this.#reportError(error),
    );
  }

  getExtraInfo(name: string, defaultValue?: unknown): unknown {
    const value = this.#extra[name];
    return value === undefined ? defaultValue : value;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  getWriteBufferSize(): number {
    return this.#bufferSize;
  }

  sendto(data: Uint8Array, addr?: DatagramAddress): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot send a datagram as 'data' must be a Uint8Array: received ${
          describeValue(data)
        }`,
      );
    }
    let to: Deno.NetAddr;
    if (addr === undefined || addr === null) {
      if (this.#remote === null) {
        throw new TypeError(
          "Cannot send a datagram as 'addr' is required when the endpoint has no remoteAddr",
        );
      }
      to = this.#remote;
    } else {
      to = toNetAddr(addr, "addr");
      if (this.#remote !== null && !sameAddr(to, this.#remote)) {
        throw new TypeError(
          `Cannot send a datagram as 'addr' must be the endpoint's remoteAddr ${
            formatAddr(this.#remote)
          }: received ${formatAddr(to)}`,
        );
      }
    }
    if (this.#closing) {
      if (++this.#connLost >= 5) {
        console.warn(
          "sendto() on a closed datagram transport: the datagram is dropped",
        );
      }
      return;
    }
    this.#bufferSize += data.byteLength;
    if (this.#inFlight) {
      // Copied, as asyncio copies what it cannot send at once.
      this.#queue.push([data.slice(), to]);
      return;
    }
    this.#inFlight = true;
    this.#loop._ioStarted();
    this.#send(data, to);
  }

  #send(data: Uint8Array, to: Deno.NetAddr): void {
    const n = data.byteLength;
    this.#socket.send(data, to).then(
      () => this.#sent(n, null),
      (error) => this.#sent(n, error),
    );
  }

  /** A send ended: the next one starts at once, in call order. */
  #sent(n: number, error: unknown): void {
    this.#bufferSize -= n;
    if (error !== null && !this.#lost) {
      this.#reportError(
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    const queue = this.#queue;
    if (this.#head < queue.length && !this.#lost) {
      const [data, to] = queue[this.#head]!;
      queue[this.#head++] = undefined;
      if (this.#head === queue.length) {
        queue.length = 0;
        this.#head = 0;
      }
      this.#send(data, to);
      return;
    }
    // Drained, or dropped by abort().
    queue.length = 0;
    this.#head = 0;
    this.#bufferSize = 0;
    this.#inFlight = false;
    this.#loop._ioFinished();
    if (this.#closing) this.#finish(null);
  }

  #reportError(error: Error): void {
    if (this.#lost || this.#loop.isClosed()) return;
    this.#loop._pushReady(
      new Step(() => {
        if (this.#lost) return;
        try {
          (this.#protocol as DatagramProtocol).errorReceived(error);
        } catch (inner) {
          this.#fatal(inner, "Fatal error: protocol.errorReceived() failed");
        }
      }),
    );
  }

  #fatal(error: unknown, message: string): void {
    this.#loop.callExceptionHandler({
      message,
      exception: error,
      transport: this,
      protocol: this.#protocol,
    });
    this.#closing = true;
    this.#finish(error instanceof Error ? error : new Error(String(error)));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    untrack(this);
    if (!this.#inFlight) this.#finish(null);
  }

  abort(): void {
    this.#closing = true;
    this.#finish(null);
  }

  #finish(error: Error | null): void {
    if (this.#lost) return;
    this.#lost = true;
    untrack(this);
    const closed = this.#socket.close();
    closed.then(() => {
      if (this.#loop.isClosed()) return;
      this.#loop._pushReady(
        new Step(() => {
          try {
            this.#protocol.connectionLost(error);
          } catch (inner) {
            this.#loop.callExceptionHandler({
              message: "Exception in protocol.connectionLost()",
              exception: inner,
              transport: this,
              protocol: this.#protocol,
            });
          }
        }),
      );
    });
  }
}

/** Implements `loop.createDatagramEndpoint()`. */
export function* createDatagramEndpoint<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  options?: DatagramEndpointOptions,
): Coroutine<[DatagramTransport, P]> {
  checkLoopOpen(loop, "createDatagramEndpoint()");
  checkOptionNames(options, DATAGRAM_ENDPOINT_OPTIONS, WHAT);
  checkProtocolFactory(protocolFactory, WHAT);
  const given = options?.remoteAddr === undefined
    ? null
    : toNetAddr(options.remoteAddr, "remoteAddr");
  if (given !== null && given.port === 0) {
    throw new RangeError(
      `Cannot ${WHAT} as 'remoteAddr' must have a port from 1 to 65535: received 0`,
    );
  }
  const givenLocal = options?.localAddr === undefined
    ? null
    : toNetAddr(options.localAddr, "localAddr");
  if (givenLocal === null && given === null) {
    throw new TypeError(
      `Cannot ${WHAT} as 'localAddr' or 'remoteAddr' is required`,
    );
  }
  const broadcast = options?.allowBroadcast ?? false;
  if (typeof broadcast !== "boolean") {
    throw new TypeError(
      `Cannot ${WHAT} as 'allowBroadcast' must be a boolean: received ${
        describeValue(broadcast)
      }`,
    );
  }
  // asyncio (3.8.1+) raises ValueError for reuse_address=True.
  refuse(
    options?.reuseAddress,
    [false],
    "reuseAddress",
    WHAT,
    "SO_REUSEADDR on a UDP socket lets any other process bind the same address and port and receive its datagrams (asyncio refuses it for that reason)",
  );
  refuse(
    options?.reusePort,
    [false],
    "reusePort",
    WHAT,
    "Deno cannot set SO_REUSEPORT on a UDP socket (only SO_REUSEADDR, which is refused for security, see 'reuseAddress')",
  );
  refuse(options?.sock, [], "sock", WHAT, SOCK_WHY);
  const resolveOptions = checkResolveOptions({
    family: options?.family,
    type: SOCK_DGRAM,
    proto: options?.proto,
    flags: options?.flags,
  }, WHAT);
  // asyncio resolves both addresses and pairs them by family; the first
  // pair wins. A name Deno grants only as a name stays a name.
  const resolve = function* (addr: Deno.NetAddr) {
    const found = yield* resolveEndpoints(
      loop,
      addr.hostname,
      addr.port,
      resolveOptions,
    );
    if (found !== null) return found;
    if (
      resolveOptions.family !== AF_UNSPEC || resolveOptions.proto !== 0 ||
      resolveOptions.flags !== 0
    ) {
      throw new Deno.errors.NotCapable(
        `Cannot ${WHAT} with 'family', 'proto' or 'flags' as Deno grants net access to "${addr.hostname}" by name only: resolving it needs --allow-net for its addresses too`,
      );
    }
    return [{ family: AF_UNSPEC, hostname: addr.hostname, port: addr.port }];
  };
  const remotes = given === null ? [] : yield* resolve(given);
  const locals = givenLocal === null ? [] : yield* resolve(givenLocal);
  const familyOf = (e: { family: number; hostname: string }) =>
    e.family !== AF_UNSPEC
      ? e.family
      : e.hostname.includes(":")
      ? AF_INET6
      : AF_INET;
  let remote: Deno.NetAddr | null = null;
  let local: Deno.NetAddr;
  const udp = (e: { hostname: string; port: number }): Deno.NetAddr => ({
    transport: "udp",
    hostname: e.hostname,
    port: e.port,
  });
  if (remotes.length === 0) {
    local = udp(locals[0]);
  } else if (locals.length === 0) {
    remote = udp(remotes[0]);
    local = { transport: "udp", hostname: localHostFor(remote), port: 0 };
  } else {
    const pair = remotes.flatMap((r) =>
      locals.filter((l) =>
        familyOf(l) === familyOf(r)
      ).map((l) => [l, r])
    )[0];
    if (pair === undefined) {
      throw new TypeError(
        `Cannot ${WHAT} as 'localAddr' and 'remoteAddr' have no address family in common`,
      );
    }
    local = udp(pair[0]);
    remote = udp(pair[1]);
  }
  // Deno.listenDatagram cannot leave SO_BROADCAST off; where the broadcast
  // addresses cannot be listed to refuse those sends, node:dgram serves.
  const unstable = hasUnstableNet();
  const refused = unstable && !broadcast ? broadcastAddresses() : null;
  const socket: UdpSocket = unstable && (broadcast || refused !== null)
    ? denoSocket(local, refused)
    : yield* ioAwait(
      loop,
      () => nodeSocket(local, broadcast),
      (socket) => void socket.close(),
    );
  let protocol: P;
  try {
    protocol = makeProtocol(protocolFactory, WHAT);
  } catch (error) {
    yield* ioAwait(loop, () => socket.close());
    throw error;
  }
  const transport = new DatagramEndpoint(loop, socket, protocol, remote);
  const waiter = loop.createFuture<void>();
  loop.callSoon(() => {
    try {
      transport._start();
      if (!waiter.done()) waiter.setResult();
    } catch (error) {
      transport.abort();
      if (!waiter.done()) waiter.setException(error);
    }
  });
  yield* waiter;
  return [transport, protocol];
}

/**
 * What closes the socket if the loop closes with the endpoint still open;
 * outside the constructor so that it holds the socket, not the endpoint.
 */
function releaser(socket: UdpSocket): () => void {
  return () => void socket.close().then(undefined, () => {});
}

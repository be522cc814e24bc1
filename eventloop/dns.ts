/**
 * Name resolution as `loop.getaddrinfo()` and `loop.getnameinfo()` take and
 * return it: the address families, socket types, protocols and flags of
 * Python's `socket` module, the shapes of their results, and
 * {@linkcode GaiError}.
 *
 * The constants are numbers with Linux's values, so that they combine as bit
 * flags (`AI_PASSIVE | AI_NUMERICHOST`) and print as Python prints them on
 * Linux. Compare them with the constants, never with literals.
 *
 * @module
 */

/**
 * Any address family: IPv4 and IPv6 (the default of every `family` option).
 *
 * Python: `socket.AF_UNSPEC`.
 *
 * @example Resolving for any family
 * ```ts
 * import { AF_INET, AF_UNSPEC, getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const infos = await run(function* () {
 *   return yield* getRunningLoop().getaddrinfo("127.0.0.1", 80, { family: AF_UNSPEC });
 * }());
 * assert.equal(infos[0][0], AF_INET);
 * ```
 */
export const AF_UNSPEC = 0;

/**
 * IPv4.
 *
 * Python: `socket.AF_INET`.
 *
 * @example Only IPv4 addresses
 * ```ts
 * import { AF_INET, getRunningLoop, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const infos = await run(function* () {
 *   return yield* getRunningLoop().getaddrinfo("127.0.0.1", 80, { family: AF_INET, type: SOCK_STREAM });
 * }());
 * assert.deepEqual(infos, [[AF_INET, SOCK_STREAM, 6, "", ["127.0.0.1", 80]]]);
 * ```
 */
export const AF_INET = 2;

/**
 * IPv6.
 *
 * Python: `socket.AF_INET6`.
 *
 * @example An IPv6 address has four fields
 * ```ts
 * import { AF_INET6, getRunningLoop, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const infos = await run(function* () {
 *   return yield* getRunningLoop().getaddrinfo("::1", 80, { type: SOCK_STREAM });
 * }());
 * assert.deepEqual(infos, [[AF_INET6, SOCK_STREAM, 6, "", ["::1", 80, 0, 0]]]);
 * ```
 */
export const AF_INET6 = 10;

/**
 * A stream socket (TCP).
 *
 * Python: `socket.SOCK_STREAM`.
 *
 * @example
 * ```ts
 * import { SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SOCK_STREAM, 1);
 * ```
 */
export const SOCK_STREAM = 1;

/**
 * A datagram socket (UDP).
 *
 * Python: `socket.SOCK_DGRAM`.
 *
 * @example
 * ```ts
 * import { SOCK_DGRAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SOCK_DGRAM, 2);
 * ```
 */
export const SOCK_DGRAM = 2;

/**
 * A raw socket: `getaddrinfo()` lists it as the system does, though Deno
 * cannot open one.
 *
 * Python: `socket.SOCK_RAW`.
 *
 * @example
 * ```ts
 * import { SOCK_RAW } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SOCK_RAW, 3);
 * ```
 */
export const SOCK_RAW = 3;

/**
 * TCP.
 *
 * Python: `socket.IPPROTO_TCP`.
 *
 * @example
 * ```ts
 * import { IPPROTO_TCP } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(IPPROTO_TCP, 6);
 * ```
 */
export const IPPROTO_TCP = 6;

/**
 * UDP.
 *
 * Python: `socket.IPPROTO_UDP`.
 *
 * @example
 * ```ts
 * import { IPPROTO_UDP } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(IPPROTO_UDP, 17);
 * ```
 */
export const IPPROTO_UDP = 17;

/**
 * `getaddrinfo()` flag: addresses to listen on. Without a host, it gives
 * the wildcard addresses (`0.0.0.0`, `::`) instead of the loopback ones.
 *
 * Python: `socket.AI_PASSIVE`.
 *
 * @example Wildcard addresses
 * ```ts
 * import { AI_PASSIVE, getRunningLoop, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const hosts = await run(function* () {
 *   const infos = yield* getRunningLoop().getaddrinfo(null, 80, { type: SOCK_STREAM, flags: AI_PASSIVE });
 *   return infos.map((info) => info[4][0]);
 * }());
 * assert.deepEqual(hosts, ["0.0.0.0", "::"]);
 * ```
 */
export const AI_PASSIVE = 0x1;

/**
 * `getaddrinfo()` flag: set the canonical name of the host in the first
 * result.
 *
 * Python: `socket.AI_CANONNAME`.
 *
 * @example
 * ```ts
 * import { AI_CANONNAME, getRunningLoop, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const name = await run(function* () {
 *   const infos = yield* getRunningLoop().getaddrinfo("127.0.0.1", 80, { type: SOCK_STREAM, flags: AI_CANONNAME });
 *   return infos[0][3];
 * }());
 * assert.equal(name, "127.0.0.1");
 * ```
 */
export const AI_CANONNAME = 0x2;

/**
 * `getaddrinfo()` flag: the host must be a numeric address; nothing is
 * looked up.
 *
 * Python: `socket.AI_NUMERICHOST`.
 *
 * @example A name is refused
 * ```ts
 * import { AI_NUMERICHOST, GaiError, getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(
 *   run(function* () {
 *     return yield* getRunningLoop().getaddrinfo("localhost", 80, { flags: AI_NUMERICHOST });
 *   }()),
 *   GaiError,
 * );
 * ```
 */
export const AI_NUMERICHOST = 0x4;

/**
 * `getaddrinfo()` flag: with `family: AF_INET6`, give IPv4 addresses as
 * IPv4-mapped IPv6 addresses when the host has no IPv6 address.
 *
 * Python: `socket.AI_V4MAPPED`.
 *
 * @example
 * ```ts
 * import { AF_INET6, AI_V4MAPPED, getRunningLoop, run, SOCK_STREAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const infos = await run(function* () {
 *   return yield* getRunningLoop().getaddrinfo("127.0.0.1", 80, {
 *     family: AF_INET6,
 *     type: SOCK_STREAM,
 *     flags: AI_V4MAPPED,
 *   });
 * }());
 * assert.deepEqual(infos[0][4], ["::ffff:127.0.0.1", 80, 0, 0]);
 * ```
 */
export const AI_V4MAPPED = 0x8;

/**
 * `getaddrinfo()` flag: with `AI_V4MAPPED`, give the IPv6 addresses and the
 * mapped IPv4 ones.
 *
 * Python: `socket.AI_ALL`.
 *
 * @example
 * ```ts
 * import { AI_ALL } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AI_ALL, 0x10);
 * ```
 */
export const AI_ALL = 0x10;

/**
 * `getaddrinfo()` flag: give addresses of a family only if this machine has
 * a non-loopback address of that family (reading the interfaces needs
 * `--allow-sys`).
 *
 * Python: `socket.AI_ADDRCONFIG`.
 *
 * @example
 * ```ts
 * import { AI_ADDRCONFIG } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AI_ADDRCONFIG, 0x20);
 * ```
 */
export const AI_ADDRCONFIG = 0x20;

/**
 * `getaddrinfo()` flag: the port must be numeric, not a service name.
 *
 * Python: `socket.AI_NUMERICSERV`.
 *
 * @example
 * ```ts
 * import { AI_NUMERICSERV } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AI_NUMERICSERV, 0x400);
 * ```
 */
export const AI_NUMERICSERV = 0x400;

/**
 * `getnameinfo()` flag: give the host as a numeric address.
 *
 * Python: `socket.NI_NUMERICHOST`.
 *
 * @example
 * ```ts
 * import { getRunningLoop, NI_NUMERICHOST, NI_NUMERICSERV, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const names = await run(function* () {
 *   return yield* getRunningLoop().getnameinfo(["127.0.0.1", 8080], NI_NUMERICHOST | NI_NUMERICSERV);
 * }());
 * assert.deepEqual(names, ["127.0.0.1", "8080"]);
 * ```
 */
export const NI_NUMERICHOST = 0x1;

/**
 * `getnameinfo()` flag: give the port as a number, not a service name.
 *
 * Python: `socket.NI_NUMERICSERV`.
 *
 * @example
 * ```ts
 * import { NI_NUMERICSERV } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NI_NUMERICSERV, 0x2);
 * ```
 */
export const NI_NUMERICSERV = 0x2;

/**
 * `getnameinfo()` flag: for a host of the local domain, give only its first
 * label.
 *
 * Python: `socket.NI_NOFQDN`.
 *
 * @example
 * ```ts
 * import { NI_NOFQDN } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NI_NOFQDN, 0x4);
 * ```
 */
export const NI_NOFQDN = 0x4;

/**
 * `getnameinfo()` flag: fail with {@linkcode GaiError} when the address has
 * no name, rather than giving it in numeric form.
 *
 * Python: `socket.NI_NAMEREQD`.
 *
 * @example
 * ```ts
 * import { NI_NAMEREQD } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NI_NAMEREQD, 0x8);
 * ```
 */
export const NI_NAMEREQD = 0x8;

/**
 * `getnameinfo()` flag: the service is a UDP one (the name of a port can
 * differ between TCP and UDP).
 *
 * Python: `socket.NI_DGRAM`.
 *
 * @example
 * ```ts
 * import { NI_DGRAM } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * assert.equal(NI_DGRAM, 0x10);
 * ```
 */
export const NI_DGRAM = 0x10;

/**
 * A socket address as `getaddrinfo()` gives it and `getnameinfo()` takes
 * it: `[host, port]` for IPv4, `[host, port, flowinfo, scopeId]` for IPv6.
 *
 * Python: the `sockaddr` tuples of the `socket` module.
 */
export type SockAddr =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scopeId: number];

/**
 * One result of `getaddrinfo()`: `[family, type, proto, canonname,
 * sockaddr]`, Python's 5-tuple.
 *
 * Python: an item of `socket.getaddrinfo()`'s list.
 */
export type AddrInfo = [
  family: number,
  type: number,
  proto: number,
  canonname: string,
  sockaddr: SockAddr,
];

/**
 * Options of `loop.getaddrinfo()`; each restricts the results.
 *
 * asyncio: the keyword arguments of `loop.getaddrinfo()`.
 */
export interface GetAddrInfoOptions {
  /**
   * {@linkcode AF_INET}, {@linkcode AF_INET6} or {@linkcode AF_UNSPEC}.
   *
   * @default {AF_UNSPEC}
   */
  family?: number;
  /**
   * {@linkcode SOCK_STREAM}, {@linkcode SOCK_DGRAM}, {@linkcode SOCK_RAW},
   * or 0 for all three.
   *
   * @default {0}
   */
  type?: number;
  /**
   * {@linkcode IPPROTO_TCP}, {@linkcode IPPROTO_UDP}, or 0 for the type's
   * own.
   *
   * @default {0}
   */
  proto?: number;
  /**
   * `AI_*` flags, or-ed together.
   *
   * @default {0}
   */
  flags?: number;
}

/** The `EAI_*` codes a {@linkcode GaiError} carries, with glibc's numbers. */
const GAI_ERRNO: Record<string, number> = {
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
};

/**
 * A name or address that cannot be resolved, or an impossible combination
 * of `getaddrinfo()`/`getnameinfo()` arguments; `code` says which, as the
 * system's resolver does.
 *
 * Python: `socket.gaierror` (an `OSError`).
 *
 * @example Catching an unknown service name
 * ```ts
 * import { GaiError, getRunningLoop, run } from "@asyncio/asyncio/eventloop";
 * import assert from "node:assert/strict";
 *
 * const code = await run(function* () {
 *   try {
 *     yield* getRunningLoop().getaddrinfo("127.0.0.1", "no-such-service");
 *     return "resolved";
 *   } catch (error) {
 *     if (error instanceof GaiError) return error.code;
 *     throw error;
 *   }
 * }());
 * assert.equal(code, "EAI_SERVICE");
 * ```
 */
export class GaiError extends Error {
  /** The resolver's code, such as `"EAI_NONAME"`. */
  readonly code: string;
  /** glibc's number for `code` (negative, as Python's `errno`). */
  readonly errno: number;

  /**
   * Makes the error.
   *
   * @param code An `EAI_*` code.
   * @param message What failed.
   * @param options The `cause`, when there is one.
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "GaiError";
    this.code = code;
    this.errno = GAI_ERRNO[code] ?? -4;
  }
}

// Name resolution: loop.getaddrinfo / getnameinfo, and the addresses that
// createConnection, createServer and createDatagramEndpoint use. Where each
// answer comes from:
// - numeric addresses are parsed here (IPv4 in inet_aton's forms, as
//   glibc's getaddrinfo takes them; IPv6 with a numeric scope): nothing is
//   looked up;
// - names go to the system resolver, getaddrinfo(3) through node:dns.lookup,
//   which reads /etc/hosts and asks DNS as /etc/nsswitch.conf says (and so
//   does what Deno.connect does with a name; Deno.resolveDns cannot, as it
//   asks DNS servers only);
// - canonical names (AI_CANONNAME) come from /etc/hosts, then from DNS CNAME
//   records (Deno.resolveDns), else are the name itself;
// - reverse lookups go to getnameinfo(3) through node:dns.lookupService;
// - service names come from /etc/services.
// Flags are applied here, not by node:dns, which drops its `hints` in Deno.

import type { EventLoop } from "./event_loop.ts";
import type { Coroutine } from "./_coroutine.ts";
import { ioAwait } from "./_net.ts";
import { describeValue } from "./_util.ts";
import {
  type AddrInfo,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  GaiError,
  type GetAddrInfoOptions,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  type SockAddr,
} from "./dns.ts";

const AI_KNOWN = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED |
  AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;
const NI_KNOWN = NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD |
  NI_DGRAM;

/** glibc's texts for the resolver's error codes. */
const GAI_TEXT: Record<string, string> = {
  EAI_BADFLAGS: "Bad value for ai_flags",
  EAI_NONAME: "Name or service not known",
  EAI_AGAIN: "Temporary failure in name resolution",
  EAI_FAIL: "Non-recoverable failure in name resolution",
  EAI_NODATA: "No address associated with hostname",
  EAI_FAMILY: "ai_family not supported",
  EAI_SOCKTYPE: "ai_socktype not supported",
  EAI_SERVICE: "Servname not supported for ai_socktype",
  EAI_ADDRFAMILY: "Address family for hostname not supported",
};

function gaiError(
  code: string,
  subject: string,
  options?: ErrorOptions,
): GaiError {
  return new GaiError(
    code,
    `Cannot resolve ${subject}: ${GAI_TEXT[code]} (${code})`,
    options,
  );
}

// ---- Numeric addresses ----

/** A parsed numeric address. */
export interface NumericAddress {
  family: typeof AF_INET | typeof AF_INET6;
  /** The canonical text: dotted quad, or RFC 5952 for IPv6. */
  host: string;
  /** The IPv6 scope (interface index); 0 for IPv4. */
  scopeId: number;
}

/** IPv4 in inet_aton's forms (`a.b.c.d`, `a.b.c`, `a.b`, `a`; octal, hex). */
function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) {
      value = parseInt(part.slice(2) || "0", 16);
    } else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  const room = 4 - values.length;
  if (last >= 2 ** (8 * room)) return null;
  const tail: number[] = [];
  for (let i = room - 1; i >= 0; i--) {
    tail.push(Math.floor(last / 256 ** i) % 256);
  }
  return [...values, ...tail];
}

/** IPv6 groups (eight 16-bit numbers), or null. */
function parseIPv6Groups(text: string): number[] | null {
  let head = text;
  let v4: number[] | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    if (lastColon < 0) return null;
    const tail = text.slice(lastColon + 1);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail)) return null;
    v4 = tail.split(".").map(Number);
    if (v4.some((v) => v > 255)) return null;
    head = text.slice(0, lastColon + 1);
    if (head.endsWith("::")) head += "";
    else if (head.endsWith(":")) head = head.slice(0, -1);
  }
  const want = v4 === null ? 8 : 6;
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === "") return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0]);
  if (left === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const right = parse(halves[1]);
    if (right === null || left.length + right.length >= want) return null;
    groups = [
      ...left,
      ...new Array(want - left.length - right.length).fill(0),
      ...right,
    ];
  } else {
    if (left.length !== want) return null;
    groups = left;
  }
  if (v4 !== null) groups.push(v4[0] * 256 + v4[1], v4[2] * 256 + v4[3]);
  return groups;
}

/** RFC 5952 text of eight groups, with inet_ntop's embedded IPv4 forms. */
function formatIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // ::a.b.c.d and ::ffff:a.b.c.d, as glibc's inet_ntop writes them.
  if (
    bestStart === 0 &&
    (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))
  ) {
    const v4 = `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${
      groups[7] & 255
    }`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(":");
  const left = groups.slice(0, bestStart).map(hex).join(":");
  const right = groups.slice(bestStart + bestLen).map(hex).join(":");
  return `${left}::${right}`;
}

/**
 * Parses a numeric address; `null` for anything else (a name). A named
 * IPv6 scope (`fe80::1%eth0`) throws: Deno cannot map an interface name to
 * its index.
 */
export function parseNumeric(text: string): NumericAddress | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) {
    return { family: AF_INET, host: v4.join("."), scopeId: 0 };
  }
  const percent = text.indexOf("%");
  const addr = percent < 0 ? text : text.slice(0, percent);
  const groups = parseIPv6Groups(addr);
  if (groups === null) return null;
  let scopeId = 0;
  if (percent >= 0) {
    const scope = text.slice(percent + 1);
    if (!/^\d+$/.test(scope)) {
      throw gaiError(
        "EAI_NONAME",
        `${
          JSON.stringify(text)
        } as its scope is not an interface index (Deno cannot map an interface name to its index; write the index, as in fe80::1%2)`,
      );
    }
    scopeId = Number(scope);
  }
  return { family: AF_INET6, host: formatIPv6(groups), scopeId };
}

/** The IPv4-mapped IPv6 form of an IPv4 address. */
function mapped(v4: string): string {
  return `::ffff:${v4}`;
}

// ---- Argument checks ----

function checkInt(value: unknown, name: string, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(
      `Cannot ${what} as '${name}' must be an integer: received ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/** The checked options of getaddrinfo. */
export interface ResolveOptions {
  family: number;
  type: number;
  proto: number;
  flags: number;
}

/** Checks getaddrinfo-style options (shared by the connection methods). */
export function checkResolveOptions(
  options: GetAddrInfoOptions | undefined,
  what: string,
): ResolveOptions {
  const family = checkInt(options?.family ?? AF_UNSPEC, "family", what);
  const type = checkInt(options?.type ?? 0, "type", what);
  const proto = checkInt(options?.proto ?? 0, "proto", what);
  const flags = checkInt(options?.flags ?? 0, "flags", what);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw gaiError(
      "EAI_FAMILY",
      `with family ${family} (use AF_INET, AF_INET6 or AF_UNSPEC)`,
    );
  }
  if (![0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW].includes(type)) {
    throw gaiError(
      "EAI_SOCKTYPE",
      `with type ${type} (use SOCK_STREAM, SOCK_DGRAM, SOCK_RAW or 0)`,
    );
  }
  if (proto < 0 || proto > 255) {
    throw new RangeError(
      `Cannot ${what} as 'proto' must be a protocol number from 0 to 255: received ${proto}`,
    );
  }
  if ((flags & ~AI_KNOWN) !== 0 || flags < 0) {
    throw gaiError(
      "EAI_BADFLAGS",
      `with flags ${flags} (only AI_* flags can be combined)`,
    );
  }
  return { family, type, proto, flags };
}

/** A port: a number, a numeric string, a service name, or nothing (0). */
type Port = number | string | null | undefined;

/** The [type, proto] pairs getaddrinfo answers for, as glibc picks them. */
function socketKinds(
  options: ResolveOptions,
  port: Port,
  subject: string,
): [number, number][] {
  const { type, proto } = options;
  const all: [number, number][] = [
    [SOCK_STREAM, IPPROTO_TCP],
    [SOCK_DGRAM, IPPROTO_UDP],
  ];
  if (type === SOCK_RAW) {
    if (port !== null && port !== undefined && port !== 0) {
      throw gaiError("EAI_SERVICE", `${subject} (a raw socket has no port)`);
    }
    return [[SOCK_RAW, proto]];
  }
  let kinds = type === 0 ? all : all.filter(([t]) => t === type);
  if (proto !== 0) {
    kinds = kinds.filter(([, p]) => p === proto);
    if (kinds.length === 0) {
      throw gaiError(type === 0 ? "EAI_SERVICE" : "EAI_SOCKTYPE", subject);
    }
  } else if (type === 0) {
    kinds = [...kinds, [SOCK_RAW, 0]];
  }
  return kinds;
}

// ---- Files ----

/** A file's text, or null if it does not exist. */
function* readOptional(
  loop: EventLoop,
  path: string,
): Coroutine<string | null> {
  try {
    return yield* ioAwait(loop, () => Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

interface Services {
  byName: Map<string, number>;
  byPort: Map<string, string>;
}

/** /etc/services: `name port/proto aliases... # comment`. */
function* services(loop: EventLoop): Coroutine<Services> {
  const text = (yield* readOptional(loop, "/etc/services")) ?? "";
  const byName = new Map<string, number>();
  const byPort = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const match = /^(\d+)\/(\w+)$/.exec(portProto ?? "");
    if (match === null) continue;
    const port = Number(match[1]);
    const proto = match[2];
    for (const n of [name, ...aliases]) {
      if (!byName.has(`${n}/${proto}`)) byName.set(`${n}/${proto}`, port);
    }
    if (!byPort.has(`${port}/${proto}`)) byPort.set(`${port}/${proto}`, name);
  }
  return { byName, byPort };
}

/** The canonical name: /etc/hosts, then DNS CNAME records, else the name. */
function* canonicalName(loop: EventLoop, host: string): Coroutine<string> {
  const hosts = yield* readOptional(loop, "/etc/hosts");
  const wanted = host.toLowerCase();
  for (const raw of (hosts ?? "").split("\n")) {
    const names = raw.replace(/#.*/, "").trim().split(/\s+/).slice(1);
    if (names.some((n) => n.toLowerCase() === wanted)) return names[0];
  }
  let name = host;
  for (let hop = 0; hop < 8; hop++) {
    const query = name;
    // No CNAME, or no DNS at all: the name is canonical. (Caught inside, so
    // that a CancelledError thrown into the coroutine goes through.)
    const targets = yield* ioAwait(
      loop,
      () => Deno.resolveDns(query, "CNAME").catch((): string[] => []),
    );
    if (targets.length === 0) break;
    name = targets[0].replace(/\.$/, "");
  }
  return name;
}

/** Whether this machine has a non-loopback address of each family. */
function configuredFamilies(): { v4: boolean; v6: boolean } {
  let v4 = false;
  let v6 = false;
  for (const nic of Deno.networkInterfaces()) {
    const parsed = parseNumeric(nic.address.replace(/%.*/, ""));
    if (parsed === null) continue;
    if (parsed.family === AF_INET && !parsed.host.startsWith("127.")) {
      v4 = true;
    }
    if (parsed.family === AF_INET6 && parsed.host !== "::1") v6 = true;
  }
  // glibc filters nothing when it finds no address at all.
  return v4 || v6 ? { v4, v6 } : { v4: true, v6: true };
}

// ---- The system resolver ----

interface LookupResult {
  address: string;
  family: number;
}

/** Maps node:dns's error codes to the resolver's, or Deno's NotCapable. */
function resolverError(error: unknown, subject: string, host: string): Error {
  const code = (error as { code?: string })?.code;
  if (code === "EPERM") {
    return new Deno.errors.NotCapable(
      `Requires net access to "${host}" to resolve it, run again with the --allow-net flag`,
    );
  }
  const gai = code === "ENOTFOUND" || code === "ENODATA"
    ? "EAI_NONAME"
    : code !== undefined && code in GAI_TEXT
    ? code
    : "EAI_FAIL";
  return gaiError(gai, subject, { cause: error });
}

function* systemLookup(
  loop: EventLoop,
  host: string,
  family: number,
  subject: string,
): Coroutine<LookupResult[]> {
  // The resolver's errors are mapped inside: a CancelledError thrown into
  // the coroutine must go through unchanged.
  return yield* ioAwait(loop, async () => {
    const dns = await import("node:dns");
    return await new Promise<LookupResult[]>((resolve, reject) => {
      dns.lookup(
        host,
        {
          all: true,
          family: family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0,
          // The system's order (RFC 6724), not Deno's IPv4-first default.
          verbatim: true,
        },
        (error, addresses) =>
          error
            ? reject(resolverError(error, subject, host))
            : resolve(addresses),
      );
    });
  });
}

// ---- getaddrinfo ----

/** Implements `loop.getaddrinfo()`. */
export function* getaddrinfo(
  loop: EventLoop,
  host: string | null | undefined,
  port: Port,
  options: GetAddrInfoOptions | undefined,
  what = "getaddrinfo()",
): Coroutine<AddrInfo[]> {
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw new TypeError(
      `Cannot ${what} as 'host' must be a string or null: received ${
        describeValue(host)
      }`,
    );
  }
  const opts = checkResolveOptions(options, what);
  const subject = `${
    host === null || host === undefined ? "no host" : JSON.stringify(host)
  } port ${
    port === null || port === undefined ? "none" : JSON.stringify(port)
  }`;
  // The port, or a service name to look up per socket type.
  let portNumber: number | null = null;
  let service: string | null = null;
  if (typeof port === "number") {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(
        `Cannot ${what} as 'port' must be an integer from 0 to 65535: received ${port}`,
      );
    }
    portNumber = port;
  } else if (typeof port === "string") {
    if (/^\d+$/.test(port)) {
      portNumber = Number(port);
      if (portNumber > 65535) {
        throw new RangeError(
          `Cannot ${what} as 'port' must be from 0 to 65535: received ${
            JSON.stringify(port)
          }`,
        );
      }
    } else if (opts.flags & AI_NUMERICSERV) {
      throw gaiError("EAI_NONAME", `${subject} (AI_NUMERICSERV)`);
    } else service = port;
  } else if (port !== null && port !== undefined) {
    throw new TypeError(
      `Cannot ${what} as 'port' must be a number, a service name or null: received ${
        describeValue(port)
      }`,
    );
  }
  const noHost = host === null || host === undefined;
  if (noHost && port === null || noHost && port === undefined || host === "") {
    throw gaiError("EAI_NONAME", subject);
  }
  if (noHost && (opts.flags & AI_CANONNAME)) {
    throw gaiError("EAI_BADFLAGS", `${subject} (AI_CANONNAME needs a host)`);
  }
  let kinds = socketKinds(opts, service ?? portNumber, subject);
  const ports = new Map<number, number>();
  if (service !== null) {
    const table = yield* services(loop);
    kinds = kinds.filter(([type]) => {
      const proto = type === SOCK_STREAM ? "tcp" : "udp";
      const found = type === SOCK_RAW
        ? undefined
        : table.byName.get(`${service}/${proto}`);
      if (found !== undefined) ports.set(type, found);
      return found !== undefined;
    });
    if (kinds.length === 0) throw gaiError("EAI_SERVICE", subject);
  }
  const portFor = (type: number) => ports.get(type) ?? portNumber ?? 0;

  const { family, flags } = opts;
  const wantsMapped = family === AF_INET6 && (flags & AI_V4MAPPED) !== 0;
  let addresses: NumericAddress[];
  let canonname = "";
  if (noHost) {
    const passive = (flags & AI_PASSIVE) !== 0;
    const v4: NumericAddress = {
      family: AF_INET,
      host: passive ? "0.0.0.0" : "127.0.0.1",
      scopeId: 0,
    };
    const v6: NumericAddress = {
      family: AF_INET6,
      host: passive ? "::" : "::1",
      scopeId: 0,
    };
    addresses = passive ? [v4, v6] : [v6, v4];
    addresses = addresses.filter((a) =>
      family === AF_UNSPEC || a.family === family
    );
  } else {
    const numeric = parseNumeric(host);
    if (numeric !== null) {
      if (numeric.family === AF_INET && family === AF_INET6) {
        if (!wantsMapped) throw gaiError("EAI_ADDRFAMILY", subject);
        addresses = [{
          family: AF_INET6,
          host: mapped(numeric.host),
          scopeId: 0,
        }];
      } else if (numeric.family === AF_INET6 && family === AF_INET) {
        throw gaiError("EAI_ADDRFAMILY", subject);
      } else {
        addresses = [numeric];
      }
      if (flags & AI_CANONNAME) canonname = host;
    } else {
      if (flags & AI_NUMERICHOST) {
        throw gaiError("EAI_NONAME", `${subject} (AI_NUMERICHOST)`);
      }
      const found = yield* systemLookup(
        loop,
        host,
        wantsMapped ? AF_UNSPEC : family,
        subject,
      );
      const parsed = found.map((f) => parseNumeric(f.address)).filter((a) =>
        a !== null
      );
      if (wantsMapped) {
        const v6 = parsed.filter((a) => a.family === AF_INET6);
        const v4 = parsed.filter((a) => a.family === AF_INET).map((a) => ({
          family: AF_INET6 as typeof AF_INET6,
          host: mapped(a.host),
          scopeId: 0,
        }));
        addresses = v6.length === 0 || (flags & AI_ALL) ? [...v6, ...v4] : v6;
      } else {
        addresses = parsed.filter((a) =>
          family === AF_UNSPEC || a.family === family
        );
      }
      if (addresses.length > 0 && (flags & AI_CANONNAME)) {
        canonname = yield* canonicalName(loop, host);
      }
    }
  }
  if (flags & AI_ADDRCONFIG) {
    const configured = configuredFamilies();
    addresses = addresses.filter((a) =>
      a.family === AF_INET ? configured.v4 : configured.v6
    );
  }
  if (addresses.length === 0) throw gaiError("EAI_NONAME", subject);
  const infos: AddrInfo[] = [];
  for (const address of addresses) {
    for (const [type, proto] of kinds) {
      const sockaddr: SockAddr = address.family === AF_INET
        ? [address.host, portFor(type)]
        : [address.host, portFor(type), 0, address.scopeId];
      infos.push([address.family, type, proto, "", sockaddr]);
    }
  }
  if (canonname !== "") infos[0][3] = canonname;
  return infos;
}

// ---- getnameinfo ----

/** Implements `loop.getnameinfo()`. */
export function* getnameinfo(
  loop: EventLoop,
  sockaddr: SockAddr | Deno.NetAddr,
  flags: number,
): Coroutine<[string, string]> {
  const what = "getnameinfo()";
  let host: unknown;
  let port: unknown;
  let flowinfo: unknown = 0;
  let scopeId: unknown = 0;
  if (
    Array.isArray(sockaddr) && (sockaddr.length === 2 || sockaddr.length === 4)
  ) {
    [host, port, flowinfo = 0, scopeId = 0] = sockaddr;
  } else if (
    typeof sockaddr === "object" && sockaddr !== null &&
    !Array.isArray(sockaddr)
  ) {
    ({ hostname: host, port } = sockaddr as Deno.NetAddr);
  } else {
    throw new TypeError(
      `Cannot ${what} as 'sockaddr' must be [host, port], [host, port, flowinfo, scopeId] or { hostname, port }: received ${
        describeValue(sockaddr)
      }`,
    );
  }
  if (typeof host !== "string") {
    throw new TypeError(
      `Cannot ${what} as the host of 'sockaddr' must be a string: received ${
        describeValue(host)
      }`,
    );
  }
  const portNumber = checkInt(port, "sockaddr's port", what);
  if (portNumber < 0 || portNumber > 65535) {
    throw new RangeError(
      `Cannot ${what} as the port of 'sockaddr' must be from 0 to 65535: received ${portNumber}`,
    );
  }
  const flow = checkInt(flowinfo, "sockaddr's flowinfo", what);
  if (flow < 0 || flow > 0xfffff) {
    throw new RangeError(
      `Cannot ${what} as the flowinfo of 'sockaddr' must be from 0 to 1048575: received ${flow}`,
    );
  }
  let scope = checkInt(scopeId, "sockaddr's scopeId", what);
  if (scope < 0) {
    throw new RangeError(
      `Cannot ${what} as the scopeId of 'sockaddr' must not be negative: received ${scope}`,
    );
  }
  checkInt(flags, "flags", what);
  const subject = `${JSON.stringify(host)} port ${portNumber}`;
  if ((flags & ~NI_KNOWN) !== 0 || flags < 0) {
    throw gaiError("EAI_BADFLAGS", `${subject} with flags ${flags}`);
  }
  // Python resolves the host with AI_NUMERICHOST: it must be an address.
  const address = parseNumeric(host);
  if (address === null) throw gaiError("EAI_NONAME", subject);
  if (
    address.family === AF_INET && Array.isArray(sockaddr) &&
    sockaddr.length === 4
  ) {
    throw new TypeError(
      `Cannot ${what} as an IPv4 'sockaddr' must be [host, port]: received 4 fields`,
    );
  }
  if (address.scopeId !== 0) scope = address.scopeId;
  let name: string;
  if (flags & NI_NUMERICHOST) {
    name = address.family === AF_INET6 && scope !== 0
      ? `${address.host}%${scope}`
      : address.host;
  } else {
    name = yield* reverseLookup(loop, address, portNumber, flags, subject);
  }
  let service = String(portNumber);
  if (!(flags & NI_NUMERICSERV)) {
    const table = yield* services(loop);
    service = table.byPort.get(
      `${portNumber}/${flags & NI_DGRAM ? "udp" : "tcp"}`,
    ) ?? service;
  }
  return [name, service];
}

function* reverseLookup(
  loop: EventLoop,
  address: NumericAddress,
  port: number,
  flags: number,
  subject: string,
): Coroutine<string> {
  let name = yield* ioAwait(loop, async () => {
    const dns = await import("node:dns");
    return await new Promise<string | null>((resolve, reject) => {
      dns.lookupService(address.host, port, (error, hostname) => {
        // node asks with NI_NAMEREQD: "not found" means "no name".
        if ((error as { code?: string } | null)?.code === "ENOTFOUND") {
          resolve(null);
        } else if (error) reject(resolverError(error, subject, address.host));
        else resolve(hostname);
      });
    });
  });
  if (name === null) {
    if (flags & NI_NAMEREQD) throw gaiError("EAI_NONAME", subject);
    return address.host;
  }
  if (flags & NI_NOFQDN) {
    const domain = localDomain();
    if (domain !== "" && name.endsWith(`.${domain}`)) {
      name = name.slice(0, name.length - domain.length - 1);
    }
  }
  return name;
}

/** The domain of this host's name, as glibc's NI_NOFQDN compares with. */
function localDomain(): string {
  const hostname = Deno.hostname();
  const dot = hostname.indexOf(".");
  return dot < 0 ? "" : hostname.slice(dot + 1);
}

// ---- Where sockets go ----

/** An address to connect to or listen on. */
export interface Endpoint {
  family: number;
  hostname: string;
  port: number;
}

/** Whether Deno grants net access to `host:port` without asking. */
export function netGranted(host: string, port: number): boolean {
  const name = host.includes(":") ? `[${host}]` : host;
  try {
    return Deno.permissions.querySync({ name: "net", host: `${name}:${port}` })
      .state === "granted";
  } catch {
    return false;
  }
}

/**
 * The addresses a connection or listener for `host:port` may use, as
 * asyncio's `_ensure_resolved` finds them: a numeric host as it is, a name
 * through `loop.getaddrinfo()` (so a loop subclass can resolve differently,
 * as in asyncio). `null` when Deno grants net access to the name but not to
 * its addresses (`--allow-net=example.com`): then only Deno's own call with
 * the name can reach it, and Deno picks the address.
 */
export function* resolveEndpoints(
  loop: EventLoop,
  host: string,
  port: number,
  options: ResolveOptions,
): Coroutine<Endpoint[] | null> {
  let infos: AddrInfo[];
  const numeric = parseNumeric(host) !== null;
  const byName = !numeric && netGranted(host, port);
  if (numeric) {
    infos = yield* getaddrinfo(loop, host, port, options);
  } else {
    try {
      infos = yield* loop.getaddrinfo(host, port, options);
    } catch (error) {
      if (byName && error instanceof Deno.errors.NotCapable) return null;
      throw error;
    }
  }
  const seen = new Set<string>();
  const endpoints: Endpoint[] = [];
  for (const [family, , , , sockaddr] of infos) {
    const scope = sockaddr.length === 4 && sockaddr[3] !== 0
      ? `%${sockaddr[3]}`
      : "";
    const hostname = `${sockaddr[0]}${scope}`;
    const key = `${hostname} ${sockaddr[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    endpoints.push({ family, hostname, port: sockaddr[1] });
  }
  if (endpoints.length === 0) {
    // asyncio: OSError('getaddrinfo() returned empty list').
    throw new GaiError(
      "EAI_NONAME",
      `Cannot resolve ${
        JSON.stringify(host)
      } port ${port}: getaddrinfo() returned an empty list`,
    );
  }
  if (byName && endpoints.some((e) => !netGranted(e.hostname, e.port))) {
    return null;
  }
  return endpoints;
}

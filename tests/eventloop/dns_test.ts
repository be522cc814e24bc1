// loop.getaddrinfo() and loop.getnameinfo() against python3's
// socket.getaddrinfo()/getnameinfo() on the same machine: the same answers
// (entries, order, canonical names) and the same errors (GaiError codes),
// for numeric addresses, loopback and the names in /etc/hosts only (no
// lookup leaves the machine).

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  CancelledError,
  GaiError,
  getRunningLoop,
  IPPROTO_TCP,
  IPPROTO_UDP,
  newEventLoop,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  run,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
} from "../../eventloop/mod.ts";
import { PeerProcess, peerTest } from "../_peers.ts";
import { type Coroutine, createTask, sleep } from "../../tasks/mod.ts";

const dec = new TextDecoder();

type Port = number | string | null;
type Case = [host: string | null, port: Port, options: Record<string, number>];

/** The names /etc/hosts gives (resolving them asks no DNS server). */
function hostsNames(): string[] {
  const names = new Set<string>(["localhost"]);
  for (const line of Deno.readTextFileSync("/etc/hosts").split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    for (const name of fields.slice(1)) if (names.size < 6) names.add(name);
  }
  return [...names];
}

/** Python's answers (tests/peers/resolver.py): entries, or "ERR EAI_*". */
async function python(
  kind: "getaddrinfo" | "getnameinfo",
  cases: unknown[],
): Promise<unknown[]> {
  await using peer = PeerProcess.python("resolver.py", [
    kind,
    JSON.stringify(cases),
  ]);
  const result = await peer.finish();
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown[];
}

peerTest(
  "loop.getaddrinfo() answers as python3's socket.getaddrinfo() does on this machine",
  ["python3"],
  async () => {
    const cases: Case[] = [];
    for (const name of hostsNames()) {
      cases.push(
        [name, 80, {}],
        [name, "http", {}],
        [name, "domain", {}],
        [name, 443, { type: SOCK_STREAM, flags: AI_CANONNAME }],
        [name.toUpperCase(), 80, { type: SOCK_STREAM, flags: AI_CANONNAME }],
        [name, 80, { family: AF_INET6 }],
        [name, 80, { family: AF_INET6, flags: AI_V4MAPPED }],
        [name, 80, {
          family: AF_INET6,
          type: SOCK_STREAM,
          flags: AI_V4MAPPED | AI_ALL,
        }],
        [name, 80, { flags: AI_ADDRCONFIG }],
        [name, 80, { flags: AI_NUMERICHOST }],
        [name, null, {}],
      );
    }
    cases.push(
      [null, 80, {}],
      [null, 80, { flags: AI_PASSIVE }],
      [null, 80, { type: SOCK_STREAM, flags: AI_CANONNAME }],
      [null, null, {}],
      ["", 80, {}],
      ["127.0.0.1", 8080, { type: SOCK_STREAM }],
      ["127.1", 80, {}],
      ["0x7f.1", 80, { type: SOCK_STREAM }],
      ["127.000.000.001", 80, { type: SOCK_STREAM }],
      ["1.2.3", 80, { type: SOCK_STREAM }],
      ["127.0.0.1", 80, { type: SOCK_STREAM, flags: AI_CANONNAME }],
      ["127.0.0.1", 80, { family: AF_INET6 }],
      ["127.0.0.1", 80, { family: AF_INET6, flags: AI_V4MAPPED }],
      ["::1", 80, { family: AF_INET }],
      ["::1", 80, { flags: AI_ADDRCONFIG }],
      ["::1", 80, {
        family: AF_INET6,
        type: SOCK_STREAM,
        flags: AI_V4MAPPED | AI_ALL,
      }],
      ["0:0:0:0:0:0:7f00:1", 80, { type: SOCK_STREAM }],
      ["::ffff:7f00:1", 80, { type: SOCK_STREAM }],
      ["::FFFF:127.0.0.1", 80, { type: SOCK_STREAM }],
      ["1:0:0:1:0:0:0:1", 80, { type: SOCK_STREAM }],
      ["1:0:0:0:1:0:0:1", 80, { type: SOCK_STREAM }],
      ["fe80::1%3", 80, { type: SOCK_STREAM }],
      ["::", 0, { type: SOCK_DGRAM }],
      ["127.0.0.1", "8080", { type: SOCK_DGRAM }],
      ["localhost", 80, { proto: IPPROTO_UDP }],
      ["localhost", 80, { type: SOCK_STREAM, proto: IPPROTO_UDP }],
      ["localhost", 80, { type: SOCK_STREAM, proto: IPPROTO_TCP }],
      ["localhost", 80, { proto: 255 }],
      ["localhost", 80, { family: 99 }],
      ["localhost", 80, { type: 9 }],
      ["localhost", 80, { flags: 0x8000 }],
      ["localhost", "no-such-service", {}],
      ["localhost", "http", { type: SOCK_DGRAM }],
      ["localhost", "http", { flags: AI_NUMERICSERV }],
      ["localhost", "80", { type: SOCK_RAW }],
      ["localhost", null, { type: SOCK_RAW, proto: 1 }],
    );
    const expected = await python("getaddrinfo", cases);
    const actual = await run(function* () {
      const loop = getRunningLoop();
      const out: unknown[] = [];
      for (const [host, port, options] of cases) {
        try {
          out.push(yield* loop.getaddrinfo(host, port, options));
        } catch (error) {
          assert.ok(error instanceof GaiError, `${host} ${port}: ${error}`);
          out.push(`ERR ${error.code}`);
        }
      }
      return out;
    }());
    for (let i = 0; i < cases.length; i++) {
      assert.deepEqual(
        actual[i],
        expected[i],
        `case ${JSON.stringify(cases[i])}`,
      );
    }
  },
);

peerTest(
  "loop.getnameinfo() answers as python3's socket.getnameinfo() does on this machine",
  ["python3"],
  async () => {
    const cases: [unknown[], number][] = [
      [["127.0.0.1", 22], 0],
      [["127.0.0.1", 22], NI_NUMERICHOST],
      [["127.0.0.1", 22], NI_NUMERICSERV],
      [["127.0.0.1", 53], NI_DGRAM],
      [["127.0.0.1", 9999], 0],
      [["127.0.0.1", 22], NI_NAMEREQD],
      [["127.0.0.1", 443], NI_NUMERICHOST | NI_NUMERICSERV],
      [["127.0.0.1", 0], 0],
      [["127.1", 22], NI_NUMERICHOST],
      [["::1", 22, 0, 0], NI_NUMERICHOST],
      [["::1", 22], NI_NUMERICHOST],
      [["0:0::1", 80], NI_NUMERICHOST | NI_NUMERICSERV],
      [["::ffff:127.0.0.1", 22], NI_NUMERICHOST],
      [["localhost", 22], 0],
    ];
    const expected = await python("getnameinfo", cases);
    const actual = await run(function* () {
      const loop = getRunningLoop();
      const out: unknown[] = [];
      for (const [sockaddr, flags] of cases) {
        try {
          out.push(
            yield* loop.getnameinfo(sockaddr as [string, number], flags),
          );
        } catch (error) {
          assert.ok(error instanceof GaiError, `${sockaddr}: ${error}`);
          out.push(`ERR ${error.code}`);
        }
      }
      return out;
    }());
    assert.deepEqual(actual, expected);
  },
);

Deno.test("loop.getnameinfo() takes a Deno.NetAddr too, and checks its arguments", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    assert.deepEqual(
      yield* loop.getnameinfo(
        { transport: "tcp", hostname: "127.0.0.1", port: 80 },
        NI_NUMERICHOST | NI_NUMERICSERV,
      ),
      ["127.0.0.1", "80"],
    );
    const rows: [unknown, unknown, new (...a: never[]) => Error, RegExp][] = [
      [["127.0.0.1"], 0, TypeError, /'sockaddr'/],
      [
        ["127.0.0.1", 22, 0, 0],
        0,
        TypeError,
        /IPv4 'sockaddr' must be \[host, port\]/,
      ],
      [[1, 22], 0, TypeError, /host of 'sockaddr'/],
      [["127.0.0.1", 70000], 0, RangeError, /port of 'sockaddr'.*70000/],
      [["::1", 22, -1, 0], 0, RangeError, /flowinfo/],
      [["127.0.0.1", 22], 0x40, GaiError, /EAI_BADFLAGS/],
      [["127.0.0.1", 22], 1.5, TypeError, /'flags'/],
    ];
    for (const [sockaddr, flags, error, message] of rows) {
      let caught: unknown;
      try {
        yield* loop.getnameinfo(sockaddr as [string, number], flags as number);
      } catch (e) {
        caught = e;
      }
      assert.ok(
        caught instanceof error,
        `${JSON.stringify(sockaddr)}: ${caught}`,
      );
      assert.match((caught as Error).message, message);
    }
  }());
});

Deno.test("loop.getaddrinfo() checks its arguments and refuses unknown options", async () => {
  await run(function* () {
    const loop = getRunningLoop();
    const rows: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [() => loop.getaddrinfo("127.0.0.1", 70000), RangeError, /'port'.*70000/],
      [() => loop.getaddrinfo("127.0.0.1", 1.5), RangeError, /'port'/],
      [() => loop.getaddrinfo("127.0.0.1", {} as never), TypeError, /'port'/],
      [() => loop.getaddrinfo(5 as never, 80), TypeError, /'host'/],
      [
        () => loop.getaddrinfo("127.0.0.1", 80, { family: "inet" as never }),
        TypeError,
        /'family'.*"inet"/,
      ],
      [
        () => loop.getaddrinfo("127.0.0.1", 80, { ai_flags: 1 } as never),
        TypeError,
        /'ai_flags' is not one of its options.*family, type, proto, flags/,
      ],
      [() => loop.getaddrinfo("fe80::1%eth0", 80), GaiError, /interface index/],
    ];
    for (const [call, error, message] of rows) {
      let caught: unknown;
      try {
        yield* call() as Coroutine<unknown>;
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof error, `${call}: ${caught}`);
      assert.match((caught as Error).message, message);
    }
  }());
});

Deno.test("loop.getaddrinfo()/getnameinfo() on a closed loop throw at once", () => {
  const loop = newEventLoop();
  loop.close();
  assert.throws(
    () => loop.getaddrinfo("127.0.0.1", 80),
    /Event loop is closed/,
  );
  assert.throws(
    () => loop.getnameinfo(["127.0.0.1", 80]),
    /Event loop is closed/,
  );
});

Deno.test("loop.getaddrinfo() of a name without --allow-net is Deno's NotCapable, not a hang", async () => {
  const code = `
    import { getRunningLoop, run } from ${
    JSON.stringify(new URL("../../eventloop/mod.ts", import.meta.url).href)
  };
    try {
      await run(function* () {
        return yield* getRunningLoop().getaddrinfo("localhost", 80);
      }());
      console.log("resolved");
    } catch (error) {
      console.log(error.name);
    }
  `;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--allow-read", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  assert.equal(
    dec.decode(out.stdout).trim(),
    "NotCapable",
    dec.decode(out.stderr),
  );
});

peerTest(
  "AF_*/SOCK_*/IPPROTO_*/AI_*/NI_* have Linux's values, as Python prints them",
  ["python3"],
  async () => {
    await using peer = new PeerProcess("python3", [
      "-c",
      "import socket as s; print([int(x) for x in (s.AF_INET, s.AF_INET6, s.SOCK_STREAM, s.SOCK_DGRAM, s.SOCK_RAW, s.IPPROTO_TCP, s.IPPROTO_UDP, s.AI_PASSIVE, s.AI_CANONNAME, s.AI_NUMERICHOST, s.AI_V4MAPPED, s.AI_ALL, s.AI_ADDRCONFIG, s.AI_NUMERICSERV, s.NI_NUMERICHOST, s.NI_NUMERICSERV, s.NI_NAMEREQD, s.NI_DGRAM)])",
    ]);
    const out = await peer.finish();
    assert.deepEqual(JSON.parse(out.stdout), [
      AF_INET,
      AF_INET6,
      SOCK_STREAM,
      SOCK_DGRAM,
      SOCK_RAW,
      IPPROTO_TCP,
      IPPROTO_UDP,
      AI_PASSIVE,
      AI_CANONNAME,
      AI_NUMERICHOST,
      AI_V4MAPPED,
      AI_ALL,
      AI_ADDRCONFIG,
      AI_NUMERICSERV,
      NI_NUMERICHOST,
      NI_NUMERICSERV,
      NI_NAMEREQD,
      NI_DGRAM,
    ]);
  },
);

Deno.test("a task cancelled while getaddrinfo() waits for the resolver gets CancelledError, not a resolver error", async () => {
  await run(function* () {
    const task = createTask(getRunningLoop().getaddrinfo("localhost", 80));
    yield* sleep(0); // The task starts and waits for the system resolver.
    task.cancel();
    let caught: unknown;
    try {
      yield* task;
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof CancelledError, `got ${caught}`);
  }());
});

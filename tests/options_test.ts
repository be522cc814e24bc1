// No option is accepted and ignored, across the whole module: every
// parameter of mod.ts that is an options bag (found in `deno doc --json
// mod.ts`, so a new entry point cannot slip past) refuses a name it does not
// read with a TypeError that names the entry point and the option, and
// suggests the camelCase form of a Python spelling; every name its interface
// declares is accepted. Then, per option, the bad values that used to be
// taken silently (a truthy string for a flag, a loop that is not one).
//
// tests/eventloop/network_options_test.ts walks each network option's
// effect; here the network entry points are only asked about unknown names,
// which they refuse before opening anything.

import assert from "node:assert/strict";
import {
  CancelledError,
  createSubprocessExec,
  createSubprocessShell,
  createTask,
  DatagramProtocol,
  dumpTasks,
  eagerTaskFactory,
  ensureFuture,
  EventLoop,
  FlowControlProtocol,
  formatCallGraph,
  fromPromise,
  Future,
  gather,
  getLogger,
  getRunningLoop,
  type LogRecord,
  newEventLoop,
  openConnection,
  openReadPipe,
  openUnixConnection,
  printCallGraph,
  PriorityQueue,
  Protocol,
  Queue,
  run,
  Runner,
  startServer,
  startUnixServer,
  StreamReader,
  StreamReaderProtocol,
  StreamWriter,
  SubprocessProtocol,
  Task,
  taskGroup,
  VirtualClock,
  wait,
  WorkerPoolExecutor,
} from "../mod.ts";
import { asCompleted, captureCallGraph, type Coroutine } from "../mod.ts";

type Options = Record<string, unknown>;

/** How one entry point is called with a given options bag. */
interface Case {
  /** What the error message calls the entry point. */
  what: string;
  /** Call it inside a running loop (a coroutine result is driven there). */
  inLoop?: boolean;
  /** The call; it cleans up whatever it opened. */
  call(options: Options): unknown;
  /**
   * Why the names its interface declares are not all passed here (their
   * effects are walked one by one elsewhere); unset: they are, and none is
   * refused.
   */
  namesElsewhere?: string;
  /** The name of the bag in messages, for a nested one (`tlsOptions.`). */
  prefix?: string;
}

const noop = () => {};
const SQUARE = {
  moduleUrl: "data:text/javascript,export const square = (n) => n * n;",
  exportName: "square",
};
const NETWORK = "tests/eventloop/network_options_test.ts walks every name";
const SUBPROCESS =
  "tests/subprocess/create_subprocess_test.ts and subprocess_transport_test.ts check every name";

function* nothing(): Coroutine<void> {}

function isGenerator(value: unknown): value is Coroutine<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function";
}

/** Captures the logger's records while `body` runs (none reach the console). */
function quietLogger<T>(body: () => T): T {
  const handler = (_record: LogRecord) => {};
  getLogger().addHandler(handler);
  try {
    return body();
  } finally {
    getLogger().removeHandler(handler);
  }
}

/** A TCP connection to a listener that closes at once: for startTls. */
function* withConnection<T>(
  body: (
    loop: EventLoop,
    transport: Parameters<EventLoop["startTls"]>[0],
    protocol: Protocol,
    writer: StreamWriter,
  ) => Coroutine<T>,
): Coroutine<T> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const closing = (async () => {
    for (let i = 0; i < 2; i++) (await listener.accept()).close();
  })();
  const loop = getRunningLoop();
  const [transport, protocol] = yield* loop.createConnection(
    () => new Protocol(),
    "127.0.0.1",
    port,
  );
  const [, writer] = yield* openConnection("127.0.0.1", port);
  try {
    return yield* body(loop, transport, protocol, writer);
  } finally {
    transport.close();
    writer.close();
    yield* fromPromise(closing);
    listener.close();
  }
}

/** One row per options bag of mod.ts, keyed as `optionBags()` names them. */
const CASES: Record<string, Case> = {
  "new EventLoop(options)": {
    what: "create EventLoop",
    call: (o) => new EventLoop(o).close(),
  },
  "newEventLoop(options)": {
    what: "create EventLoop",
    call: (o) => newEventLoop(o).close(),
  },
  "run(options)": { what: "call run()", call: (o) => run(nothing(), o) },
  "new Runner(options)": {
    what: "create Runner",
    call: (o) => new Runner(o).close(),
  },
  "new Future(options)": {
    what: "create Future",
    inLoop: true,
    call: (o) => void new Future(o),
  },
  "new Task(options)": {
    what: "create Task",
    inLoop: true,
    call: (o) => new Task(nothing(), o),
  },
  "EventLoop.createTask(options)": {
    what: "call createTask()",
    inLoop: true,
    call: (o) => getRunningLoop().createTask(nothing(), o),
  },
  "createTask(options)": {
    what: "call createTask()",
    inLoop: true,
    call: (o) => createTask(nothing(), o),
  },
  "TaskGroup.createTask(options)": {
    what: "call TaskGroup.createTask()",
    inLoop: true,
    *call(o) {
      const error = yield* taskGroup(function* (tg) {
        try {
          tg.createTask(nothing(), o);
        } catch (error) {
          return error;
        }
      });
      if (error !== undefined) throw error;
    },
  },
  "eagerTaskFactory(options)": {
    what: "call eagerTaskFactory()",
    inLoop: true,
    call: (o) => eagerTaskFactory(getRunningLoop(), nothing(), o),
  },
  "ensureFuture(options)": {
    what: "call ensureFuture()",
    inLoop: true,
    call: (o) => ensureFuture(nothing(), o),
  },
  "fromPromise(options)": {
    what: "call fromPromise()",
    inLoop: true,
    call: (o) => fromPromise(Promise.resolve(1), o),
  },
  "gather(options)": {
    what: "call gather()",
    inLoop: true,
    call: (o) => gather([], o),
  },
  "wait(options)": {
    what: "call wait()",
    inLoop: true,
    call(o) {
      const done = getRunningLoop().createFuture();
      done.setResult(1);
      return wait([done], o);
    },
  },
  "asCompleted(options)": {
    what: "call asCompleted()",
    inLoop: true,
    call: (o) => asCompleted([], o),
  },
  "captureCallGraph(options)": {
    what: "call captureCallGraph()",
    inLoop: true,
    call: (o) => captureCallGraph(undefined, o),
  },
  "formatCallGraph(options)": {
    what: "call formatCallGraph()",
    inLoop: true,
    call: (o) => formatCallGraph(undefined, o),
  },
  "printCallGraph(options)": {
    what: "call printCallGraph()",
    inLoop: true,
    call: (o) => printCallGraph(undefined, { ...o, write: noop }),
  },
  "dumpTasks(options)": {
    what: "call dumpTasks()",
    inLoop: true,
    call: (o) => dumpTasks({ ...o, write: noop }),
  },
  "Task.getStack(options)": {
    what: "call getStack()",
    inLoop: true,
    call: (o) => createTask(nothing()).getStack(o),
  },
  "Task.printStack(options)": {
    what: "call printStack()",
    inLoop: true,
    call: (o) => createTask(nothing()).printStack({ ...o, write: noop }),
  },
  "new WorkerPoolExecutor(options)": {
    what: "create WorkerPoolExecutor",
    call: (o) => new WorkerPoolExecutor(o).shutdown(),
  },
  "WorkerPoolExecutor.submit(options)": {
    what: "call submit()",
    async call(o) {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      try {
        await pool.submit(SQUARE, [2], o);
      } finally {
        await pool.shutdown();
      }
    },
  },
  "Executor.submit(options)": {
    what: "call submit()",
    async call(o) {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      try {
        await pool.submit(SQUARE, [2], o);
      } finally {
        await pool.shutdown();
      }
    },
  },
  "WorkerPoolExecutor.shutdown(options)": {
    what: "call shutdown()",
    call: (o) => new WorkerPoolExecutor().shutdown(o),
  },
  "Executor.shutdown(options)": {
    what: "call shutdown()",
    call: (o) => new WorkerPoolExecutor().shutdown(o),
  },
  "Logger.log(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().log("info", "x", o)),
  },
  "Logger.debug(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().debug("x", o)),
  },
  "Logger.info(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().info("x", o)),
  },
  "Logger.warning(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().warning("x", o)),
  },
  "Logger.error(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().error("x", o)),
  },
  "Logger.critical(options)": {
    what: "log a message",
    call: (o) => quietLogger(() => getLogger().critical("x", o)),
  },
  "new PriorityQueue(options)": {
    what: "create PriorityQueue",
    call: (o) => new PriorityQueue(0, o),
  },
  "new StreamReader(options)": {
    what: "create StreamReader",
    call: (o) => new StreamReader(o),
  },
  "StreamReader.fromReadable(options)": {
    what: "create StreamReader from a stream",
    inLoop: true,
    *call(o) {
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => controller.close(),
      });
      const reader = StreamReader.fromReadable(stream, o);
      yield* reader.read();
    },
  },
  "new StreamReaderProtocol(options)": {
    what: "create StreamReaderProtocol",
    call: (o) => new StreamReaderProtocol(null, o),
  },
  "new FlowControlProtocol(options)": {
    what: "create FlowControlProtocol",
    call: (o) => new FlowControlProtocol(o),
  },
  "new StreamWriter(options)": {
    what: "create StreamWriter",
    inLoop: true,
    call(o) {
      const transport = {
        write: noop,
        isClosing: () => false,
      } as unknown as ConstructorParameters<typeof StreamWriter>[0];
      return new StreamWriter(transport, new FlowControlProtocol(), o);
    },
  },
  "EventLoop.createConnection(options)": {
    what: "create connection",
    inLoop: true,
    call: (o) =>
      getRunningLoop().createConnection(
        () => new Protocol(),
        "127.0.0.1",
        1,
        o,
      ),
    namesElsewhere: NETWORK,
  },
  "EventLoop.createUnixConnection(options)": {
    what: "create Unix connection",
    inLoop: true,
    call: (o) =>
      getRunningLoop().createUnixConnection(() => new Protocol(), "/no", o),
    namesElsewhere: NETWORK,
  },
  "EventLoop.createServer(options)": {
    what: "create server",
    inLoop: true,
    call: (o) =>
      getRunningLoop().createServer(() => new Protocol(), "127.0.0.1", 0, o),
    namesElsewhere: NETWORK,
  },
  "EventLoop.createUnixServer(options)": {
    what: "create Unix server",
    inLoop: true,
    call: (o) =>
      getRunningLoop().createUnixServer(() => new Protocol(), "/no", o),
    namesElsewhere: NETWORK,
  },
  "EventLoop.createDatagramEndpoint(options)": {
    what: "create datagram endpoint",
    inLoop: true,
    call: (o) =>
      getRunningLoop().createDatagramEndpoint(() => new DatagramProtocol(), o),
    namesElsewhere: NETWORK,
  },
  "EventLoop.getaddrinfo(options)": {
    what: "call getaddrinfo()",
    inLoop: true,
    call: (o) => getRunningLoop().getaddrinfo("127.0.0.1", 80, o),
    namesElsewhere: "tests/eventloop/dns_test.ts checks every name",
  },
  "EventLoop.startTls(options)": {
    what: "start TLS",
    inLoop: true,
    call: (o) =>
      withConnection((loop, transport, protocol) =>
        loop.startTls(transport, protocol, true, o)
      ),
    namesElsewhere: NETWORK,
  },
  "EventLoop.startTls(tlsOptions)": {
    what: "start TLS",
    inLoop: true,
    prefix: "tlsOptions.",
    call: (o) =>
      withConnection((loop, transport, protocol) =>
        loop.startTls(transport, protocol, o)
      ),
    namesElsewhere: "tests/eventloop/tls_client_cert_test.ts and the TLS tests",
  },
  "StreamWriter.startTls(options)": {
    what: "start TLS",
    inLoop: true,
    call: (o) =>
      withConnection((_loop, _transport, _protocol, writer) =>
        writer.startTls(true, o)
      ),
    namesElsewhere: NETWORK,
  },
  "StreamWriter.startTls(tlsOptions)": {
    what: "start TLS",
    inLoop: true,
    prefix: "tlsOptions.",
    call: (o) =>
      withConnection((_loop, _transport, _protocol, writer) =>
        writer.startTls(o)
      ),
    namesElsewhere: "the TLS tests of tests/streams",
  },
  "EventLoop.sendfile(options)": {
    what: "send file",
    inLoop: true,
    call: (o) =>
      getRunningLoop().sendfile(
        { isClosing: () => false } as unknown as Parameters<
          EventLoop["sendfile"]
        >[0],
        { read: noop, seekSync: noop } as unknown as Deno.FsFile,
        undefined,
        undefined,
        o,
      ),
    namesElsewhere: "tests/eventloop/sendfile_test.ts checks every name",
  },
  "EventLoop.subprocessExec(options)": {
    what: "start a subprocess",
    inLoop: true,
    call: (o) =>
      getRunningLoop().subprocessExec(() => new SubprocessProtocol(), "true", [
        "x",
      ], o),
    namesElsewhere: SUBPROCESS,
  },
  "EventLoop.subprocessShell(options)": {
    what: "start a subprocess",
    inLoop: true,
    call: (o) =>
      getRunningLoop().subprocessShell(
        () => new SubprocessProtocol(),
        "true",
        o,
      ),
    namesElsewhere: SUBPROCESS,
  },
  "createSubprocessExec(options)": {
    what: "start a subprocess",
    inLoop: true,
    call: (o) => createSubprocessExec("true", [], o),
    namesElsewhere: SUBPROCESS,
  },
  "createSubprocessShell(options)": {
    what: "start a subprocess",
    inLoop: true,
    call: (o) => createSubprocessShell("true", o),
    namesElsewhere: SUBPROCESS,
  },
  "openConnection(options)": {
    what: "open connection",
    inLoop: true,
    call: (o) => openConnection("127.0.0.1", 1, o),
    namesElsewhere: NETWORK,
  },
  "openUnixConnection(options)": {
    what: "open Unix connection",
    inLoop: true,
    call: (o) => openUnixConnection("/no", o),
    namesElsewhere: NETWORK,
  },
  "startServer(options)": {
    what: "start server",
    inLoop: true,
    call: (o) => startServer(noop, "127.0.0.1", 0, o),
    namesElsewhere: NETWORK,
  },
  "startUnixServer(options)": {
    what: "start Unix server",
    inLoop: true,
    call: (o) => startUnixServer(noop, "/no", o),
    namesElsewhere: NETWORK,
  },
  "openReadPipe(options)": {
    what: "open read pipe",
    inLoop: true,
    call: (o) => openReadPipe(new ReadableStream(), o),
    namesElsewhere: "tests/streams/open_pipe_test.ts checks every name",
  },
};

/** Bags that are not this module's options, and why they are left alone. */
const NOT_OURS: Record<string, string> = {
  "new GaiError(options)":
    "JavaScript's own ErrorOptions ({ cause }), passed to Error's constructor as every Error subclass does",
};

// ---- What deno doc says ----

interface TsType {
  kind?: string;
  repr?: string;
  value?: unknown;
}
interface Param {
  kind: string;
  name?: string;
  tsType?: TsType;
}
interface Declaration {
  kind: string;
  def: {
    params?: Param[];
    constructors?: { params: Param[] }[];
    methods?: {
      name: string;
      params?: Param[];
      functionDef?: { params: Param[] };
    }[];
    properties?: { name: string }[];
    extends?: TsType[];
  };
}
interface DocSymbol {
  name: string;
  declarations: Declaration[];
}

async function docSymbols(): Promise<DocSymbol[]> {
  const mod = new URL("../mod.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", mod.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const doc = JSON.parse(new TextDecoder().decode(stdout));
  return doc.nodes[mod.href].symbols;
}

/**
 * Every options-bag parameter of mod.ts, with the option names its type
 * declares (`null` when the type is not one of the module's). A parameter
 * is a bag when it is named `options` or typed with an `...Options`
 * interface or a type literal (alone, or in a union or intersection).
 */
function optionBags(symbols: DocSymbol[]): Map<string, string[] | null> {
  const interfaces = new Map<string, Declaration["def"]>();
  for (const symbol of symbols) {
    for (const declaration of symbol.declarations) {
      if (declaration.kind === "interface") {
        interfaces.set(symbol.name, declaration.def);
      }
    }
  }
  const typeName = (type: TsType) =>
    (type.value as { typeName?: string } | undefined)?.typeName ??
      type.repr ?? "";
  const isBag = (type: TsType | undefined): boolean => {
    if (type === undefined) return false;
    if (type.kind === "typeRef") return typeName(type).endsWith("Options");
    if (type.kind === "typeLiteral") return true;
    if (type.kind === "union" || type.kind === "intersection") {
      return (type.value as TsType[]).some(isBag);
    }
    return false;
  };
  const namesOf = (type: TsType): string[] | null => {
    if (type.kind === "typeLiteral") {
      return (type.value as { properties: { name: string }[] }).properties
        .map((p) => p.name);
    }
    if (type.kind === "typeRef") {
      const def = interfaces.get(typeName(type));
      if (def === undefined) return null;
      const names = (def.properties ?? []).map((p) => p.name);
      for (const parent of def.extends ?? []) {
        const more = namesOf({ kind: "typeRef", repr: parent.repr });
        if (more === null) return null;
        names.push(...more);
      }
      return names;
    }
    if (type.kind === "union" || type.kind === "intersection") {
      const names = new Set<string>();
      for (const part of type.value as TsType[]) {
        if (!isBag(part)) continue;
        const more = namesOf(part);
        if (more === null) return null;
        for (const name of more) names.add(name);
      }
      return [...names];
    }
    return null;
  };
  const bags = new Map<string, string[] | null>();
  const add = (where: string, params: Param[] = []) => {
    for (const param of params) {
      if (param.kind !== "identifier") continue;
      if (param.name !== "options" && !isBag(param.tsType)) continue;
      const key = `${where}(${param.name})`;
      bags.set(key, param.tsType ? namesOf(param.tsType) : null);
    }
  };
  for (const symbol of symbols) {
    for (const { kind, def } of symbol.declarations) {
      if (kind === "function") add(symbol.name, def.params);
      if (kind === "class") {
        for (const ctor of def.constructors ?? []) {
          add(`new ${symbol.name}`, ctor.params);
        }
      }
      if (kind === "class" || kind === "interface") {
        for (const method of def.methods ?? []) {
          if (method.name.startsWith("_")) continue;
          add(
            `${symbol.name}.${method.name}`,
            method.functionDef?.params ?? method.params,
          );
        }
      }
    }
  }
  return bags;
}

// ---- Calling a case ----

/** Calls the case; returns what it threw (or rejected with), or undefined. */
async function attempt(c: Case, options: Options): Promise<unknown> {
  if (!c.inLoop) {
    try {
      await c.call(options);
    } catch (error) {
      return error;
    }
    return undefined;
  }
  return await run(
    function* () {
      try {
        const result = c.call(options);
        if (isGenerator(result)) yield* result;
        else if (result instanceof Promise) yield* fromPromise(result);
        else if (result instanceof Future && result.done()) yield* result;
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        return error;
      }
      return undefined;
    }(),
    { virtualTime: true },
  );
}

/** `snake_case` of a camelCase name (a Python user's spelling). */
const snake = (name: string) =>
  name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const symbols = await docSymbols();
const bags = optionBags(symbols);

Deno.test("every options bag of mod.ts has a case here, and every case a bag", () => {
  const found = [...bags.keys()].filter((key) => !(key in NOT_OURS)).sort();
  assert.deepEqual(
    found.filter((key) => !(key in CASES)),
    [],
    "an entry point takes an options bag that this test does not call",
  );
  assert.deepEqual(
    Object.keys(CASES).filter((key) => !bags.has(key)),
    [],
    "a case names an options bag deno doc does not show",
  );
  for (const key of Object.keys(CASES)) {
    assert.ok(Array.isArray(bags.get(key)), `${key}: names not resolved`);
  }
});

Deno.test("every options bag refuses a name it does not read", async (t) => {
  for (const [key, c] of Object.entries(CASES)) {
    await t.step(key, async () => {
      const prefix = c.prefix ?? "";
      const error = await attempt(c, { bogusOption: 1 });
      assert.ok(error instanceof TypeError, `${key}: got ${error}`);
      assert.ok(
        error.message.startsWith(`Cannot ${c.what} as `),
        `${key}: ${error.message}`,
      );
      assert.match(
        error.message,
        new RegExp(`'${prefix}bogusOption' is not one of its options: `),
      );
      const names = bags.get(key)!;
      for (const name of names) assert.ok(error.message.includes(name));
      // A Python spelling gets the camelCase name suggested.
      const camel = names.find((name) => /[A-Z]/.test(name));
      if (camel !== undefined) {
        const python = await attempt(c, { [snake(camel)]: 1 });
        assert.ok(python instanceof TypeError, `${key}: got ${python}`);
        assert.ok(
          python.message.includes(
            `'${prefix}${
              snake(camel)
            }' is not one of its options (did you mean '${prefix}${camel}'?)`,
          ),
          python.message,
        );
      }
    });
  }
});

Deno.test("every options bag accepts each name its interface declares", async (t) => {
  for (const [key, c] of Object.entries(CASES)) {
    if (c.namesElsewhere !== undefined) continue;
    await t.step(key, async () => {
      const names = bags.get(key)!;
      const options = Object.fromEntries(
        names.map((name) => [name, undefined]),
      );
      const error = await attempt(c, options);
      if (error !== undefined) {
        assert.doesNotMatch(String(error), /is not one of its options/);
        assert.fail(`${key}: ${error}`);
      }
    });
  }
});

// ---- Values that were taken silently ----

/** Expects `call` to throw `type` with a message that names `name`. */
function refuses(
  call: () => unknown,
  type: new (...args: never[]) => Error,
  name: string,
): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof type, `${error}`);
    assert.match(error.message, new RegExp(`'${name}'`));
    return true;
  });
}

Deno.test("a flag given a truthy non-boolean is refused, not taken as true", async (t) => {
  await t.step("new EventLoop({ virtualTime: 'yes' })", () => {
    refuses(
      () => new EventLoop({ virtualTime: "yes" as unknown as boolean }),
      TypeError,
      "virtualTime",
    );
  });
  await t.step("newEventLoop({ debug: 1 })", () => {
    refuses(
      () => newEventLoop({ debug: 1 as unknown as boolean }),
      TypeError,
      "debug",
    );
  });
  await t.step("loop.setDebug('yes')", () => {
    const loop = newEventLoop();
    try {
      refuses(
        () => loop.setDebug("yes" as unknown as boolean),
        TypeError,
        "enabled",
      );
      assert.equal(loop.getDebug(), false);
    } finally {
      loop.close();
    }
  });
  await t.step("gather(aws, { returnExceptions: 'yes' })", async () => {
    await run(function* () {
      refuses(
        () => gather([], { returnExceptions: "yes" as unknown as boolean }),
        TypeError,
        "returnExceptions",
      );
    }());
  });
  await t.step(
    "executor.shutdown({ wait: 'no' }) shuts nothing down",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      await assert.rejects(
        () => pool.shutdown({ wait: "no" as unknown as boolean }),
        (error: Error) =>
          error instanceof TypeError && /'wait'/.test(error.message),
      );
      await assert.rejects(
        () => pool.shutdown({ cancelFutures: 1 as unknown as boolean }),
        (error: Error) =>
          error instanceof TypeError && /'cancelFutures'/.test(error.message),
      );
      // Still taking jobs: the refused calls changed nothing.
      assert.equal(await pool.submit(SQUARE, [3]), 9);
      await pool.shutdown();
    },
  );
  await t.step("queue.shutdown('yes') leaves the queue open", () => {
    const queue = new Queue<number>();
    queue.putNowait(1);
    refuses(
      () => queue.shutdown("yes" as unknown as boolean),
      TypeError,
      "immediate",
    );
    queue.putNowait(2);
    assert.equal(queue.qsize(), 2);
  });
});

Deno.test("run() and Runner honour or refuse each option with a loop factory", async (t) => {
  await t.step("debug reaches the factory's loop, as in asyncio", async () => {
    const debug = await run(
      function* () {
        return getRunningLoop().getDebug();
      }(),
      { loopFactory: () => new EventLoop(), debug: true },
    );
    assert.equal(debug, true);
  });
  await t.step("a clock cannot be given with a factory", () => {
    for (
      const options of [{ virtualTime: true }, { clock: new VirtualClock() }]
    ) {
      const name = Object.keys(options)[0];
      refuses(
        () => new Runner({ loopFactory: () => new EventLoop(), ...options }),
        TypeError,
        name,
      );
      const main = nothing();
      refuses(
        () => run(main, { loopFactory: () => new EventLoop(), ...options }),
        TypeError,
        name,
      );
    }
  });
  await t.step("virtualTime: true with a clock is refused", () => {
    refuses(
      () => new EventLoop({ virtualTime: true, clock: new VirtualClock() }),
      TypeError,
      "virtualTime: true",
    );
  });
  await t.step("loopFactory must be a function, checked at once", () => {
    refuses(
      () => new Runner({ loopFactory: 5 as unknown as () => EventLoop }),
      TypeError,
      "loopFactory",
    );
  });
});

Deno.test("a loop (or reader) option that is not one is refused", async (t) => {
  const notLoop = { loop: 5 } as unknown as { loop: EventLoop };
  await t.step("new StreamReader({ loop: 5 })", () => {
    refuses(() => new StreamReader(notLoop), TypeError, "loop");
  });
  await t.step("new StreamReaderProtocol(reader, { loop: 5 })", () => {
    refuses(
      () => new StreamReaderProtocol(new StreamReader(), notLoop),
      TypeError,
      "loop",
    );
  });
  await t.step(
    "new StreamReaderProtocol({ limit: 5 }) (options as reader)",
    () => {
      refuses(
        () => new StreamReaderProtocol({ limit: 5 } as unknown as StreamReader),
        TypeError,
        "reader",
      );
    },
  );
  await t.step("new FlowControlProtocol({ loop: 5 })", () => {
    refuses(() => new FlowControlProtocol(notLoop), TypeError, "loop");
  });
  await t.step("new StreamWriter(..., { loop: 5 } / { reader: 5 })", () => {
    const transport = { write: noop } as unknown as ConstructorParameters<
      typeof StreamWriter
    >[0];
    const loop = newEventLoop();
    try {
      refuses(
        () => new StreamWriter(transport, new FlowControlProtocol(), notLoop),
        TypeError,
        "loop",
      );
      refuses(
        () =>
          new StreamWriter(transport, new FlowControlProtocol(), {
            loop,
            reader: 5 as unknown as StreamReader,
          }),
        TypeError,
        "reader",
      );
    } finally {
      loop.close();
    }
  });
  await t.step("dumpTasks({ loop: 5 })", () => {
    refuses(() => dumpTasks({ ...notLoop, write: noop }), TypeError, "loop");
  });
  await t.step(
    "executor.submit(fn, args, { signal: 5 }) starts nothing",
    async () => {
      const pool = new WorkerPoolExecutor({ maxWorkers: 1 });
      try {
        refuses(
          () =>
            pool.submit(SQUARE, [2], { signal: 5 as unknown as AbortSignal }),
          TypeError,
          "signal",
        );
        assert.equal(pool.workerCount, 0);
      } finally {
        await pool.shutdown();
      }
    },
  );
});

Deno.test("the logger refuses a level it does not know instead of dropping the record", () => {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => records.push(record);
  const logger = getLogger();
  logger.addHandler(handler);
  try {
    refuses(
      () => logger.log("verbose" as "info", "dropped before"),
      TypeError,
      "level",
    );
    refuses(
      () =>
        logger.info("x", { extra: 5 as unknown as Record<string, unknown> }),
      TypeError,
      "extra",
    );
    assert.equal(records.length, 0);
  } finally {
    logger.removeHandler(handler);
  }
});

Deno.test("TLS settings refuse a name they do not read, before connecting", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const error = await run(function* () {
      try {
        yield* openConnection("127.0.0.1", port, {
          ssl: { ca_certs: ["pem"] } as unknown as { caCerts: string[] },
        });
      } catch (error) {
        return error;
      }
    }());
    assert.ok(error instanceof TypeError, `${error}`);
    assert.match(
      error.message,
      /^Cannot create connection as 'ssl\.ca_certs' is not one of its options \(did you mean 'ssl\.caCerts'\?\)/,
    );
  } finally {
    listener.close();
  }
});

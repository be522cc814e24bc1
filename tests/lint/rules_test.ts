import assert from "node:assert/strict";
import plugin from "../../lint/mod.ts";

/** A file of a user's project, outside this package. */
const FILE = "/project/main.ts";

const HEADER = `import {
  createSubprocessExec, createTask, Event, getRunningLoop, Lock,
  openConnection, Queue, run, sleep, startServer, StreamReader, taskGroup,
  timeout,
} from "@asyncio/asyncio";
import * as asyncio from "@asyncio/asyncio";
`;

interface Found {
  id: string;
  /** The source text the report points at. */
  text: string;
  message: string;
  hint?: string;
}

function lint(source: string, file = FILE): Found[] {
  return Deno.lint.runPlugin(plugin, file, source).map((d) => ({
    id: d.id,
    text: source.slice(d.range[0], d.range[1]),
    message: d.message,
    hint: d.hint,
  }));
}

/** The source with every fix the plugin offers applied. */
function fixed(source: string): string {
  const fixes = Deno.lint.runPlugin(plugin, FILE, source)
    .flatMap((d) => d.fix ?? [])
    .sort((a, b) => b.range[0] - a.range[0]);
  let text = source;
  for (const fix of fixes) {
    text = text.slice(0, fix.range[0]) + (fix.text ?? "") +
      text.slice(fix.range[1]);
  }
  return text;
}

/** Asserts that `body` (after HEADER) gets exactly `texts` reported by `rule`. */
function assertReports(rule: string, body: string, texts: string[]): void {
  const found = lint(HEADER + body).filter((f) => f.id === `asyncio/${rule}`);
  assert.deepEqual(
    found.map((f) => f.text),
    texts,
    `${rule} on:\n${body}\nreported:\n${
      found.map((f) => `${f.text}: ${f.message}`).join("\n")
    }`,
  );
}

function assertClean(body: string): void {
  const found = lint(HEADER + body);
  assert.deepEqual(
    found.map((f) => `${f.id}: ${f.text}`),
    [],
    `expected no report on:\n${body}`,
  );
}

Deno.test("no-floating-coroutine reports a coroutine made and dropped", async (t) => {
  const flagged: [string, string, string[]][] = [
    ["the module's functions", "function* main() { sleep(1); }", ["sleep(1)"]],
    [
      "through a namespace import",
      "function* main() { asyncio.sleep(1); asyncio.timeout(1, main()); }",
      ["asyncio.sleep(1)", "asyncio.timeout(1, main())"],
    ],
    [
      "a method of an instance made in the file",
      "const lock = new Lock();\nfunction* main() { lock.acquire(); }",
      ["lock.acquire()"],
    ],
    [
      "a method of a parameter typed with the module's class",
      "function* main(queue: Queue<number>, e: Event | null) { queue.put(1); queue.get(); e!.wait(); }",
      ["queue.put(1)", "queue.get()", "e!.wait()"],
    ],
    [
      "the reader and writer of openConnection()",
      'function* main() { const [r, w] = yield* openConnection("h", 1); r.readLine(); w.drain(); }',
      ["r.readLine()", "w.drain()"],
    ],
    [
      "a subprocess and its pipes",
      'function* main() { const p = yield* createSubprocessExec("x", []); p.wait(); p.stdout!.readLine(); p.communicate(); }',
      ["p.wait()", "p.stdout!.readLine()", "p.communicate()"],
    ],
    [
      "the loop's coroutine methods",
      'function* main() { getRunningLoop().createConnection(() => null as never, "h", 1); }',
      ['getRunningLoop().createConnection(() => null as never, "h", 1)'],
    ],
    [
      "callbacks' parameters the module types",
      "function* main() { yield* taskGroup(function* (tg) { tg.run(function* () {}); }); yield* startServer(function* (r, w) { r.read(); w.drain(); }, 'h', 0); }",
      ["tg.run(function* () {})", "r.read()", "w.drain()"],
    ],
    [
      "class fields and this",
      "class C {\n  #lock = new Lock();\n  constructor(private queue: Queue<string>) {}\n  *m() { this.#lock.acquire(); this.queue.put('x'); this.helper(); }\n  *helper() { yield* sleep(0); }\n}",
      ["this.#lock.acquire()", "this.queue.put('x')", "this.helper()"],
    ],
    [
      "generator functions of the file",
      "function* work() { yield* sleep(1); }\nconst other = function* () {};\nfunction* main() { work(); other(); }",
      ["work()", "other()"],
    ],
    [
      "dropped in && and ?: and sequences",
      "function* main(c: boolean) { c && sleep(1); c ? sleep(2) : null; (0, sleep(3)); }",
      ["sleep(1)", "sleep(2)", "sleep(3)"],
    ],
    [
      "outside any generator",
      "sleep(1);\nasync function f() { sleep(2); }",
      ["sleep(1)", "sleep(2)"],
    ],
    [
      "returned from a loop callback",
      "const loop = getRunningLoop();\nloop.callSoon(() => sleep(1));\nloop.callLater(1, () => asyncio.sleep(1));",
      ["sleep(1)", "asyncio.sleep(1)"],
    ],
    [
      "a generator function passed as a loop callback",
      "function* work() { yield* sleep(1); }\nconst loop = getRunningLoop();\nloop.callSoon(work);\nloop.callSoon(function* () {});\nloop.callSoon(asyncio.sleep);",
      ["work", "function* () {}", "asyncio.sleep"],
    ],
  ];
  for (const [name, body, texts] of flagged) {
    await t.step(`flagged: ${name}`, () => {
      assertReports("no-floating-coroutine", body, texts);
    });
  }

  await t.step("the message and hint", () => {
    const [found] = lint(HEADER + "function* main() { sleep(1); }");
    assert.equal(
      found.message,
      "`sleep(...)` makes a coroutine that is dropped here, so it never runs",
    );
    assert.equal(
      found.hint,
      "Wait for it with `yield* sleep(...)` (asyncio's `await`), or run it beside this code with `createTask(sleep(...))`.",
    );
    const [iterator] = lint("function* gen() { yield 1; }\ngen();");
    assert.equal(
      iterator.message,
      "`gen()` makes a generator that is dropped here, so its body never runs",
    );
  });

  const clean: [string, string][] = [
    ["awaited with yield*", "function* main() { yield* sleep(1); }"],
    [
      "handed to the module",
      "function* work() { yield* sleep(1); }\nfunction* main() { createTask(work()); yield* timeout(1, work()); }\nrun(main());",
    ],
    [
      "kept in a variable, returned, passed on",
      "function* main() { const c = sleep(1); return c; }\nfunction f(x: unknown) { return x; }\nf(sleep(1));",
    ],
    ["voided on purpose", "void sleep(1);"],
    [
      "ordinary generators used as iterators",
      "function* gen() { yield 1; yield 2; }\nfor (const x of gen()) console.log(x);\nconst all = [...gen()];\nconst arr = Array.from(gen());\nconst [first, second] = gen();\nconst it = gen();\nit.next();\ngen().next();\nconsole.log(all, arr, first, second);",
    ],
    [
      "a shadowing local name",
      "function main(sleep: (n: number) => void) { sleep(1); }\nfunction other() { const sleep = (n: number) => n; sleep(1); }",
    ],
    [
      "a function of the same name from another module",
      'import { sleep as delay } from "./time.ts";\nimport { Lock as Mutex } from "npm:some-mutex";\ndelay(1);\nnew Mutex().acquire();',
    ],
    [
      "methods of the same name on other objects",
      "const m = new Map<string, number>();\nm.get('a');\nconst reader = new ReadableStream().getReader();\nreader.read();\nconst controller = new AbortController();\ncontroller.abort();\nfunction f(queue: { get(): void }) { queue.get(); }",
    ],
    [
      "an untyped value the file cannot see",
      "function* main(lock: any, q) { lock.acquire(); q.get(); }",
    ],
    [
      "the loop variable of for...of (what it holds is not known)",
      "const locks = [new Lock()];\nfunction* main() { for (const lock of locks) lock.acquire(); }",
    ],
    ["an async generator", "async function* agen() {}\nagen();"],
  ];
  for (const [name, body] of clean) {
    await t.step(`not flagged: ${name}`, () => assertClean(body));
  }
});

Deno.test("no-floating-coroutine fixes a dropped coroutine with yield* in a generator", async (t) => {
  await t.step("fixed", () => {
    assert.equal(
      fixed(
        HEADER +
          "function* work() { yield* sleep(1); }\nfunction* main(lock: Lock) {\n  sleep(1);\n  lock.acquire();\n  work();\n}",
      ),
      HEADER +
        "function* work() { yield* sleep(1); }\nfunction* main(lock: Lock) {\n  yield* sleep(1);\n  yield* lock.acquire();\n  yield* work();\n}",
    );
  });
  const unfixed: [string, string][] = [
    ["outside a generator", "async function f() { sleep(1); }"],
    ["in an async generator", "async function* f() { sleep(1); }"],
    ["an optional call", "function* f(l?: Lock) { l?.acquire(); }"],
    [
      "part of a larger expression",
      "function* f(c: boolean) { c && sleep(1); }",
    ],
    [
      "a generator that is not a coroutine",
      "function* g() { yield 1; }\nfunction* f() { g(); }",
    ],
    ["in a loop callback", "getRunningLoop().callSoon(() => sleep(1));"],
  ];
  for (const [name, body] of unfixed) {
    await t.step(`reported, not fixed: ${name}`, () => {
      assert.ok(lint(HEADER + body).length > 0, "not reported");
      assert.equal(fixed(HEADER + body), HEADER + body);
    });
  }
});

Deno.test("no-await-coroutine reports await on a coroutine", async (t) => {
  await t.step("flagged", () => {
    assertReports(
      "no-await-coroutine",
      "function* work() { yield* sleep(1); }\nasync function f(lock: Lock) {\n  await sleep(1);\n  await lock.acquire();\n  await work();\n  await asyncio.sleep(1);\n}\nawait sleep(2);",
      [
        "await sleep(1)",
        "await lock.acquire()",
        "await work()",
        "await asyncio.sleep(1)",
        "await sleep(2)",
      ],
    );
  });
  await t.step("flagged: coroutines in Promise.all() and its kin", () => {
    assertReports(
      "no-await-coroutine",
      "async function f() {\n  await Promise.all([sleep(1), fetch('x')]);\n  await Promise.race([sleep(2)]);\n}",
      ["sleep(1)", "sleep(2)"],
    );
  });
  await t.step("the message and hint", () => {
    const [found] = lint(HEADER + "await sleep(1);");
    assert.equal(
      found.message,
      "`await` does not run the coroutine that `sleep(...)` makes: a generator is not a promise, so this resolves at once",
    );
    assert.match(found.hint!, /yield\* sleep\(\.\.\.\)/);
    assert.match(found.hint!, /await run\(sleep\(\.\.\.\)\)/);
  });
  await t.step("not flagged: promises, futures, tasks and run()", () => {
    assertClean(
      "function* work() { yield* sleep(1); }\nasync function f() {\n  await run(work());\n  await fetch('x');\n  await createTask(work());\n  await getRunningLoop().createFuture();\n  await Promise.all([run(work()), fetch('y')]);\n  const reader = new ReadableStream().getReader();\n  await reader.read();\n  for await (const x of (async function* () { yield 1; })()) console.log(x);\n}",
    );
  });
  await t.step("no fix is offered", () => {
    const body = HEADER + "async function f() { await sleep(1); }";
    assert.equal(fixed(body), body);
  });
});

Deno.test("no-plain-yield-coroutine reports yield without * on a coroutine", async (t) => {
  await t.step("flagged", () => {
    assertReports(
      "no-plain-yield-coroutine",
      "function* work() { yield* sleep(1); }\nfunction* main(q: Queue<number>) {\n  yield sleep(1);\n  yield q.get();\n  yield work();\n  const x = yield asyncio.sleep(1, 5);\n  return x;\n}",
      [
        "yield sleep(1)",
        "yield q.get()",
        "yield work()",
        "yield asyncio.sleep(1, 5)",
      ],
    );
  });
  await t.step("flagged: an iterator yielded inside a coroutine", () => {
    assertReports(
      "no-plain-yield-coroutine",
      "function* numbers() { yield 1; }\nfunction* main() { yield* sleep(1); yield numbers(); }",
      ["yield numbers()"],
    );
  });
  await t.step("the message and hint", () => {
    const [found] = lint(HEADER + "function* main() { yield sleep(1); }");
    assert.equal(
      found.message,
      "`yield sleep(...)` hands the coroutine itself to the task instead of running it",
    );
    assert.equal(
      found.hint,
      "Write `yield* sleep(...)`: `yield*` is asyncio's `await`.",
    );
  });
  await t.step(
    "not flagged: generators of iterators, yield*, bare yield",
    () => {
      assertClean(
        "function* leaf() { yield 1; }\nfunction* tree() { yield leaf(); yield leaf(); }\nfor (const it of tree()) console.log([...it]);\nfunction* main() { yield* sleep(1); yield; }\nrun(main());",
      );
    },
  );
  await t.step("fixed: yield becomes yield*", () => {
    assert.equal(
      fixed(
        HEADER +
          "function* work() { yield* sleep(1); }\nfunction* main() {\n  yield sleep(1);\n  const v = yield work();\n  return v;\n}",
      ),
      HEADER +
        "function* work() { yield* sleep(1); }\nfunction* main() {\n  yield* sleep(1);\n  const v = yield* work();\n  return v;\n}",
    );
  });
  await t.step("reported, not fixed: an iterator, an async generator", () => {
    for (
      const body of [
        "function* numbers() { yield 1; }\nfunction* main() { yield* sleep(1); yield numbers(); }",
        "async function* main() { yield sleep(1); }",
      ]
    ) {
      assert.ok(lint(HEADER + body).length > 0, body);
      assert.equal(fixed(HEADER + body), HEADER + body);
    }
  });
});

Deno.test("no-unbound-callback reports a method passed to the loop without its object", async (t) => {
  await t.step("flagged", () => {
    assertReports(
      "no-unbound-callback",
      "function* main(event: Event) {\n  const loop = getRunningLoop();\n  const task = createTask(main(event));\n  loop.callSoon(task.cancel);\n  loop.callLater(1, event.set);\n  loop.callAt(5, task.cancel, 'late');\n  loop.callSoonThreadsafe(event.set);\n  loop.addSignalHandler('SIGINT', task.cancel);\n  task.addDoneCallback(event.set);\n  loop.setExceptionHandler(handlers.report);\n  yield* startServer(server.handle, '127.0.0.1', 0);\n  yield* asyncio.startServer(server.handle, '127.0.0.1', 0);\n}\nconst handlers = { report() {} };\nconst server = { *handle() {} };",
      [
        "task.cancel",
        "event.set",
        "task.cancel",
        "event.set",
        "task.cancel",
        "event.set",
        "handlers.report",
        "server.handle",
        "server.handle",
      ],
    );
  });
  await t.step("flagged: a method of the file's own class through this", () => {
    assertReports(
      "no-unbound-callback",
      "class Ticker {\n  start() { getRunningLoop().callSoon(this.tick); getRunningLoop().callSoon(this.#tock); }\n  tick() {}\n  #tock() {}\n}",
      ["this.tick", "this.#tock"],
    );
  });
  await t.step("the message and hint", () => {
    const [found] = lint(
      HEADER +
        "function f(task: asyncio.Task<void>) { getRunningLoop().callSoon(task.cancel); }",
    );
    assert.equal(
      found.message,
      "`task.cancel` is passed to `callSoon()` without its object: `this` is lost when it is called",
    );
    assert.equal(found.hint, "Pass an arrow function: `() => task.cancel()`.");
  });
  await t.step("not flagged", () => {
    assertClean(
      "import * as util from './util.ts';\nclass Ticker {\n  onTick = () => {};\n  start() { getRunningLoop().callSoon(this.onTick); }\n}\nconst loop = getRunningLoop();\nconst task = createTask(sleep(1));\nloop.callSoon(() => task.cancel());\nloop.callSoon(task.cancel.bind(task));\nloop.callSoon(console.log, 'x');\nloop.callSoon(util.work);\nloop.callSoon(Deno.exit, 0);\nloop.callLater(1, Ticker.name as never);\nloop.runInExecutor(null, jobs.square, 3);\nconst jobs = { square: { moduleUrl: '', exportName: 'square' } };\nnew Map().set('k', task.cancel);\n[1].forEach(task.cancel);",
    );
  });
  await t.step(
    "fixed with an arrow function that forwards the arguments",
    () => {
      assert.equal(
        fixed(
          HEADER +
            "function f(task: asyncio.Task<void>, args: number[]) {\n  const loop = getRunningLoop();\n  loop.callSoon(task.cancel);\n  loop.callLater(1, task.cancel, 'late');\n  task.addDoneCallback(other.done);\n  loop.callSoon(args.pop, 1);\n}\nconst other = { done() {} };",
        ),
        HEADER +
          "function f(task: asyncio.Task<void>, args: number[]) {\n  const loop = getRunningLoop();\n  loop.callSoon(() => task.cancel());\n  loop.callLater(1, (...args) => task.cancel(...args), 'late');\n  task.addDoneCallback((...args) => other.done(...args));\n  loop.callSoon((...params) => args.pop(...params), 1);\n}\nconst other = { done() {} };",
      );
    },
  );
});

Deno.test("the plugin follows relative imports only into this package", async (t) => {
  const inside = new URL("../../examples/x.ts", import.meta.url).pathname;
  const source =
    'import { sleep } from "../tasks/sleep.ts";\nfunction* main() { sleep(1); }';
  await t.step("a file of the package importing the module's files", () => {
    assert.deepEqual(lint(source, inside).map((f) => f.text), ["sleep(1)"]);
  });
  await t.step("a file elsewhere importing a file of its own", () => {
    assert.deepEqual(lint(source, "/project/src/x.ts"), []);
  });
});

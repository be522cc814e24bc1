// `deno task demo`: a short, readable tour of asyncio for Deno, in a few
// seconds: tasks side by side, a cancellation that runs `finally`, a TCP
// server with many clients, a timeout firing, a child process, a summary.
// Every part is ordinary library code; see examples/ for full programs.

import {
  CancelledError,
  type Coroutine,
  createSubprocessExec,
  createTask,
  gather,
  getRunningLoop,
  openConnection,
  PIPE,
  run,
  Semaphore,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
  timeout,
  TimeoutError,
} from "./mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const started = performance.now();
const summary: [string, string][] = [];

function log(message: string): void {
  const ms = (performance.now() - started).toFixed(0).padStart(5);
  console.log(`[${ms} ms] ${message}`);
}

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

// ---- 1. Tasks, and a cancellation that runs `finally` ----

function* worker(name: string, every: number): Coroutine<never> {
  let beats = 0;
  try {
    while (true) {
      yield* sleep(every); // cancellation arrives here, as an exception
      beats++;
      log(`${name}: beat ${beats}`);
    }
  } finally {
    log(`${name}: finally ran after ${beats} beats (cleanup happens here)`);
  }
}

function* tasksAndCancellation(): Coroutine<void> {
  section("1. Tasks side by side, and a cancellation that runs finally");
  const fast = createTask(worker("fast", 0.1), { name: "fast" });
  const slow = createTask(worker("slow", 0.25), { name: "slow" });
  yield* sleep(0.55);
  log("main: cancelling both workers");
  fast.cancel("the demo moves on");
  slow.cancel("the demo moves on");
  for (const task of [fast, slow]) {
    try {
      yield* task;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
      log(`main: ${task.getName()} cancelled (${error.message})`);
    }
  }
  summary.push([
    "tasks",
    "2 workers ran side by side; both cancelled, both finally blocks ran",
  ]);
}

// ---- 2. A server and many clients ----

function* echo(reader: StreamReader, writer: StreamWriter) {
  while (true) {
    const line = yield* reader.readLine();
    if (line.length === 0) break;
    writer.write(line);
    yield* writer.drain();
  }
  writer.close();
}

function* client(port: number, id: number, lines: number): Coroutine<number> {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  let echoed = 0;
  try {
    for (let i = 0; i < lines; i++) {
      writer.write(encoder.encode(`client ${id} line ${i}\n`));
      yield* writer.drain();
      const reply = decoder.decode(yield* reader.readLine());
      if (reply === `client ${id} line ${i}\n`) echoed++;
    }
  } finally {
    writer.close();
    yield* writer.waitClosed();
  }
  return echoed;
}

function* serverAndClients(): Coroutine<void> {
  section("2. A TCP echo server and 50 clients at once");
  const server = yield* startServer(echo, "127.0.0.1", 0);
  const { port } = server.sockets[0].addr as Deno.NetAddr;
  log(`server: listening on 127.0.0.1:${port}`);
  const loop = getRunningLoop();
  const began = loop.time();
  const counts = yield* gather(
    Array.from({ length: 50 }, (_, id) => client(port, id, 20)),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  const ms = ((loop.time() - began) * 1000).toFixed(0);
  log(`clients: 50 clients x 20 lines, ${total} echoed back in ${ms} ms`);
  server.close();
  yield* server.waitClosed();
  log("server: closed");
  summary.push([
    "server",
    `50 concurrent clients, ${total}/1000 lines echoed in ${ms} ms`,
  ]);
}

// ---- 3. A timeout firing, and a semaphore ----

function* slowLookup(name: string, seconds: number): Coroutine<string> {
  let finished = false;
  try {
    yield* sleep(seconds);
    finished = true;
    return `${name}: found`;
  } finally {
    log(
      finished
        ? `${name}: lookup done in ${seconds} s`
        : `${name}: cancelled by the timeout, its finally ran`,
    );
  }
}

function* timeouts(): Coroutine<void> {
  section("3. A timeout firing (0.3 s allowed), two lookups at a time");
  const slots = new Semaphore(2);
  const results = yield* gather(
    [["quick", 0.1], ["medium", 0.2], ["slow", 2], ["quick again", 0.05]].map(
      ([name, seconds]) =>
        function* (): Coroutine<string> {
          using _ = yield* slots.hold();
          try {
            return yield* timeout(
              0.3,
              slowLookup(name as string, seconds as number),
            );
          } catch (error) {
            if (!(error instanceof TimeoutError)) throw error;
            return `${name}: timed out`;
          }
        }(),
    ),
  );
  for (const result of results) log(result);
  const timedOut = results.filter((r) => r.endsWith("timed out")).length;
  summary.push([
    "timeout",
    `${results.length} lookups, ${timedOut} timed out, 2 at a time`,
  ]);
}

// ---- 4. A child process ----

function* subprocess(): Coroutine<void> {
  section("4. A child process, fed and read through pipes");
  const proc = yield* createSubprocessExec(Deno.execPath(), [
    "eval",
    "const text = await new Response(Deno.stdin.readable).text();" +
    "console.log(text.toUpperCase().trim());",
  ], { stdin: PIPE, stdout: PIPE });
  log(`child: started, pid ${proc.pid}`);
  const [out] = yield* proc.communicate(encoder.encode("shout this, please"));
  log(
    `child: answered ${
      JSON.stringify(decoder.decode(out!).trim())
    }, exit code ${proc.returncode}`,
  );
  summary.push([
    "subprocess",
    `deno eval uppercased its stdin, exit code ${proc.returncode}`,
  ]);
}

// ---- The tour ----

await run(function* () {
  log("asyncio for Deno: a coroutine is a generator, yield* is await");
  yield* tasksAndCancellation();
  yield* serverAndClients();
  yield* timeouts();
  yield* subprocess();
}());

section("Summary");
const width = Math.max(...summary.map(([k]) => k.length));
for (const [what, result] of summary) {
  console.log(`  ${what.padEnd(width)}  ${result}`);
}
console.log(
  `\nDone in ${((performance.now() - started) / 1000).toFixed(2)} s. ` +
    "Next: README.md, examples/, `deno task test`.",
);

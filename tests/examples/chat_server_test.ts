import assert from "node:assert/strict";
import { run } from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  createTask,
  fromPromise,
  sleep,
  timeout,
  waitFor,
} from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import {
  openConnection,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";
import { chatServer, OUTBOX_SIZE } from "../../examples/chat_server.ts";
import { ExampleProcess, test } from "./_child.ts";
import { PeerProcess, peerTest } from "../_peers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A chat client for tests: say() a line, hear() the next one. */
class Chatter {
  constructor(readonly reader: StreamReader, readonly writer: StreamWriter) {}

  static *connect(port: number): Coroutine<Chatter> {
    const [reader, writer] = yield* openConnection("127.0.0.1", port);
    return new Chatter(reader, writer);
  }

  *say(line: string): Coroutine<void> {
    this.writer.write(encoder.encode(`${line}\n`));
    yield* this.writer.drain();
  }

  /** The next line without its newline; null at the end of the stream. */
  *hear(): Coroutine<string | null> {
    const line = yield* timeout(5, this.reader.readLine());
    return line.length === 0 ? null : decoder.decode(line).trimEnd();
  }

  *close(): Coroutine<void> {
    this.writer.close();
    yield* this.writer.waitClosed();
  }
}

/** Connects and picks a name; returns the client after its greeting. */
function* join(port: number, name: string, here: number): Coroutine<Chatter> {
  const c = yield* Chatter.connect(port);
  assert.equal(yield* c.hear(), "welcome! what is your name?");
  yield* c.say(name);
  assert.equal(yield* c.hear(), `hello ${name}, ${here} here; /who, /quit`);
  return c;
}

/** The conversation both tests have; `stop()` ends the server. */
function* conversation(port: number, stop: () => Coroutine<void>) {
  const alice = yield* join(port, "alice", 1);

  const bob = yield* Chatter.connect(port);
  assert.equal(yield* bob.hear(), "welcome! what is your name?");
  yield* bob.say("alice");
  assert.equal(yield* bob.hear(), "alice is taken; try again:");
  yield* bob.say("not a name!");
  assert.match((yield* bob.hear())!, /^a name is 1 to 20 letters/);
  yield* bob.say("bob");
  assert.equal(yield* bob.hear(), "hello bob, 2 here; /who, /quit");
  assert.equal(yield* alice.hear(), "* bob joined");

  const carol = yield* join(port, "carol", 3);
  assert.equal(yield* alice.hear(), "* carol joined");
  assert.equal(yield* bob.hear(), "* carol joined");

  yield* alice.say("hi all");
  assert.equal(yield* bob.hear(), "alice: hi all");
  assert.equal(yield* carol.hear(), "alice: hi all");

  yield* bob.say("/who");
  assert.equal(yield* bob.hear(), "* here: alice, bob, carol");

  yield* carol.say("/quit");
  assert.equal(yield* carol.hear(), null);
  yield* carol.close();
  assert.equal(yield* alice.hear(), "* carol left");
  assert.equal(yield* bob.hear(), "* carol left");

  yield* stop();
  for (const c of [alice, bob]) {
    assert.equal(yield* c.hear(), "* server shutting down, bye");
    assert.equal(yield* c.hear(), null);
    yield* c.close();
  }
}

test("examples: chatServer() relays messages, names, /who, /quit, and says goodbye on stop", async () => {
  const log: string[] = [];
  const stats = await run(function* () {
    const stop = new Event();
    const ready = new Event();
    let port = 0;
    const server = createTask(chatServer("127.0.0.1", 0, {
      stop,
      onListening: (p) => {
        port = p;
        ready.set();
      },
      log: (line) => log.push(line),
    }));
    yield* ready.wait();
    yield* conversation(port, function* () {
      stop.set();
    });
    return yield* waitFor(server, 5);
  }());
  assert.deepEqual(stats, { clients: 3, messages: 1 });
  assert.deepEqual(log, [
    "alice joined",
    "bob joined",
    "carol joined",
    "carol left",
    "shutting down, 2 clients connected",
    "alice left",
    "bob left",
  ]);
});

test("examples: chatServer() disconnects a client that does not read, and the others carry on", async () => {
  await run(function* () {
    const stop = new Event();
    const ready = new Event();
    let port = 0;
    const server = createTask(chatServer("127.0.0.1", 0, {
      stop,
      onListening: (p) => {
        port = p;
        ready.set();
      },
    }));
    yield* ready.wait();
    const talker = yield* join(port, "talker", 1);
    const sleeper = yield* join(port, "sleeper", 2);
    assert.equal(yield* talker.hear(), "* sleeper joined");
    // The sleeper never reads: the socket buffers fill, then its outbox of
    // OUTBOX_SIZE lines, and the server drops it.
    const heard = createTask(talker.hear());
    const line = "x".repeat(32 * 1024);
    let said = 0;
    while (!heard.done() && said < 2000) {
      yield* talker.say(line);
      said++;
      yield* sleep(0);
    }
    assert.equal(yield* heard, "* sleeper left");
    assert.ok(said > OUTBOX_SIZE, `dropped after ${said} lines`);
    yield* talker.say("/who");
    assert.equal(yield* talker.hear(), "* here: talker");
    yield* sleeper.close();
    stop.set();
    assert.equal(yield* talker.hear(), "* server shutting down, bye");
    assert.equal(yield* talker.hear(), null);
    yield* talker.close();
    const stats = yield* waitFor(server, 5);
    assert.equal(stats.messages, said);
  }());
});

test("examples: chat_server.ts as a program: Ctrl-C (SIGINT) tells every client and exits 0", async () => {
  const child = new ExampleProcess(
    "chat_server.ts",
    ["--allow-net=127.0.0.1"],
    [
      "--port",
      "0",
    ],
  );
  let exited;
  try {
    const [, port] = await child.waitForLine(
      /^chat server listening on 127\.0\.0\.1:(\d+)$/,
    );
    await run(conversation(Number(port), function* () {
      exited = yield* fromPromise(child.finish("SIGINT"));
    }));
  } finally {
    exited ??= await child.finish("SIGKILL");
  }
  assert.equal(exited.code, 0, exited.stderr);
  assert.equal(exited.stderr, "");
  assert.deepEqual(exited.stdout.split("\n").slice(1), [
    "alice joined",
    "bob joined",
    "carol joined",
    "carol left",
    "shutting down, 2 clients connected",
    "alice left",
    "bob left",
    "chat server stopped: 3 clients served, 1 messages",
  ]);
});

peerTest(
  "examples: chat_server.ts handles a client that resets (a Python peer with SO_LINGER 0) cleanly: it leaves, nothing on stderr",
  ["python3"],
  async () => {
    const child = new ExampleProcess("chat_server.ts", [
      "--allow-net=127.0.0.1",
    ], ["--port", "0"]);
    let exited;
    try {
      const [, port] = await child.waitForLine(
        /^chat server listening on 127\.0\.0\.1:(\d+)$/,
      );
      await using client = PeerProcess.python("reset_client.py", [
        port,
        "read",
        "mallory",
        "read",
      ]);
      assert.equal(await client.readLine(), "welcome! what is your name?");
      assert.equal(
        await client.readLine(),
        "hello mallory, 1 here; /who, /quit",
      );
      assert.equal((await client.finish()).code, 0);
      await child.waitForLine(/^mallory left$/);
      exited = await child.finish("SIGINT");
    } finally {
      exited ??= await child.finish("SIGKILL");
    }
    assert.equal(exited.code, 0, exited.stderr);
    assert.equal(exited.stderr, "");
    assert.deepEqual(exited.stdout.split("\n").slice(1), [
      "mallory joined",
      "mallory reset the connection",
      "mallory left",
      "shutting down, 0 clients connected",
      "chat server stopped: 1 clients served, 0 messages",
    ]);
  },
  { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true },
);

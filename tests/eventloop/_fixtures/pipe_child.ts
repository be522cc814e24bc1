// A program for pipes_test.ts: it uses loop.connectReadPipe() and
// loop.connectWritePipe() on its own standard input and output, as a
// command-line tool would. Its first argument picks what it does; it reports
// on stderr, so that stdout carries only the data under test.
import {
  type Future,
  getRunningLoop,
  Protocol,
  run,
  type Transport,
  type WriteTransport,
} from "../../../eventloop/mod.ts";
import { sleep } from "../../../tasks/mod.ts";

const mode = Deno.args[0];
const report = (line: string) =>
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));

/** Counts what arrives on stdin and logs the protocol's events. */
class Count extends Protocol {
  events: string[] = [];
  bytes = 0;
  done = getRunningLoop().createFuture<void>();
  override connectionMade(_t: Transport) {
    this.events.push("connectionMade");
  }
  override dataReceived(data: Uint8Array) {
    if (this.events.at(-1) !== "data") this.events.push("data");
    this.bytes += data.length;
  }
  override eofReceived() {
    this.events.push("eof");
  }
  override connectionLost(error: Error | null) {
    this.events.push(`lost ${error}`);
    this.done.setResult();
  }
}

/** Records the largest write buffer and waits while writing is paused. */
class Flow extends Protocol {
  paused = 0;
  resume: Future<void> | null = null;
  lost = getRunningLoop().createFuture<void>();
  override pauseWriting() {
    this.paused++;
    this.resume = getRunningLoop().createFuture<void>();
  }
  override resumeWriting() {
    this.resume?.setResult(undefined);
    this.resume = null;
  }
  override connectionLost() {
    this.lost.setResult();
  }
}

await run(function* () {
  const loop = getRunningLoop();
  if (mode === "count") {
    const [, protocol] = yield* loop.connectReadPipe(
      () => new Count(),
      Deno.stdin,
    );
    yield* protocol.done;
    report(`${protocol.events.join(",")} bytes=${protocol.bytes}`);
  } else if (mode === "leave-open") {
    // Reads a little, then returns with stdin open: run() must still end.
    const [, protocol] = yield* loop.connectReadPipe(
      () => new Count(),
      Deno.stdin,
    );
    while (protocol.bytes === 0) yield* sleep(0.01);
    report(`read ${protocol.bytes}, returning`);
  } else if (mode === "flood") {
    // Writes 8 MiB to stdout, 64 KiB at a time, waiting whenever the
    // transport says to pause.
    const [transport, protocol] = yield* loop.connectWritePipe(
      () => new Flow(),
      Deno.stdout,
    );
    const chunk = new Uint8Array(65536).fill(120);
    let most = 0;
    for (let i = 0; i < 128; i++) {
      transport.write(chunk);
      most = Math.max(most, (transport as WriteTransport).getWriteBufferSize());
      if (protocol.resume !== null) yield* protocol.resume;
    }
    transport.close();
    yield* protocol.lost;
    report(`paused=${protocol.paused} most=${most}`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}());

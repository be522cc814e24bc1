// A TCP echo client written with streams: sends each message as a line and
// prints what comes back, with a timeout on the whole exchange.
//
//   deno run --allow-net examples/echo_client.ts [--host 127.0.0.1] [--port 8888] [--timeout 5] [message ...]

import { parseArgs } from "node:util";
import { run, TimeoutError } from "@asyncio/asyncio/eventloop";
import { type Coroutine, timeout } from "@asyncio/asyncio/tasks";
import { openConnection } from "@asyncio/asyncio/streams";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends each line and returns the replies, in order. */
export function* echoLines(
  host: string,
  port: number,
  lines: string[],
): Coroutine<string[]> {
  const [reader, writer] = yield* openConnection(host, port);
  try {
    const replies: string[] = [];
    for (const line of lines) {
      writer.write(encoder.encode(`${line}\n`));
      yield* writer.drain();
      const reply = yield* reader.readLine();
      if (reply.length === 0) {
        throw new Error("the server closed the connection");
      }
      replies.push(decoder.decode(reply).replace(/\r?\n$/, ""));
    }
    return replies;
  } finally {
    // Runs on success, on error, and when a timeout cancels us.
    writer.close();
    yield* writer.waitClosed();
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8888" },
      timeout: { type: "string", default: "5" },
    },
  });
  const lines = positionals.length > 0
    ? positionals
    : ["hello", "asyncio for Deno"];
  try {
    const replies = await run(
      timeout(
        Number(values.timeout),
        echoLines(values.host, Number(values.port), lines),
      ),
    );
    for (const reply of replies) console.log(`echoed: ${reply}`);
  } catch (error) {
    if (error instanceof TimeoutError) {
      console.error(`no answer within ${values.timeout} s`);
    } else {
      console.error(`failed: ${(error as Error).message}`);
    }
    Deno.exitCode = 1;
  }
}

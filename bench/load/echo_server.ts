// One Deno echo server of the network benchmarks, in a process of its own:
//
//   deno run -A bench/load/echo_server.ts <kind> <size>
//
// <kind> is one of raw, raw-fresh, protocol, buffered, streams-read,
// streams-exactly, streams-byob (see _deno_servers.ts); <size> is the
// message size (readExactly reads that many bytes). Prints its port on
// 127.0.0.1, then serves until its stdin ends or it is killed.

import { DENO_KINDS, type DenoKind, startEchoServer } from "./_deno_servers.ts";

const [kind, sizeText] = Deno.args;
const size = Number(sizeText);
if (
  !DENO_KINDS.includes(kind as DenoKind) || !Number.isSafeInteger(size) ||
  size < 1 || Deno.args.length !== 2
) {
  console.error(
    `usage: deno run -A bench/load/echo_server.ts <${
      DENO_KINDS.join("|")
    }> <size>; got ${JSON.stringify(Deno.args)}`,
  );
  Deno.exit(2);
}
const server = await startEchoServer(kind as DenoKind, size);
console.log(server.port);
// Serve until stdin ends (the bench closes it; a terminal's Ctrl-D).
const buf = new Uint8Array(64);
while (await Deno.stdin.read(buf) !== null) { /* until it ends */ }
await server.close();

// Faults on loopback with real peers: resets, half-closes, servers closed
// under their clients, refused connections, untrusted certificates, a child
// that dies mid-communicate, a transport that errors under readExactly. Each
// ends in the documented error at the documented place, and nothing rejects
// unobserved or is reported as never retrieved.

import assert from "node:assert/strict";
import {
  type ExceptionContext,
  getRunningLoop,
  run,
} from "../../eventloop/mod.ts";
import { type Coroutine, fromPromise, sleep } from "../../tasks/mod.ts";
import { openConnection } from "../../streams/mod.ts";
import { collectGarbage } from "../eventloop/_gc.ts";
import { reliabilityTest } from "./_harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Records what reaches the running loop's exception handler. */
function recordExceptions(): ExceptionContext[] {
  const seen: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => {
    seen.push(context);
  });
  return seen;
}

/** A raw peer that reads one byte, then closes with data unread (a reset). */
function resettingPeer(): { port: number; done: Promise<void>; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = listener.accept().then(async (conn) => {
    await conn.read(new Uint8Array(1));
    conn.close();
  });
  return {
    port: (listener.addr as Deno.NetAddr).port,
    done,
    close: () => listener.close(),
  };
}

reliabilityTest(
  "a peer that resets mid-write: the writer's error is not reported as never retrieved when nobody waits for the close",
  async () => {
    const peer = resettingPeer();
    await run(function* () {
      const seen = recordExceptions();
      function* writeUntilReset(): Coroutine<unknown> {
        const [, writer] = yield* openConnection("127.0.0.1", peer.port);
        writer.write(enc("more than the peer will read"));
        yield* writer.drain();
        yield* fromPromise(peer.done);
        for (let i = 0; i < 1000 && !writer.isClosing(); i++) {
          writer.write(enc("are you there?"));
          yield* sleep(0.001);
        }
        assert.ok(writer.isClosing(), "the reset closed the writer");
        // Give connectionLost its pass; then drop the writer unawaited, as a
        // server callback that returns without waitClosed() does.
        yield* sleep(0.01);
        return writer.transport.isClosing();
      }
      assert.equal(yield* writeUntilReset(), true);
      yield* fromPromise(collectGarbage());
      yield* sleep(0);
      assert.deepEqual(seen.map((c) => c.message), []);
    }());
    peer.close();
  },
);

// The example programs that use queues and sync keep working.

import assert from "node:assert/strict";
import { getRunningLoop, run } from "../../eventloop/mod.ts";
import { pipeline } from "../../examples/pipeline.ts";

Deno.test("examples/pipeline.ts: the report, the tally and the request limit", async () => {
  const log: string[] = [];
  const [lines, elapsed] = await run(
    function* () {
      const lines = yield* pipeline(
        { "/": 3, "/docs": 1, "/blog": 2, "/about": 0.5, "/api": 1.5 },
        (line) => log.push(line),
      );
      return [lines, getRunningLoop().time()] as const;
    }(),
    { virtualTime: true },
  );
  assert.deepEqual(lines, [
    "/: 3s",
    "/blog: 2s",
    "/api: 1.5s",
    "/docs: 1s",
    "/about: 0.5s",
    "5 pages, 8s of fetching",
  ]);
  assert.equal(log.length, 5);
  // Two requests at a time: 8s of fetching ends at 4.5s (the 1.5s page
  // starts when the 3s one is done).
  assert.equal(elapsed, 4.5);
});

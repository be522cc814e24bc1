import assert from "node:assert/strict";
import {
  getLogger,
  type LogRecord,
  newEventLoop,
} from "../../eventloop/mod.ts";
import { trackUnclosed, untrack } from "../../eventloop/_resource_warnings.ts";
import { formatAddr } from "../../eventloop/_net.ts";
import { collectGarbage } from "./_gc.ts";

async function captureLogs(body: () => Promise<unknown>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const handler = (record: LogRecord) => records.push(record);
  getLogger().addHandler(handler);
  try {
    await body();
  } finally {
    getLogger().removeHandler(handler);
  }
  return records;
}

class Resource {
  closed = false;
  close(): void {
    this.closed = true;
    untrack(this);
  }
}

Deno.test("trackUnclosed() reports a resource collected while open, not one that was closed", async (t) => {
  await t.step("open, then lost: reported", async () => {
    const loop = newEventLoop();
    const records = await captureLogs(async () => {
      (() => {
        trackUnclosed(new Resource(), "resource lost-open", loop);
      })();
      await collectGarbage();
    });
    loop.close();
    const mine = records.filter((r) => r.message.includes("lost-open"));
    assert.equal(mine.length, 1);
    assert.equal(mine[0].level, "warning");
    assert.equal(
      mine[0].message,
      "Unclosed resource lost-open: it was garbage-collected while open; call close()",
    );
  });

  await t.step("closed, then lost: silent", async () => {
    const loop = newEventLoop();
    const records = await captureLogs(async () => {
      (() => {
        const resource = new Resource();
        trackUnclosed(resource, "resource closed-first", loop);
        resource.close();
      })();
      await collectGarbage();
    });
    loop.close();
    assert.equal(
      records.filter((r) => r.message.includes("closed-first")).length,
      0,
    );
  });

  await t.step("in debug mode, with where it was made", async () => {
    const loop = newEventLoop({ debug: true });
    const records = await captureLogs(async () => {
      (function makeAndForget() {
        trackUnclosed(new Resource(), "resource debug-open", loop);
      })();
      await collectGarbage();
    });
    loop.close();
    const mine = records.filter((r) => r.message.includes("debug-open"));
    assert.equal(mine.length, 1);
    assert.match(
      mine[0].message,
      /created at:\nat makeAndForget .*resource_warnings_test\.ts/,
    );
  });
});

Deno.test("formatAddr() formats Deno addresses, IPv6 in brackets, as every message shows them", () => {
  assert.equal(
    formatAddr({ transport: "tcp", hostname: "127.0.0.1", port: 80 }),
    "127.0.0.1:80",
  );
  assert.equal(
    formatAddr({ transport: "tcp", hostname: "::1", port: 80 }),
    "[::1]:80",
  );
  assert.equal(formatAddr({ transport: "unix", path: "/tmp/s" }), "/tmp/s");
});

Deno.test("an unclosed resource is reported when its loop closes", async (t) => {
  await t.step(
    "open at close: reported once, not again when collected",
    async () => {
      const loop = newEventLoop();
      const resource = new Resource();
      const records = await captureLogs(async () => {
        trackUnclosed(resource, "resource open-at-close", loop);
        loop.close();
        await collectGarbage();
      });
      const mine = records.filter((r) => r.message.includes("open-at-close"));
      assert.equal(mine.length, 1);
      assert.equal(
        mine[0].message,
        "Unclosed resource open-at-close: it was still open when its event loop closed, so it was closed for you (an open connection or listener would keep the program running); call close()",
      );
      resource.close();
    },
  );

  await t.step("closed before: silent", async () => {
    const loop = newEventLoop();
    const records = await captureLogs(() => {
      const resource = new Resource();
      trackUnclosed(resource, "resource closed-in-time", loop);
      resource.close();
      loop.close();
      return Promise.resolve();
    });
    assert.deepEqual(records, []);
  });
});

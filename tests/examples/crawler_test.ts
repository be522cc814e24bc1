import assert from "node:assert/strict";
import { run } from "@asyncio/asyncio/eventloop";
import type { Server } from "@asyncio/asyncio/eventloop";
import {
  crawl,
  DEMO_SITE,
  findLinks,
  type PageResult,
  serveSite,
} from "../../examples/crawler.ts";
import { runExample, test } from "./_child.ts";

function* closeSite(server: Server) {
  server.close();
  server.abortClients();
  yield* server.waitClosed();
}

test("examples: findLinks() resolves relative links, drops other origins and fragments", () => {
  const html =
    '<a href="/a">a</a> <a href="b#x">b</a> <a href="https://else.where/c">c</a> <a href="../d">';
  assert.deepEqual(findLinks(html, "http://127.0.0.1:8000/dir/page"), [
    "http://127.0.0.1:8000/a",
    "http://127.0.0.1:8000/dir/b",
    "http://127.0.0.1:8000/d",
  ]);
});

test("examples: crawl() visits each reachable page once, times out the slow one and records the 404", async () => {
  const site = {
    ...DEMO_SITE,
    "/slow": { links: ["/never-reached"], delay: 5 },
  };
  const results: PageResult[] = await run(function* () {
    const server = yield* serveSite(site);
    const { port } = server.sockets[0].addr as Deno.NetAddr;
    try {
      return yield* crawl(`http://127.0.0.1:${port}/`, {
        workers: 3,
        timeout: 0.5,
        maxPages: 100,
      });
    } finally {
      yield* closeSite(server);
    }
  }());
  const byPath = new Map(results.map((r) => [new URL(r.url).pathname, r]));
  assert.equal(byPath.size, results.length, "a page was fetched twice");
  assert.deepEqual([...byPath.keys()].sort(), [
    "/",
    "/about",
    "/blog",
    "/blog/1",
    "/blog/2",
    "/docs",
    "/docs/api",
    "/docs/intro",
    "/missing",
    "/slow",
  ]);
  assert.equal(byPath.get("/missing")!.status, 404);
  const slow = byPath.get("/slow")!;
  assert.equal(slow.status, "timeout");
  assert.ok(slow.seconds >= 0.49 && slow.seconds < 2, `${slow.seconds}`);
  assert.equal(byPath.get("/")!.links, 4);
  assert.ok(results.filter((r) => r.status === 200).every((r) => r.bytes > 0));
});

test("examples: crawl() stops queueing at maxPages and rejects a bad worker count", async () => {
  const results = await run(function* () {
    const server = yield* serveSite(DEMO_SITE);
    const { port } = server.sockets[0].addr as Deno.NetAddr;
    try {
      return yield* crawl(`http://127.0.0.1:${port}/`, {
        workers: 2,
        timeout: 1,
        maxPages: 3,
      });
    } finally {
      yield* closeSite(server);
    }
  }());
  assert.equal(results.length, 3);
  await assert.rejects(
    run(crawl("http://127.0.0.1:1/", { workers: 0, timeout: 1, maxPages: 1 })),
    { name: "RangeError", message: /'workers' .* received 0/ },
  );
});

test("examples: crawler.ts as a program crawls its own demo site and prints a summary", async () => {
  const out = await runExample("crawler.ts", ["--allow-net=127.0.0.1"], [
    "--workers",
    "4",
    "--timeout",
    "0.3",
  ]);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.split("\n");
  assert.match(
    lines[0],
    /^serving the demo site on http:\/\/127\.0\.0\.1:\d+\/$/,
  );
  assert.equal(lines.length, 12);
  assert.match(out.stdout, /^404 +10 B +\d+ ms +http:\/\/.*\/missing$/m);
  assert.match(out.stdout, /^timeout +0 B +\d+ ms +http:\/\/.*\/slow$/m);
  assert.match(
    lines[11],
    /^crawled 10 pages \(8 ok, 1 not found, 1 timed out, 0 failed\) in \d\.\d\d s with 4 workers$/,
  );
});

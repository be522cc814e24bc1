// A producer/consumer crawler: a Queue of URLs, a TaskGroup of workers that
// take from it and put the links they find back in, waitFor() bounding each
// fetch, and queue.join() telling when the site is done. With no URL, it
// crawls a small local site that it serves itself with startServer (a slow
// page and a missing one included), so it runs anywhere.
//
//   deno run --allow-net examples/crawler.ts [--workers 4] [--timeout 1] [--max-pages 50] [URL]
//
// Fetching uses Deno's fetch() through fromPromise(): when waitFor() times a
// fetch out, the task is cancelled and that aborts the request.

import { parseArgs } from "node:util";
import {
  getRunningLoop,
  run,
  type Server,
  TimeoutError,
} from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  fromPromise,
  sleep,
  taskGroup,
  waitFor,
} from "@asyncio/asyncio/tasks";
import { Queue, QueueShutDown } from "@asyncio/asyncio/queues";
import {
  startServer,
  type StreamReader,
  type StreamWriter,
} from "@asyncio/asyncio/streams";

// ---- The local site ----

/** One page of the local site. */
export interface SitePage {
  /** Paths this page links to. */
  links: string[];
  /** Seconds the server takes to answer. */
  delay?: number;
}

/** The site that `crawler.ts` serves when given no URL. */
export const DEMO_SITE: Record<string, SitePage> = {
  "/": { links: ["/docs", "/blog", "/about", "/missing"] },
  "/docs": { links: ["/", "/docs/intro", "/docs/api"] },
  "/docs/intro": { links: ["/docs", "/docs/api"], delay: 0.05 },
  "/docs/api": { links: ["/docs#top", "/docs/intro"], delay: 0.1 },
  "/blog": { links: ["/blog/1", "/blog/2", "/slow"] },
  "/blog/1": { links: ["/blog", "https://example.com/elsewhere"], delay: 0.05 },
  "/blog/2": { links: ["/blog/1", "../about"], delay: 0.05 },
  "/about": { links: ["/"] },
  "/slow": { links: ["/never-reached"], delay: 30 },
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function page(path: string, links: string[]): string {
  const items = links.map((l) => `<li><a href="${l}">${l}</a></li>`).join("");
  return `<!doctype html><title>${path}</title><ul>${items}</ul>\n`;
}

/** Serves `site` over HTTP/1.1 on `host:port` (0: a free port). */
export function* serveSite(
  site: Record<string, SitePage>,
  host = "127.0.0.1",
  port = 0,
): Coroutine<Server> {
  function* handle(reader: StreamReader, writer: StreamWriter) {
    try {
      const request = decoder.decode(yield* reader.readLine()).trim();
      // Skip the headers: they end with an empty line.
      while ((yield* reader.readLine()).length > 2);
      const [method, target] = request.split(" ");
      const path = new URL(target ?? "/", "http://site").pathname;
      const found = site[path];
      if (found?.delay) yield* sleep(found.delay);
      const [status, body] = method !== "GET"
        ? ["405 Method Not Allowed", "only GET\n"]
        : found
        ? ["200 OK", page(path, found.links)]
        : ["404 Not Found", "not found\n"];
      const bytes = encoder.encode(body);
      writer.write(encoder.encode(
        `HTTP/1.1 ${status}\r\ncontent-type: text/html\r\n` +
          `content-length: ${bytes.length}\r\nconnection: close\r\n\r\n`,
      ));
      writer.write(bytes);
      yield* writer.drain();
    } finally {
      writer.close();
    }
  }
  return yield* startServer(handle, host, port);
}

// ---- The crawler ----

/** One fetched page. */
export interface PageResult {
  url: string;
  /** The HTTP status, or "timeout" / "error". */
  status: number | "timeout" | "error";
  bytes: number;
  /** Same-site links found on it (before de-duplication). */
  links: number;
  /** Seconds the fetch took. */
  seconds: number;
}

/** Options of {@linkcode crawl}. */
export interface CrawlOptions {
  /** How many workers fetch at once. */
  workers: number;
  /** Seconds allowed for each page. */
  timeout: number;
  /** Stop queueing new pages after this many. */
  maxPages: number;
  /** Called after each page. */
  onPage?: (result: PageResult) => void;
}

/** Same-origin absolute URLs of the href="..." links in `html`. */
export function findLinks(html: string, base: string): string[] {
  const origin = new URL(base).origin;
  const links: string[] = [];
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) {
    const url = new URL(href, base);
    url.hash = "";
    if (url.origin === origin) links.push(url.href);
  }
  return links;
}

function* fetchPage(url: string): Coroutine<[number, string]> {
  // fromPromise gives the function an AbortSignal that aborts when the
  // waiting task is cancelled, e.g. by waitFor's timeout.
  return yield* fromPromise(async (signal) => {
    const response = await fetch(url, { signal });
    return [response.status, await response.text()] as [number, string];
  });
}

/** Crawls every same-origin page reachable from `start`. */
export function* crawl(
  start: string,
  options: CrawlOptions,
): Coroutine<PageResult[]> {
  if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
    throw new RangeError(
      `Cannot crawl as 'workers' must be a positive integer: received ${options.workers}`,
    );
  }
  const loop = getRunningLoop();
  const queue = new Queue<string>();
  const seen = new Set<string>();
  const results: PageResult[] = [];

  function enqueue(url: string): void {
    if (seen.has(url) || seen.size >= options.maxPages) return;
    seen.add(url);
    queue.putNowait(url); // unbounded queue: never waits
  }

  function* worker(): Coroutine<void> {
    while (true) {
      let url: string;
      try {
        url = yield* queue.get();
      } catch (error) {
        if (error instanceof QueueShutDown) return; // the crawl is over
        throw error;
      }
      const began = loop.time();
      const result: PageResult = {
        url,
        status: "error",
        bytes: 0,
        links: 0,
        seconds: 0,
      };
      try {
        const [status, html] = yield* waitFor(fetchPage(url), options.timeout);
        const links = status === 200 ? findLinks(html, url) : [];
        Object.assign(result, {
          status,
          bytes: encoder.encode(html).length,
          links: links.length,
        });
        links.forEach(enqueue);
      } catch (error) {
        if (!(error instanceof TimeoutError || error instanceof TypeError)) {
          throw error; // TypeError is fetch's network error
        }
        result.status = error instanceof TimeoutError ? "timeout" : "error";
      } finally {
        result.seconds = loop.time() - began;
        results.push(result);
        options.onPage?.(result);
        queue.taskDone();
      }
    }
  }

  enqueue(new URL(start).href);
  yield* taskGroup(function* (tg) {
    for (let i = 0; i < options.workers; i++) tg.createTask(worker());
    yield* queue.join(); // every queued URL has been processed
    queue.shutdown(); // the idle workers' get() throws QueueShutDown
  });
  return results;
}

/** One line of the report. */
export function formatPage(result: PageResult): string {
  const status = String(result.status).padEnd(7);
  const bytes = `${result.bytes} B`.padStart(8);
  const ms = `${(result.seconds * 1000).toFixed(0)} ms`.padStart(8);
  return `${status} ${bytes} ${ms}  ${result.url}`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      workers: { type: "string", default: "4" },
      timeout: { type: "string", default: "1" },
      "max-pages": { type: "string", default: "50" },
    },
  });
  await run(function* () {
    const loop = getRunningLoop();
    let server: Server | null = null;
    let start = positionals[0];
    if (start === undefined) {
      server = yield* serveSite(DEMO_SITE);
      const { port } = server.sockets[0].addr as Deno.NetAddr;
      start = `http://127.0.0.1:${port}/`;
      console.log(`serving the demo site on ${start}`);
    }
    const began = loop.time();
    try {
      const results = yield* crawl(start, {
        workers: Number(values.workers),
        timeout: Number(values.timeout),
        maxPages: Number(values["max-pages"]),
        onPage: (result) => console.log(formatPage(result)),
      });
      const count = (s: PageResult["status"]) =>
        results.filter((r) => r.status === s).length;
      console.log(
        `crawled ${results.length} pages (${count(200)} ok, ${
          count(404)
        } not found, ` +
          `${count("timeout")} timed out, ${count("error")} failed) ` +
          `in ${
            (loop.time() - began).toFixed(2)
          } s with ${values.workers} workers`,
      );
    } finally {
      if (server !== null) {
        server.close();
        server.abortClients(); // the slow page is still being "computed"
        yield* server.waitClosed();
      }
    }
  }());
}

// A concurrent port and health checker: connects to every host:port given on
// the command line, at most --concurrency at a time (a Semaphore), each
// within --timeout seconds, optionally sends a probe line and checks the
// reply. A progress line runs on stderr; a table sums up at the end. Exits 0
// when every target is up, 1 when one is not, 2 on bad arguments.
//
//   deno run --allow-net examples/port_checker.ts [--concurrency 10] [--timeout 2]
//       [--send PING --expect PONG] host:port [host:port ...]
//
//   deno run --allow-net examples/port_checker.ts example.com:80 example.com:443 [::1]:22

import { parseArgs } from "node:util";
import { getRunningLoop, run, TimeoutError } from "@asyncio/asyncio/eventloop";
import { type Coroutine, taskGroup, timeout } from "@asyncio/asyncio/tasks";
import { Semaphore } from "@asyncio/asyncio/sync";
import { openConnection } from "@asyncio/asyncio/streams";

/** One target. */
export interface Target {
  host: string;
  port: number;
}

/** What happened to one target. */
export interface CheckResult {
  /** `host:port` as given. */
  target: string;
  status: "up" | "refused" | "timeout" | "unexpected" | "error";
  /** Seconds the check took. */
  seconds: number;
  /** The reply, or what went wrong. */
  detail: string;
}

/** Options of {@linkcode checkAll}. */
export interface CheckOptions {
  /** How many targets are checked at once. */
  concurrency: number;
  /** Seconds allowed for each target (connect, probe and reply). */
  timeout: number;
  /** A line to send once connected. */
  send?: string;
  /** Text the first reply line must contain (a line is read only if set). */
  expect?: string;
  /** Called after each target with how many are done. */
  onProgress?: (done: number, total: number, result: CheckResult) => void;
}

/**
 * Parses `host:port` (`[v6address]:port` for IPv6).
 *
 * @throws {TypeError} If `text` is not of that form.
 */
export function parseTarget(text: string): Target {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new TypeError(
      `Cannot check target as it must be host:port with a port from 1 to 65535: received "${text}"`,
    );
  }
  return { host: match[1] ?? match[2], port };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Checks one target; never throws for network failures, it reports them. */
export function* checkTarget(
  target: string,
  options: Omit<CheckOptions, "concurrency" | "onProgress">,
): Coroutine<CheckResult> {
  const { host, port } = parseTarget(target);
  const loop = getRunningLoop();
  const start = loop.time();
  const result = (status: CheckResult["status"], detail: string) => ({
    target,
    status,
    seconds: loop.time() - start,
    detail,
  });
  try {
    const detail = yield* timeout(
      options.timeout,
      function* () {
        const [reader, writer] = yield* openConnection(host, port);
        try {
          if (options.send !== undefined) {
            writer.write(encoder.encode(`${options.send}\n`));
            yield* writer.drain();
          }
          if (options.expect === undefined) return "";
          return decoder.decode(yield* reader.readLine()).trim();
        } finally {
          writer.close(); // also when the timeout cancels us mid-read
        }
      }(),
    );
    if (options.expect !== undefined && !detail.includes(options.expect)) {
      return result("unexpected", `replied ${JSON.stringify(detail)}`);
    }
    return result("up", detail);
  } catch (error) {
    if (error instanceof TimeoutError) {
      return result("timeout", `no answer within ${options.timeout} s`);
    }
    if (error instanceof Deno.errors.ConnectionRefused) {
      return result("refused", "connection refused");
    }
    if (error instanceof Deno.errors.NotCapable) throw error;
    return result("error", (error as Error).message);
  }
}

/** Checks every target, `concurrency` at a time, results in input order. */
export function* checkAll(
  targets: string[],
  options: CheckOptions,
): Coroutine<CheckResult[]> {
  if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(
      `Cannot check targets as 'concurrency' must be a positive integer: received ${options.concurrency}`,
    );
  }
  if (!(options.timeout > 0)) {
    throw new RangeError(
      `Cannot check targets as 'timeout' must be a positive number of seconds: received ${options.timeout}`,
    );
  }
  for (const target of targets) parseTarget(target); // fail before starting
  const slots = new Semaphore(options.concurrency);
  const results: CheckResult[] = new Array(targets.length);
  let done = 0;
  yield* taskGroup(function* (tg) {
    targets.forEach((target, i) => {
      tg.createTask(function* () {
        using _slot = yield* slots.hold(); // at most `concurrency` at once
        results[i] = yield* checkTarget(target, options);
        options.onProgress?.(++done, targets.length, results[i]);
      }());
    });
  });
  return results;
}

/** The summary table. */
export function formatTable(results: CheckResult[], seconds: number): string {
  const rows = results.map((r) => [
    r.target,
    r.status,
    `${(r.seconds * 1000).toFixed(1)} ms`,
    r.detail,
  ]);
  const header = ["target", "status", "time", "detail"];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const up = results.filter((r) => r.status === "up").length;
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `${results.length} targets: ${up} up, ${results.length - up} down, in ${
      seconds.toFixed(2)
    } s`,
  ].join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      concurrency: { type: "string", default: "10" },
      timeout: { type: "string", default: "2" },
      send: { type: "string" },
      expect: { type: "string" },
    },
  });
  if (positionals.length === 0) {
    console.error(
      "usage: port_checker.ts [--concurrency N] [--timeout S] [--send LINE --expect TEXT] host:port ...",
    );
    Deno.exit(2);
  }
  const tty = Deno.stderr.isTerminal();
  const progress = (text: string) =>
    Deno.stderr.writeSync(
      encoder.encode(tty ? `\r\x1b[K${text}` : `${text}\n`),
    );
  try {
    const [results, seconds] = await run(function* () {
      const loop = getRunningLoop();
      const start = loop.time();
      let down = 0;
      const results = yield* checkAll(positionals, {
        concurrency: Number(values.concurrency),
        timeout: Number(values.timeout),
        send: values.send,
        expect: values.expect,
        onProgress: (done, total, r) => {
          if (r.status !== "up") down++;
          progress(`checked ${done}/${total}: ${done - down} up, ${down} down`);
        },
      });
      return [results, loop.time() - start] as const;
    }());
    if (tty) progress("");
    console.log(formatTable(results, seconds));
    Deno.exitCode = results.every((r) => r.status === "up") ? 0 : 1;
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) {
      throw error;
    }
    console.error(error.message);
    Deno.exitCode = 2;
  }
}

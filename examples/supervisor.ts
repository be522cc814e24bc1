// The supervisor of the multi-core server: starts one
// examples/multicore_server.ts process per core on the same port (they share
// it through reusePort), relays their output line by line, restarts a worker
// that dies, and on Ctrl-C (or SIGTERM) stops them all and waits for them.
// Built on the library's own subprocess API.
//
//   deno run --allow-run --allow-net examples/supervisor.ts [--workers N] [--host 127.0.0.1] [--port 8080]
//
// Then: `curl http://127.0.0.1:8080/` a few times, and watch the pid change.
// --port 0 picks a free port.

import { parseArgs } from "node:util";
import { getRunningLoop, run } from "@asyncio/asyncio/eventloop";
import {
  type Coroutine,
  createTask,
  FIRST_COMPLETED,
  gather,
  type Task,
  wait,
} from "@asyncio/asyncio/tasks";
import { Event } from "@asyncio/asyncio/sync";
import {
  createSubprocessExec,
  PIPE,
  type Process,
} from "@asyncio/asyncio/subprocess";

const WORKER = new URL("./multicore_server.ts", import.meta.url);
const decoder = new TextDecoder();

/** Options of {@linkcode supervise}. */
export interface SuperviseOptions {
  workers: number;
  host: string;
  port: number;
  /** Set it to stop every worker. */
  stop: Event;
  /** Called once every worker has said it is ready. */
  onReady?: () => void;
  /** Where the log lines go (the workers' own lines included). */
  log?: (line: string) => void;
  /** How often a worker that dies is restarted, at most. */
  maxRestarts?: number;
}

/** Starts one worker and resolves once it says it is ready. */
function* startWorker(
  options: SuperviseOptions,
  name: string,
): Coroutine<Process> {
  const proc = yield* createSubprocessExec(Deno.execPath(), [
    "run",
    `--allow-net=${options.host}`,
    "--unstable-net",
    WORKER.href,
    "--host",
    options.host,
    "--port",
    String(options.port),
  ], { stdout: PIPE });
  const line = decoder.decode(yield* proc.stdout!.readLine()).trimEnd();
  if (!line.includes(" ready on ")) {
    proc.kill();
    yield* proc.wait();
    throw new Error(`${name} did not start: ${line || "no output"}`);
  }
  options.log?.(`[${name}] ${line}`);
  return proc;
}

/** Relays a worker's lines until it exits; returns its exit code. */
function* relay(
  proc: Process,
  name: string,
  log: (line: string) => void,
): Coroutine<number> {
  while (true) {
    const line = yield* proc.stdout!.readLine();
    if (line.length === 0) break;
    log(`[${name}] ${decoder.decode(line).trimEnd()}`);
  }
  return yield* proc.wait();
}

/**
 * Runs `workers` processes until `stop` is set; returns how many times a
 * worker had to be restarted.
 */
export function* supervise(options: SuperviseOptions): Coroutine<number> {
  const log = options.log ?? (() => {});
  const maxRestarts = options.maxRestarts ?? 5;
  let restarts = 0;
  let stopping = false;
  const running = new Map<string, Process>();

  // One keeper task per worker: relay its lines, restart it if it died.
  function* keep(name: string, proc: Process): Coroutine<void> {
    while (true) {
      running.set(name, proc);
      const code = yield* relay(proc, name, log);
      running.delete(name);
      // Ctrl-C in a terminal reaches the workers too: they may exit before
      // the supervisor has begun stopping them.
      if (stopping || options.stop.isSet()) return;
      if (restarts >= maxRestarts) {
        throw new Error(`${name} exited with ${code}; too many restarts`);
      }
      restarts++;
      log(`${name} exited with ${code}; restarting it`);
      proc = yield* startWorker(options, name);
      if (stopping) proc.terminate(); // stopped while it was starting
    }
  }

  const keepers: Task<void>[] = [];
  try {
    for (let i = 1; i <= options.workers; i++) {
      const name = `w${i}`;
      const proc = yield* startWorker(options, name);
      keepers.push(createTask(keep(name, proc)));
    }
    options.onReady?.();
    // Until the stop signal, or a keeper that gave up.
    const stopped = createTask(options.stop.wait());
    const [done] = yield* wait([stopped, ...keepers], {
      returnWhen: FIRST_COMPLETED,
    });
    stopped.cancel();
    for (const task of done) if (task !== stopped) yield* task; // its error
  } finally {
    stopping = true;
    log(`stopping ${running.size} workers`);
    for (const proc of running.values()) proc.terminate();
    // Each keeper relays its worker's last lines and returns.
    yield* gather(keepers, { returnExceptions: true });
  }
  return restarts;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      workers: {
        type: "string",
        default: String(navigator.hardwareConcurrency),
      },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8080" },
    },
  });
  let port = Number(values.port);
  if (port === 0) {
    // SO_REUSEPORT shares a given port; port 0 would give each its own.
    const probe = Deno.listen({ hostname: values.host, port: 0 });
    port = (probe.addr as Deno.NetAddr).port;
    probe.close();
  }
  const workers = Number(values.workers);
  const restarts = await run(function* () {
    const loop = getRunningLoop();
    const stop = new Event();
    loop.addSignalHandler("SIGINT", () => stop.set());
    loop.addSignalHandler("SIGTERM", () => stop.set());
    return yield* supervise({
      workers,
      host: values.host,
      port,
      stop,
      onReady: () =>
        console.log(`all ${workers} workers ready on ${values.host}:${port}`),
      log: (line) => console.log(line),
    });
  }());
  console.log(`all workers stopped (${restarts} restarts)`);
}

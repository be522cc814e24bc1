// The external load client of the network benchmarks, as the bench uses it:
// the C client (echo_client.c) built with the system compiler when `cc` or
// `gcc` is there, cached under bench/load/.build/ (ignored by git; the name
// holds a hash of the source, so an edit rebuilds it), else the Deno client
// (echo_client.ts) in a `deno run` process of its own. Both take the same
// command line and print the same JSON.

const HERE = new URL("./", import.meta.url);
const SOURCE = new URL("echo_client.c", HERE);
const BUILD = new URL(".build/", HERE);

/** How to start the load client. */
export interface LoadClient {
  /** "c" for the compiled client, "deno" for the fallback. */
  kind: "c" | "deno";
  /** The program, and the arguments that come before the client's own. */
  command: string;
  prefix: string[];
  /** Why the fallback runs, or null for the C client. */
  note: string | null;
}

/** What one echo run reports (the client's JSON line). */
export interface EchoResult {
  client: "c" | "deno";
  mode: "echo";
  connections: number;
  size: number;
  messages: number;
  seconds: number;
  messagesPerSec: number;
  mbPerSec: number;
  p50Us: number;
  p99Us: number;
  stoppedBy: "count" | "time";
}

/** One echo run: what the client's options say. */
export interface EchoLoad {
  port: number;
  connections: number;
  size: number;
  /** Stop after this many echoed messages... */
  messages?: number;
  /** ...or after this long, whichever comes first. */
  timeMs: number;
  /** Ping-pong this long first, untimed. */
  warmupMs?: number;
}

async function hasProgram(name: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(name, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The C compiler on this machine, or null. */
export async function findCompiler(): Promise<string | null> {
  for (const cc of ["cc", "gcc"]) if (await hasProgram(cc)) return cc;
  return null;
}

/**
 * Builds the C client with `compiler` (once per version of its source) and
 * returns the path of the binary.
 */
export async function buildCClient(compiler: string): Promise<string> {
  const source = await Deno.readFile(SOURCE);
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new Uint8Array([...source, ...new TextEncoder().encode(compiler)]),
    ),
  );
  const hash = [...digest.slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const binary = new URL(`echo_client-${hash}`, BUILD).pathname;
  try {
    await Deno.stat(binary);
    return binary;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(BUILD, { recursive: true });
  // Built under a name of its own, then renamed: two builds at once (a test
  // and a bench) each end with a whole binary.
  const temporary = `${binary}.${Deno.pid}.${crypto.randomUUID()}`;
  const out = await new Deno.Command(compiler, {
    args: ["-O2", "-o", temporary, SOURCE.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(temporary).catch(() => {});
    throw new Error(
      `${compiler} could not build ${SOURCE.pathname}:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  await Deno.rename(temporary, binary);
  return binary;
}

/** The Deno fallback client. */
export function denoClient(note: string): LoadClient {
  return {
    kind: "deno",
    command: Deno.execPath(),
    prefix: ["run", "--allow-net", new URL("echo_client.ts", HERE).pathname],
    note,
  };
}

/**
 * The load client to use: the C one when a compiler is here (and `deno`
 * is not asked for), else the Deno one, with a note saying why.
 */
export async function loadClient(
  options: { deno?: boolean } = {},
): Promise<LoadClient> {
  if (options.deno) {
    return denoClient("--deno-client: the Deno load client (slower than C)");
  }
  const compiler = await findCompiler();
  if (compiler === null) {
    return denoClient(
      "no C compiler (cc, gcc): the load client is the Deno fallback, " +
        "slower than the C client, so these figures are not comparable " +
        "with figures taken with it",
    );
  }
  return {
    kind: "c",
    command: await buildCClient(compiler),
    prefix: [],
    note: null,
  };
}

/** The client's arguments for one echo run. */
export function echoArgs(load: EchoLoad): string[] {
  const args = [
    "--port",
    String(load.port),
    "--connections",
    String(load.connections),
    "--size",
    String(load.size),
    "--time-ms",
    String(load.timeMs),
  ];
  if (load.messages !== undefined) {
    args.push("--messages", String(load.messages));
  }
  if (load.warmupMs) args.push("--warmup-ms", String(load.warmupMs));
  return args;
}

/** Time a client gets beyond its own deadline before it is killed. */
const GRACE_MS = 15_000;

/**
 * Runs the client once; throws with its stderr if it fails, and kills it
 * (and throws) if it outlives its own deadline by GRACE_MS: a client that
 * does not stop by itself is a bug, not a hang of the bench.
 */
export async function runEcho(
  client: LoadClient,
  load: EchoLoad,
): Promise<EchoResult> {
  const child = new Deno.Command(client.command, {
    args: [...client.prefix, ...echoArgs(load)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const limit = (load.warmupMs ?? 0) + load.timeMs + 10_000 + GRACE_MS;
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, limit);
  let out: Deno.CommandOutput;
  try {
    out = await child.output();
  } finally {
    clearTimeout(timer);
  }
  if (killed) {
    throw new Error(
      `the load client did not stop by itself within ${limit} ms: killed`,
    );
  }
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `the load client failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return JSON.parse(stdout) as EchoResult;
}

/**
 * The soft limit on open files, and the hard one (Infinity for
 * "unlimited"), as a child process of this one gets them.
 */
export async function fdLimits(): Promise<{ soft: number; hard: number }> {
  const out = await new Deno.Command("sh", {
    args: ["-c", "ulimit -Sn; ulimit -Hn"],
    stdout: "piped",
  }).output();
  const [soft, hard] = new TextDecoder().decode(out.stdout).trim().split("\n")
    .map((s) => s === "unlimited" ? Infinity : Number(s));
  return { soft, hard };
}

/**
 * A command line that runs `command` with its soft limit on open files
 * raised to `needed` (through `sh -c 'ulimit -n'`, then exec, so the pid is
 * the program's), or unchanged if `needed` is null.
 */
export function withFdLimit(
  needed: number | null,
  command: string,
  args: string[],
): [string, string[]] {
  if (needed === null) return [command, args];
  return ["sh", [
    "-c",
    `ulimit -n ${needed} && exec "$@"`,
    "sh",
    command,
    ...args,
  ]];
}

/** Idle connections held open by a client process. */
export interface IdleHold {
  /** Closes the client's stdin: it resets the connections and exits. */
  release(): Promise<void>;
}

/**
 * Opens `connections` idle connections to the port (each has echoed one
 * byte) and holds them until `release()`, or `timeMs` at most.
 */
export async function holdIdle(
  client: LoadClient,
  port: number,
  connections: number,
  timeMs: number,
  fdLimit: number | null,
): Promise<IdleHold> {
  const [command, args] = withFdLimit(
    client.kind === "deno" ? fdLimit : null,
    client.command,
    [
      ...client.prefix,
      "--port",
      String(port),
      "--idle",
      String(connections),
      "--time-ms",
      String(timeMs),
    ],
  );
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdin = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  const finish = async () => {
    await stdin.close().catch(() => {});
    const status = await child.status;
    if (!status.success) {
      throw new Error(
        `the idle client failed (exit ${status.code}): ${
          (await stderr).trim()
        }`,
      );
    }
  };
  const line = text.trim();
  let ready = false;
  try {
    ready = JSON.parse(line).ready === true;
  } catch { /* not the ready line */ }
  if (!ready) {
    await finish();
    throw new Error(`the idle client did not get ready: ${line}`);
  }
  return { release: finish };
}

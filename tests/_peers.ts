// Real peers for network tests: programs nobody on this project wrote
// (python3 with asyncio and ssl, openssl), so that a test does not only
// check that Deno agrees with itself.
//
// `peerTest(name, ["python3"], fn)` registers a Deno test that runs when the
// programs it needs are installed. Where one is missing the test is listed
// as ignored, with a name that says what is missing:
//
//   accepts ... [skipped: needs python3, not found] ... ignored (0ms)
//
// With ASYNCIO_REQUIRE_PEERS=1 in the environment (`.ci/run` sets it, as CI
// has every peer) a missing program fails the test instead.
//
// `PeerProcess` runs a peer script from tests/peers/ (or any command) with
// piped output: read its stdout line by line (a port it printed), then wait
// for it to finish; disposing it kills it if it still runs.

/** A program a real-peer test can need. */
export type PeerProgram = "python3" | "openssl";

/** The environment variable that turns a skipped real-peer test into a failure. */
export const REQUIRE_PEERS_ENV = "ASYNCIO_REQUIRE_PEERS";

/** How each program is probed: it must run and exit 0. */
const PROBES: Record<PeerProgram, [string, string[]]> = {
  // The modules the peer scripts use.
  python3: ["python3", ["-c", "import asyncio, socket, ssl, struct, json"]],
  openssl: ["openssl", ["version"]],
};

const found = new Map<PeerProgram, boolean>();

/** Whether `program` can run here (probed once per process). */
export function hasPeer(program: PeerProgram): boolean {
  let ok = found.get(program);
  if (ok === undefined) {
    const [command, args] = PROBES[program];
    try {
      ok = new Deno.Command(command, {
        args,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).outputSync().code === 0;
    } catch {
      ok = false;
    }
    found.set(program, ok);
  }
  return ok;
}

/** The programs of `needs` that cannot run here. */
export function missingPeers(needs: readonly PeerProgram[]): PeerProgram[] {
  return needs.filter((program) => !hasPeer(program));
}

function peersRequired(): boolean {
  try {
    return Deno.env.get(REQUIRE_PEERS_ENV) === "1";
  } catch {
    return false; // No --allow-env: not on CI.
  }
}

/** Options of {@linkcode peerTest}: those of `Deno.test` that apply. */
export type PeerTestOptions = Pick<
  Deno.TestDefinition,
  "sanitizeOps" | "sanitizeResources" | "sanitizeExit"
>;

/**
 * Registers a test that needs real peers. Where one is missing, the test is
 * ignored under a name that says which (or fails, under
 * ASYNCIO_REQUIRE_PEERS=1).
 */
export function peerTest(
  name: string,
  needs: readonly PeerProgram[],
  fn: (t: Deno.TestContext) => void | Promise<void>,
  options: PeerTestOptions = {},
): void {
  const missing = missingPeers(needs);
  if (missing.length === 0) {
    Deno.test({ ...options, name, fn });
    return;
  }
  const what = `needs ${missing.join(" and ")}, not found`;
  if (peersRequired()) {
    Deno.test(`${name} [${what}]`, () => {
      throw new Error(
        `This real-peer test ${what}, and ${REQUIRE_PEERS_ENV}=1 forbids skipping it`,
      );
    });
    return;
  }
  Deno.test({ name: `${name} [skipped: ${what}]`, ignore: true, fn });
}

/** The path of a peer script in tests/peers/. */
export function peerScript(name: string): string {
  return new URL(`./peers/${name}`, import.meta.url).pathname;
}

/** The path of a file in tests/testdata/. */
export function testdata(name: string): string {
  return new URL(`./testdata/${name}`, import.meta.url).pathname;
}

/** What a finished peer printed, and how it ended. */
export interface PeerResult {
  code: number;
  signal: Deno.Signal | null;
  /** Its stdout after the lines already read with `readLine()`. */
  stdout: string;
  stderr: string;
}

/**
 * A running peer process with piped stdout and stderr (and stdin, closed
 * by `closeStdin()` or when it finishes).
 */
export class PeerProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;
  readonly #stderr: Promise<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #pending = "";
  #stdinClosed = false;
  #result: Promise<PeerResult> | null = null;

  /** Starts `command` with `args`. */
  constructor(command: string, args: string[], env?: Record<string, string>) {
    this.#child = new Deno.Command(command, {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#lines = this.#child.stdout
      .pipeThrough(new TextDecoderStream())
      .getReader();
    this.#stderr = new Response(this.#child.stderr).text();
    this.#stdin = this.#child.stdin.getWriter();
  }

  /** Runs a script of tests/peers/ with python3 (unbuffered output). */
  static python(script: string, args: string[] = []): PeerProcess {
    return new PeerProcess("python3", ["-u", peerScript(script), ...args]);
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * The next line the peer prints, without its newline; throws if it ends
   * first or takes more than `seconds`.
   */
  async readLine(seconds = 10): Promise<string> {
    const deadline = Date.now() + seconds * 1000;
    while (true) {
      const newline = this.#pending.indexOf("\n");
      if (newline >= 0) {
        const line = this.#pending.slice(0, newline);
        this.#pending = this.#pending.slice(newline + 1);
        return line;
      }
      const left = deadline - Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(left, 0));
      });
      const next = this.#lines.read();
      const chunk = await Promise.race([next, timeout]);
      clearTimeout(timer);
      if (chunk === "timeout") {
        const stderr = await this.#killAndStderr(next);
        throw new Error(
          `The peer printed no line within ${seconds} s; its stderr:\n${stderr}`,
        );
      }
      if (chunk.done) {
        const result = await this.finish();
        throw new Error(
          `The peer ended (code ${result.code}) before printing a line; its stderr:\n${result.stderr}`,
        );
      }
      this.#pending += chunk.value;
    }
  }

  /** Writes a text to the peer's stdin. */
  async write(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Closes the peer's stdin (its EOF there). */
  async closeStdin(): Promise<void> {
    if (this.#stdinClosed) return;
    this.#stdinClosed = true;
    try {
      await this.#stdin.close();
    } catch {
      // It has exited already.
    }
  }

  /** Waits until the peer exits (at most `seconds`, then it is killed). */
  finish(seconds = 30): Promise<PeerResult> {
    this.#result ??= this.#finish(seconds);
    return this.#result;
  }

  async #finish(seconds: number): Promise<PeerResult> {
    await this.closeStdin();
    const timer = setTimeout(() => this.#kill(), seconds * 1000);
    try {
      let rest = this.#pending;
      this.#pending = "";
      while (true) {
        const chunk = await this.#lines.read();
        if (chunk.done) break;
        rest += chunk.value;
      }
      const status = await this.#child.status;
      return {
        code: status.code,
        signal: status.signal,
        stdout: rest,
        stderr: await this.#stderr,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async #killAndStderr(pendingRead: Promise<unknown>): Promise<string> {
    this.#kill();
    await pendingRead.catch(() => {});
    return (await this.finish()).stderr;
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /** Kills the peer if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#result === null) this.#kill();
    await this.finish();
  }
}

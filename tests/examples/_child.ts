// Runs an example as a user would (`deno run <flags> examples/<name>.ts`),
// reads its stdout line by line, and stops it with a signal.

const ROOT = new URL("../../", import.meta.url);

/** The result of a child that has exited. */
export interface Exited {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** An example running in its own `deno run` process. */
export class ExampleProcess {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #pending = "";
  readonly #reading: Promise<void>;
  readonly #stderr: Promise<string>;
  #wake: (() => void) | null = null;
  #ended = false;
  #cursor = 0;

  /** Starts `examples/<script>` with Deno's `flags` and the script's `args`. */
  constructor(script: string, flags: string[], args: string[] = []) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, `examples/${script}`, ...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      // Its own process group, so that a test that fails can kill the
      // example and whatever it started (they share its stderr pipe).
      detached: true,
    }).spawn();
    this.#stderr = new Response(this.#child.stderr).text();
    this.#reading = this.#read();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stdout) {
      this.#pending += decoder.decode(chunk, { stream: true });
      const parts = this.#pending.split("\n");
      this.#pending = parts.pop()!;
      this.#lines.push(...parts);
      this.#wake?.();
    }
    if (this.#pending) this.#lines.push(this.#pending);
    this.#ended = true;
    this.#wake?.();
  }

  #killGroup(): void {
    try {
      Deno.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // The group is gone already.
    }
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Every stdout line so far. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /**
   * Waits (at most `seconds`) for a stdout line that matches `pattern`,
   * looking only after the line that the previous call matched.
   */
  async waitForLine(
    pattern: RegExp,
    seconds = 20,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + seconds * 1000;
    while (true) {
      for (; this.#cursor < this.#lines.length; this.#cursor++) {
        const match = this.#lines[this.#cursor].match(pattern);
        if (match) {
          this.#cursor++;
          return match;
        }
      }
      if (this.#ended) {
        throw new Error(
          `the example ended before printing ${pattern}; stdout:\n${
            this.#lines.join("\n")
          }\nstderr:\n${await this.#stderr}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no line matching ${pattern} within ${seconds} s; stdout:\n${
            this.#lines.join("\n")
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = null;
    }
  }

  /**
   * Sends `signal` (if given) and waits for the process to exit. SIGKILL
   * goes to its whole process group.
   */
  async finish(signal?: Deno.Signal, seconds = 20): Promise<Exited> {
    if (signal === "SIGKILL") this.#killGroup();
    else if (signal) this.#child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.#child.status,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), seconds * 1000);
      }),
    ]);
    clearTimeout(timer);
    if (status === null) {
      this.#killGroup();
      await this.#child.status;
      await this.#reading;
      await this.#stderr;
      throw new Error(
        `the example did not exit within ${seconds} s; stdout:\n${
          this.#lines.join("\n")
        }`,
      );
    }
    await this.#reading;
    return {
      code: status.code,
      signal: status.signal,
      stdout: this.#lines.join("\n"),
      stderr: await this.#stderr,
    };
  }
}

/** Runs an example to completion and returns what it printed. */
export function runExample(
  script: string,
  flags: string[],
  args: string[] = [],
  seconds = 30,
): Promise<Exited> {
  return new ExampleProcess(script, flags, args).finish(undefined, seconds);
}

/**
 * `Deno.test` with the ops, resources and exit sanitizers on (Deno 2.9
 * leaves them off unless asked): a leaked child, socket or timer fails.
 */
export function test(
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  Deno.test({
    name,
    fn,
    sanitizeOps: true,
    sanitizeResources: true,
    sanitizeExit: true,
  });
}

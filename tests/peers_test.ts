// tests/_peers.ts itself: a real-peer test whose program is missing is
// listed as ignored under a name that says what is missing, or fails under
// ASYNCIO_REQUIRE_PEERS=1; with the program there, it runs.

import assert from "node:assert/strict";
import { hasPeer, REQUIRE_PEERS_ENV } from "./_peers.ts";

const HELPER = new URL("./_peers.ts", import.meta.url).href;

/** What Deno needs to find its cache, passed on to the child. */
function cacheEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Runs a file of two peer tests with PATH set to `path`; its output. */
async function runTests(
  path: string,
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/probe_test.ts`;
    await Deno.writeTextFile(
      file,
      `import { peerTest } from ${JSON.stringify(HELPER)};
peerTest("talks to python", ["python3"], () => {});
peerTest("talks to both", ["python3", "openssl"], () => {});
`,
    );
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-config", "--allow-run", "--allow-env", file],
      env: { ...cacheEnv(), PATH: path, NO_COLOR: "1", ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return {
      code: result.code,
      output: text.decode(result.stdout) + text.decode(result.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("peerTest(): a missing program makes the test ignored, named after what is missing", async () => {
  const empty = await Deno.makeTempDir();
  try {
    const { code, output } = await runTests(empty);
    assert.equal(code, 0, output);
    assert.match(
      output,
      /^talks to python \[skipped: needs python3, not found\] \.\.\. ignored/m,
    );
    assert.match(
      output,
      /^talks to both \[skipped: needs python3 and openssl, not found\] \.\.\. ignored/m,
    );
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test(`peerTest(): under ${REQUIRE_PEERS_ENV}=1 a missing program fails the test`, async () => {
  const empty = await Deno.makeTempDir();
  try {
    const { code, output } = await runTests(empty, {
      [REQUIRE_PEERS_ENV]: "1",
    });
    assert.notEqual(code, 0, output);
    assert.match(
      output,
      /^talks to python \[needs python3, not found\] \.\.\. FAILED/m,
    );
    assert.match(output, /forbids skipping it/);
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test({
  name: "peerTest(): with the programs there, the tests run",
  ignore: !hasPeer("python3") || !hasPeer("openssl"),
  fn: async () => {
    const { code, output } = await runTests(Deno.env.get("PATH") ?? "", {
      [REQUIRE_PEERS_ENV]: "1",
    });
    assert.equal(code, 0, output);
    assert.match(output, /^talks to python \.\.\. ok/m);
    assert.match(output, /^talks to both \.\.\. ok/m);
  },
});

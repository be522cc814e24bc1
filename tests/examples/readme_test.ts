// Every TypeScript sample in README.md runs, type-checked, as a reader would
// run it: `deno run --check` from the repository root, with the published
// name `jsr:@asyncio/asyncio` pointed at this checkout (JSR is not reachable
// from the test machines; deno.json maps `@asyncio/asyncio` here).

import assert from "node:assert/strict";
import { test } from "./_child.ts";

const ROOT = new URL("../../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

/** The ```ts blocks of the README, with the line each starts on. */
function samples(text: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    found.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return found;
}

const all = samples(README);

test("README: has TypeScript samples to run", () => {
  assert.ok(all.length >= 10, `only ${all.length} samples found`);
});

for (const { line, code } of all) {
  const first = code.split("\n").find((l) => l.trim() !== "") ?? "";
  test(`README: the sample at line ${line} runs (${first.slice(0, 50)})`, async () => {
    const source = code.replaceAll("jsr:@asyncio/asyncio", "@asyncio/asyncio");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--check", "--allow-all", "-"],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(source));
    await writer.close();
    const { code: exit, stderr } = await child.output();
    const errors = new TextDecoder().decode(stderr);
    assert.equal(exit, 0, `README.md line ${line}:\n${errors}`);
  });
}

test("README: 'Your own program' works in a fresh folder next to a clone, as written", async () => {
  const section = README.slice(
    README.indexOf("## Your own program"),
    README.indexOf("## Examples"),
  );
  // The import map line and the program, exactly as the README gives them.
  const map = section.match(/^echo '(\{.*\})' > deno\.json$/m)?.[1];
  assert.ok(map, "no import map line in 'Your own program'");
  const program = samples(section)[0]?.code;
  assert.ok(program, "no program in 'Your own program'");
  const run = section.match(/^deno run (.*) main\.ts$/m)?.[1];
  assert.ok(run, "no run command in 'Your own program'");

  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(ROOT.pathname, `${dir}/asyncio-deno`);
    await Deno.mkdir(`${dir}/hello`);
    await Deno.writeTextFile(`${dir}/hello/deno.json`, map);
    await Deno.writeTextFile(`${dir}/hello/main.ts`, program);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--check", ...run.split(" "), "main.ts"],
      cwd: `${dir}/hello`,
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.equal(
      new TextDecoder().decode(stdout),
      '[ "you asked for /a", "you asked for /b", "you asked for /c" ]\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("README: 'Catching mistakes' lints its sample with the deno.json it gives, with the messages it shows", async () => {
  const section = README.slice(
    README.indexOf("## Catching mistakes"),
    README.indexOf("## Debugging"),
  );
  const config = section.match(/```json\n([\s\S]*?)```/)?.[1];
  assert.ok(config, "no deno.json in 'Catching mistakes'");
  const clonePath = section.match(/the plugin is\s+`"([^"]+)"`/)?.[1];
  assert.equal(clonePath, "../asyncio-deno/lint/mod.ts");
  const program = samples(section)[0]?.code;
  assert.ok(program, "no sample in 'Catching mistakes'");
  // Each rule's row: | `rule` | what | `` message `` |
  const rows = [
    ...section.matchAll(/^\| `([a-z-]+)` +\|.*\| `` (.*) `` +\|$/gm),
  ]
    .map((m) => ({ rule: m[1], message: m[2] }));
  assert.deepEqual(rows.map((r) => r.rule), [
    "no-floating-coroutine",
    "no-await-coroutine",
    "no-plain-yield-coroutine",
    "no-unbound-callback",
  ]);

  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(ROOT.pathname, `${dir}/asyncio-deno`);
    await Deno.mkdir(`${dir}/app`);
    await Deno.writeTextFile(
      `${dir}/app/deno.json`,
      config.replace("jsr:@asyncio/asyncio/lint", clonePath),
    );
    await Deno.writeTextFile(`${dir}/app/main.ts`, program);
    const lint = async (...args: string[]) => {
      const { stdout } = await new Deno.Command(Deno.execPath(), {
        args: ["lint", ...args, "main.ts"],
        cwd: `${dir}/app`,
        env: { NO_COLOR: "1" },
        stderr: "null",
      }).output();
      return new TextDecoder().decode(stdout);
    };
    const { diagnostics } = JSON.parse(await lint("--json")) as {
      diagnostics: { code: string; message: string }[];
    };
    assert.deepEqual(
      diagnostics.map((d) => d.code).sort(),
      rows.map((r) => `asyncio/${r.rule}`).sort(),
      JSON.stringify(diagnostics, null, 2),
    );
    for (const { rule, message } of rows) {
      assert.ok(
        diagnostics.some((d) =>
          d.code === `asyncio/${rule}` && d.message === message
        ),
        `${rule}: the README shows "${message}", deno lint said ${
          JSON.stringify(diagnostics.map((d) => d.message))
        }`,
      );
    }
    // `deno lint --fix` applies what the README says it does.
    await lint("--fix");
    const fixed = await Deno.readTextFile(`${dir}/app/main.ts`);
    assert.match(fixed, /^ {2}yield\* sleep\(1\);/m);
    assert.match(fixed, /^ {2}yield\* lock\.acquire\(\);/m);
    assert.match(fixed, /callSoon\(\(\) => task\.cancel\(\)\);/);
    assert.match(fixed, /await sleep\(1\);/, "no fix for await is claimed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

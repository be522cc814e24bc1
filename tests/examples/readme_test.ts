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

// What `deno doc` (and so JSR) shows of the public API: no member marked
// @internal, and no parameter with a default value shown as required (deno
// doc renders `maxsize: number = 0` as a required `maxsize: number`).
import assert from "node:assert/strict";

const MOD = new URL("../mod.ts", import.meta.url);

/** `deno doc --json mod.ts`: every public symbol and member. */
async function docJson(): Promise<unknown> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", MOD.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Calls `visit` on every object in the tree, with the names above it. */
function walk(
  node: unknown,
  visit: (node: Record<string, unknown>, path: string[]) => void,
  path: string[] = [],
): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, path);
  } else if (typeof node === "object" && node !== null) {
    const record = node as Record<string, unknown>;
    const name = typeof record.name === "string" ? record.name : null;
    visit(record, path);
    for (const value of Object.values(record)) {
      walk(value, visit, name === null ? path : [...path, name]);
    }
  }
}

Deno.test("deno doc: no member marked @internal is in the public docs", async () => {
  const internal: string[] = [];
  walk(await docJson(), (node, path) => {
    const tags = (node.jsDoc as { tags?: { kind: string }[] } | undefined)
      ?.tags ?? [];
    if (tags.some((tag) => tag.kind === "internal")) {
      internal.push([...path, String(node.name)].join("."));
    }
  });
  assert.deepEqual(internal, [], "add @ignore next to @internal");
});

Deno.test("deno doc: no parameter has a default value (it would show as required)", async () => {
  const defaults: string[] = [];
  walk(await docJson(), (node, path) => {
    if (node.kind === "assign" && typeof node.left === "object") {
      const left = node.left as { name?: string };
      defaults.push([...path, String(left.name)].join("."));
    }
  });
  assert.deepEqual(
    defaults,
    [],
    "write `param?: T` and apply the default in the body",
  );
});

Deno.test("deno doc: an optional parameter shows as optional (Queue's maxsize)", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", new URL("../queues/queue.ts", import.meta.url).href],
    stdout: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.match(text, /constructor\(maxsize\?: number\)/);
  assert.doesNotMatch(text, /_getters|_putters|_wakeUpNext/);
});

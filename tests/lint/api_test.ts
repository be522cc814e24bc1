import assert from "node:assert/strict";
import plugin from "../../lint/mod.ts";
import { API } from "../../lint/_api.ts";
import { apiSource, deriveApi, docNodes } from "./_generate_api.ts";

const nodes = await docNodes();

Deno.test("lint/_api.ts is what the module's exports give now", async () => {
  const derived = deriveApi(nodes);
  assert.deepEqual(
    API,
    derived,
    "lint/_api.ts is out of date: run `deno run --allow-run --allow-read --allow-write tests/lint/_generate_api.ts`",
  );
  const committed = await Deno.readTextFile(
    new URL("../../lint/_api.ts", import.meta.url),
  );
  assert.equal(committed, await apiSource(derived));
});

Deno.test("lint/_api.ts lists every exported function and method typed to return a coroutine", () => {
  // Read straight from `deno doc`, independently of the derivation.
  const expected: string[] = [];
  const exclusions = new Set(["Task.getCoro"]);
  for (const node of nodes) {
    for (const declaration of node.declarations) {
      // deno-lint-ignore no-explicit-any -- deno doc's JSON, read field by field
      const def = declaration.def as any;
      if (declaration.kind === "function") {
        if (/^(Coroutine|Generator)$/.test(def.returnType?.repr ?? "")) {
          expected.push(node.name);
        }
      }
      if (declaration.kind !== "class") continue;
      for (const method of def.methods ?? []) {
        const name = `${node.name}.${method.name}`;
        if (method.isStatic || method.name.startsWith("_")) continue;
        if (exclusions.has(name)) continue;
        const repr = method.functionDef?.returnType?.repr ?? "";
        if (/^(Coroutine|Generator)$/.test(repr)) expected.push(name);
      }
    }
  }
  const listed = [
    ...Object.keys(API.functions.coroutines),
    ...Object.entries(API.classes).flatMap(([cls, info]) =>
      Object.keys(info.coroutines ?? {}).map((m) => `${cls}.${m}`)
    ),
  ];
  assert.deepEqual([...new Set(listed)].sort(), [...new Set(expected)].sort());
  // The ones the issue names, in case `deno doc` changes its output.
  for (
    const name of [
      "sleep",
      "waitFor",
      "openConnection",
      "createSubprocessExec",
      "Lock.acquire",
      "Event.wait",
      "Queue.get",
      "Queue.put",
      "Queue.join",
      "StreamReader.readLine",
      "StreamWriter.drain",
      "Process.communicate",
      "EventLoop.createConnection",
    ]
  ) {
    assert.ok(listed.includes(name), `${name} is missing`);
  }
});

/** All coroutine methods of an exported class, its inherited ones too. */
function coroutineMethods(cls: string): string[] {
  const found: string[] = [];
  for (let c: string | undefined = cls; c !== undefined;) {
    found.push(...Object.keys(API.classes[c]?.coroutines ?? {}));
    c = API.classes[c]?.extends;
  }
  return found;
}

Deno.test("no-floating-coroutine reports a dropped call of every coroutine the module exports", async (t) => {
  const report = (source: string) =>
    Deno.lint.runPlugin(plugin, "/project/main.ts", source)
      .filter((d) => d.id === "asyncio/no-floating-coroutine")
      .map((d) => source.slice(d.range[0], d.range[1]));
  await t.step("functions", () => {
    for (const name of Object.keys(API.functions.coroutines)) {
      const source =
        `import { ${name} } from "@asyncio/asyncio";\nfunction* main() {\n  ${name}();\n}`;
      assert.deepEqual(report(source), [`${name}()`], name);
    }
  });
  await t.step("methods, inherited ones included", () => {
    let checked = 0;
    for (const cls of Object.keys(API.classes)) {
      for (const method of coroutineMethods(cls)) {
        const source =
          `import type { ${cls} } from "@asyncio/asyncio";\nfunction* main(x: ${cls}) {\n  x.${method}();\n}`;
        assert.deepEqual(report(source), [`x.${method}()`], `${cls}.${method}`);
        checked++;
      }
    }
    // PriorityQueue, LifoQueue and BoundedSemaphore add inherited ones.
    assert.ok(checked > 40, `only ${checked} methods checked`);
  });
});

// The layer rule of DESIGN.md: a folder imports only from the layers below it.
// Reads the import lines of every source file (type imports included).

import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const root = fromFileUrl(new URL("../", import.meta.url));

/** Which folders each folder may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  eventloop: [],
  tasks: ["eventloop"],
  sync: ["eventloop", "tasks"],
  queues: ["eventloop", "tasks"],
  streams: ["eventloop", "tasks"],
  subprocess: ["eventloop", "tasks", "streams"],
  // The lint plugin reads source, and loads without the module itself.
  lint: [],
};

/** The one upward edge DESIGN.md allows: the loop's default task factory. */
const EXCEPTIONS = new Set(["eventloop/event_loop.ts -> tasks/task.ts"]);

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function importsOf(text: string): string[] {
  // JSDoc examples import the package by name; only real code counts.
  const source = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
  const specifiers: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of source.matchAll(pattern)) {
    specifiers.push(match[1] ?? match[2] ?? match[3]);
  }
  return specifiers;
}

Deno.test("layers: each folder imports only from the layers below it", () => {
  const violations: string[] = [];
  let checked = 0;
  for (const folder of Object.keys(ALLOWED)) {
    let dir: string;
    try {
      dir = `${root}${folder}`;
      Deno.statSync(dir);
    } catch {
      continue;
    }
    for (const file of sourceFiles(dir)) {
      const from = relative(root, file);
      for (const specifier of importsOf(Deno.readTextFileSync(file))) {
        checked++;
        if (!specifier.startsWith(".")) {
          if (specifier.startsWith("node:") || specifier.startsWith("npm:")) {
            if (!specifier.startsWith("node:")) {
              violations.push(`${from} imports a package: ${specifier}`);
            }
            continue;
          }
          violations.push(`${from} imports ${specifier}`);
          continue;
        }
        const target = relative(
          root,
          fromFileUrl(new URL(specifier, `file://${file}`)),
        );
        const targetFolder = target.split("/")[0];
        if (targetFolder === folder) continue;
        if (ALLOWED[folder].includes(targetFolder)) continue;
        if (EXCEPTIONS.has(`${from} -> ${target}`)) continue;
        violations.push(`${from} -> ${target}`);
      }
    }
  }
  assert.ok(checked > 10, "the test found too few imports to check");
  assert.deepEqual(violations, []);
});

Deno.test("layers: the import scanner sees every form of import", () => {
  const specs = importsOf(
    'import { a } from "../a.ts";\nimport type { B } from "./b.ts";\nexport * from "./c.ts";\nimport "./d.ts";\nconst e = await import("./e.ts");\nimport {\n  f,\n} from "../f.ts";\n/** import { g } from "@x/g"; */\n// import "./h.ts";',
  );
  assert.deepEqual(specs, [
    "../a.ts",
    "./b.ts",
    "./c.ts",
    "./d.ts",
    "./e.ts",
    "../f.ts",
  ]);
});

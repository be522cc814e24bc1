// The layer rule of DESIGN.md: a folder imports only from the layers below it.
// Reads the import lines of every source file (type imports included). And
// the rule of the loop's internal surface (eventloop/_lowlevel.ts): no folder
// imports another folder's private files (`_name.ts`) but that one, nor reads
// another folder's underscore members (`loop._tasks`) but those of the
// interfaces the surface exports.

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

/** The one private file a folder may import from another folder. */
const SURFACE = "eventloop/_lowlevel.ts";

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The source without comments (JSDoc examples are not code). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function importsOf(text: string): string[] {
  const source = code(text);
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
        if (EXCEPTIONS.has(`${from} -> ${target}`)) continue;
        if (!ALLOWED[folder].includes(targetFolder)) {
          violations.push(`${from} -> ${target}`);
        } else if (isPrivate(target) && target !== SURFACE) {
          violations.push(
            `${from} -> ${target}: another folder's private file (use ${SURFACE})`,
          );
        }
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

function isPrivate(path: string): boolean {
  return path.split("/").pop()!.startsWith("_");
}

// ---- Underscore members ----

/** Code without comments and string contents, for member names. */
function bare(text: string): string {
  return code(text)
    .replace(/`(?:\\[\s\S]|\$\{[^}]*\}|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

/** Underscore members declared in class or interface bodies. */
function declaredMembers(text: string): string[] {
  const source = bare(text);
  const names: string[] = [];
  // A member starts a line; a parameter of a function written over several
  // lines does too, but ends with a comma.
  const member =
    /^\s*(?:(?:public|private|protected|readonly|static|override|declare|async|get|set)\s+)*\*?\s*(_[A-Za-z]\w*)\s*[?!]?\s*[(:=;<].*$/gm;
  const parameterProperty =
    /[(,]\s*(?:readonly|public|private|protected)\s+(_[A-Za-z]\w*)\s*\??:/g;
  for (const m of source.matchAll(member)) {
    if (!m[0].trimEnd().endsWith(",")) names.push(m[1]);
  }
  for (const m of source.matchAll(parameterProperty)) names.push(m[1]);
  return names;
}

/** Underscore members read or written: `x._name`, `x?._name`. */
function usedMembers(text: string): string[] {
  return [...bare(text).matchAll(/\??\.\s*(_[A-Za-z]\w*)\b/g)].map((m) => m[1]);
}

/**
 * The members the surface shares: those of the interfaces it re-exports by
 * name (`export type { Runnable } from "./handle.ts"`), which the layers
 * above may implement and use.
 */
function sharedMembers(): Set<string> {
  const surface = Deno.readTextFileSync(`${root}${SURFACE}`);
  const shared = new Set<string>();
  const reexport =
    /export\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["'](\.\/[^"']+)["']/g;
  for (const [, list, from] of code(surface).matchAll(reexport)) {
    const file = Deno.readTextFileSync(`${root}eventloop/${from.slice(2)}`);
    for (const entry of list.split(",")) {
      const name = entry.replace(/\btype\b/, "").trim();
      if (name === "") continue;
      const body = new RegExp(
        `export\\s+interface\\s+${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`,
      ).exec(code(file));
      if (body === null) continue;
      for (const member of declaredMembers(`{\n${body[1]}\n}`)) {
        shared.add(member);
      }
    }
  }
  return shared;
}

/** Each source folder's files and the underscore members it declares. */
function membersByFolder(): Map<string, Map<string, string>> {
  const folders = new Map<string, Map<string, string>>();
  for (const folder of Object.keys(ALLOWED)) {
    if (folder === "lint") continue;
    const files = new Map<string, string>();
    for (const file of sourceFiles(`${root}${folder}`)) {
      files.set(relative(root, file), Deno.readTextFileSync(file));
    }
    folders.set(folder, files);
  }
  return folders;
}

Deno.test("layers: no folder reads another folder's underscore members but through the surface", () => {
  const shared = sharedMembers();
  assert.ok(shared.has("_run"), "the surface shares Runnable's members");
  const folders = membersByFolder();
  const declared = new Map<string, Set<string>>();
  for (const [folder, files] of folders) {
    const names = new Set<string>();
    for (const text of files.values()) {
      for (const name of declaredMembers(text)) names.add(name);
    }
    declared.set(folder, names);
  }
  const violations: string[] = [];
  let checked = 0;
  for (const [folder, files] of folders) {
    const own = declared.get(folder)!;
    for (const [path, text] of files) {
      // A member declared here that a lower folder also declares would hide
      // a read of the lower one's: each name belongs to one folder.
      for (const name of new Set(declaredMembers(text))) {
        if (shared.has(name)) continue;
        for (const lower of ALLOWED[folder]) {
          if (declared.get(lower)?.has(name)) {
            violations.push(`${path} declares ${name}, as ${lower}/ does`);
          }
        }
      }
      for (const name of new Set(usedMembers(text))) {
        checked++;
        if (own.has(name) || shared.has(name)) continue;
        const owners = [...declared].filter(([, names]) => names.has(name))
          .map(([owner]) => owner);
        if (owners.length > 0) {
          violations.push(`${path} uses ${name} of ${owners.join(", ")}/`);
        }
      }
    }
  }
  assert.ok(checked > 50, "the test found too few members to check");
  assert.deepEqual(violations, []);
});

Deno.test("layers: the member scanner sees declarations and uses", () => {
  const source = `
class A {
  _a = 1;
  readonly _b: number;
  get _c(): number { return 1; }
  *_d(): Generator {}
  static _e = 2;
  constructor(readonly _f: string) {}
  method(
    _unused: number,
  ) {}
  /** _g in a comment */
  h() { return this._i + other?._j + "._k"; }
}
interface B {
  _l?: number;
  _m(): void;
}`;
  assert.deepEqual(declaredMembers(source).sort(), [
    "_a",
    "_b",
    "_c",
    "_d",
    "_e",
    "_f",
    "_l",
    "_m",
  ]);
  assert.deepEqual(usedMembers(source), ["_i", "_j"]);
});

Deno.test("layers: no file of the module lies to the type checker with `as unknown as`", () => {
  const lies: string[] = [];
  for (const folder of Object.keys(ALLOWED)) {
    for (const file of sourceFiles(`${root}${folder}`)) {
      const lines = bare(Deno.readTextFileSync(file)).split("\n");
      lines.forEach((line, i) => {
        if (/\bas\s+unknown\s+as\b/.test(line)) {
          lies.push(`${relative(root, file)}:${i + 1}`);
        }
      });
    }
  }
  assert.deepEqual(lies, []);
});

Deno.test("every deno-lint-ignore says why", () => {
  const silent: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.name.startsWith(".")) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) {
        Deno.readTextFileSync(path).split("\n").forEach((line, i) => {
          // The lint plugin's docs show the form: they are not an ignore.
          if (
            /^\s*\/\/ deno-lint-ignore\b/.test(line) && !/ -- \S/.test(line)
          ) {
            silent.push(`${relative(root, path)}:${i + 1}`);
          }
        });
      }
    }
  };
  walk(root.replace(/\/$/, ""));
  assert.deepEqual(silent, []);
});

// Derives lint/_api.ts, the lint plugin's view of the module's public API,
// from `deno doc --json mod.ts`: which exported functions and methods make a
// coroutine (their return type is `Coroutine<T>`), what that coroutine
// returns, and which calls and properties give instances of exported classes,
// so the rules can follow `lock`, `reader` or `proc.stdout` to their methods.
//
//   deno run --allow-run --allow-read --allow-write tests/lint/_generate_api.ts
//
// tests/lint/api_test.ts fails when the committed file differs from what this
// derives now, so a coroutine added to the module cannot be missed.

import type {
  Api,
  Callbacks,
  ClassApi,
  Result,
} from "../../lint/_api_types.ts";

/**
 * Exports whose type says `Coroutine` but that make none: the rules must not
 * treat a call to them as making a new coroutine.
 */
export const NOT_FACTORIES: Record<string, string> = {
  "Task.getCoro": "returns the coroutine the task already drives",
};

interface TsType {
  repr?: string;
  kind?: string;
  // deno-lint-ignore no-explicit-any -- deno doc's JSON, read field by field
  value?: any;
}

interface DocNode {
  name: string;
  declarations: {
    kind: string;
    // deno-lint-ignore no-explicit-any -- deno doc's JSON, read field by field
    def: any;
  }[];
}

const ROOT = new URL("../../", import.meta.url);

/** Runs `deno doc --json mod.ts` in the repository. */
export async function docNodes(): Promise<DocNode[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno doc failed:\n${new TextDecoder().decode(stderr)}`);
  }
  const json = JSON.parse(new TextDecoder().decode(stdout));
  return Object.values(json.nodes as Record<string, { symbols: DocNode[] }>)
    .flatMap((node) => node.symbols);
}

/** Derives the view from the doc nodes. */
export function deriveApi(nodes: DocNode[]): Api {
  const classNames = new Set(
    nodes.filter((n) => n.declarations.some((d) => d.kind === "class"))
      .map((n) => n.name),
  );
  /** The exported class `type` names, through `| null` and `| undefined`. */
  const classOf = (type: TsType | undefined): string | null => {
    if (type === undefined) return null;
    if (type.kind === "typeRef" && classNames.has(type.value?.typeName)) {
      return type.value.typeName;
    }
    if (type.kind === "union") {
      const found = (type.value as TsType[]).filter((t) =>
        !(t.kind === "keyword" && (t.repr === "null" || t.repr === "undefined"))
      );
      return found.length === 1 ? classOf(found[0]) : null;
    }
    return null;
  };
  /** The result of a `Coroutine<T>` return type; undefined if not one. */
  const coroutineResult = (type: TsType | undefined): Result | undefined => {
    if (type?.kind !== "typeRef") return undefined;
    const name = type.value?.typeName;
    if (name !== "Coroutine" && name !== "Generator") return undefined;
    const param: TsType | undefined = type.value.typeParams?.[
      name === "Generator" ? 1 : 0
    ];
    if (param?.kind === "tuple") {
      const items = (param.value as TsType[]).map(classOf);
      return items.some((item) => item !== null) ? items : null;
    }
    return classOf(param);
  };

  const aliases = new Map<string, TsType>();
  for (const node of nodes) {
    for (const declaration of node.declarations) {
      if (declaration.kind === "typeAlias") {
        aliases.set(node.name, declaration.def.tsType);
      }
    }
  }
  /** The classes each function type in `type` is called with. */
  const callbackParams = (
    type: TsType | undefined,
    seen = new Set<string>(),
  ): (string | null)[] | null => {
    if (type === undefined) return null;
    if (type.kind === "typeRef" && aliases.has(type.value?.typeName)) {
      const name = type.value.typeName;
      if (seen.has(name)) return null;
      seen.add(name);
      return callbackParams(aliases.get(name), seen);
    }
    if (type.kind === "parenthesized") return callbackParams(type.value, seen);
    if (type.kind === "union") {
      for (const member of type.value as TsType[]) {
        const found = callbackParams(member, seen);
        if (found !== null) return found;
      }
      return null;
    }
    if (type.kind === "fnOrConstructor" && !type.value.constructor) {
      const params = (type.value.params as { tsType?: TsType }[]).map((p) =>
        classOf(p.tsType)
      );
      return params.some((p) => p !== null) ? params : null;
    }
    return null;
  };
  const callbacksOf = (
    params: { tsType?: TsType }[] | undefined,
  ): Callbacks | null => {
    const found: Callbacks = {};
    (params ?? []).forEach((param, i) => {
      const classes = callbackParams(param.tsType);
      if (classes !== null) found[i] = classes;
    });
    return Object.keys(found).length > 0 ? found : null;
  };

  const api: Api = {
    functions: { coroutines: {}, returns: {}, callbacks: {} },
    classes: {},
  };
  const sorted = [...nodes].sort((a, b) => a.name.localeCompare(b.name));
  for (const node of sorted) {
    for (const declaration of node.declarations) {
      const def = declaration.def;
      if (declaration.kind === "function") {
        const callbacks = callbacksOf(def.params);
        if (callbacks !== null) api.functions.callbacks[node.name] = callbacks;
        const result = coroutineResult(def.returnType);
        if (result !== undefined) {
          api.functions.coroutines[node.name] = result;
          continue;
        }
        const cls = classOf(def.returnType);
        if (cls !== null) api.functions.returns[node.name] = cls;
      } else if (declaration.kind === "class") {
        const info: ClassApi = {};
        if (typeof def.extends === "string" && classNames.has(def.extends)) {
          info.extends = def.extends;
        }
        for (const method of def.methods ?? []) {
          const name: string = method.name;
          if (method.isStatic || name.startsWith("_")) continue;
          if (`${node.name}.${name}` in NOT_FACTORIES) continue;
          const type = method.functionDef?.returnType;
          if (method.kind === "getter") {
            const cls = classOf(type);
            if (cls !== null) (info.properties ??= {})[name] = cls;
            continue;
          }
          if (method.kind !== "method") continue;
          const callbacks = callbacksOf(method.functionDef?.params);
          if (callbacks !== null) (info.callbacks ??= {})[name] = callbacks;
          const result = coroutineResult(type);
          if (result !== undefined) {
            (info.coroutines ??= {})[name] = result;
            continue;
          }
          const cls = classOf(type);
          if (cls !== null) (info.returns ??= {})[name] = cls;
        }
        for (const property of def.properties ?? []) {
          const name: string = property.name;
          if (property.isStatic || name.startsWith("_")) continue;
          const cls = classOf(property.tsType);
          if (cls !== null) (info.properties ??= {})[name] = cls;
        }
        api.classes[node.name] = info;
      }
    }
  }
  return api;
}

/** The text of lint/_api.ts for `api` (formatted as `deno fmt` leaves it). */
export async function apiSource(api: Api): Promise<string> {
  const text =
    `// Generated by tests/lint/_generate_api.ts from \`deno doc --json mod.ts\`:
// the module's exports that make coroutines, and the calls and properties
// that give instances of its classes. tests/lint/api_test.ts fails when it is
// out of date. Do not edit by hand.

import type { Api } from "./_api_types.ts";

/** The module's public API, as the lint rules see it. */
export const API: Api = ${JSON.stringify(api)};
`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ts", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout } = await child.output();
  if (code !== 0) throw new Error("deno fmt failed on the generated file");
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const source = await apiSource(deriveApi(await docNodes()));
  await Deno.writeTextFile(new URL("lint/_api.ts", ROOT), source);
  console.log("wrote lint/_api.ts");
}

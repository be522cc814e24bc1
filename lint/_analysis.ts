// What the rules know about a file without type information: which calls
// make a coroutine, and what a name or an expression holds, as far as the
// file itself and the module's public API (lint/_api.ts) tell.
//
// A call makes a coroutine when its callee is
// - a generator function or generator method written in the file, or
// - one of the module's coroutine functions (`sleep`, `openConnection`...),
//   imported from the module, or reached through `import * as asyncio`, or
// - a coroutine method of an instance of one of the module's classes, where
//   the instance is known from the file: `new Lock()`, a `: Queue<T>`
//   annotation, `yield* openConnection()`'s `[reader, writer]`, `proc.stdout`,
//   `getRunningLoop()`, a `taskGroup()` body's `tg`, a class field...
//
// Names are resolved through the file's scopes, so a local `sleep` or a
// parameter named `lock` of another type shadows what is outside. What the
// file does not say (a value from another file, an untyped parameter) is
// unknown, and an unknown value is never reported.

import { API } from "./_api.ts";
import type { Callbacks, ClassApi, Result } from "./_api_types.ts";

/** An AST node, read field by field. */
export interface AstNode {
  readonly type: string;
  readonly range: [number, number];
  readonly parent?: AstNode | null;
  readonly [field: string]: unknown;
}

/** The node in `value`, if it is one. */
export function node(value: unknown): AstNode | null {
  return typeof value === "object" && value !== null &&
      typeof (value as AstNode).type === "string"
    ? value as AstNode
    : null;
}

/** The nodes in `value`, if it is an array of them. */
export function nodes(value: unknown): AstNode[] {
  if (!Array.isArray(value)) return [];
  return value.map(node).filter((n): n is AstNode => n !== null);
}

const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);

const SCOPE_TYPES = new Set([
  "Program",
  ...FUNCTION_TYPES,
  "BlockStatement",
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "CatchClause",
  "SwitchStatement",
  "StaticBlock",
  "ClassDeclaration",
  "ClassExpression",
]);

/** Expressions that only wrap another for the type checker or `?.`. */
const WRAPPERS = new Set([
  "ChainExpression",
  "TSNonNullExpression",
  "TSSatisfiesExpression",
  "TSInstantiationExpression",
]);

/** `expr` without the wrappers of {@linkcode WRAPPERS}. */
export function unwrap(expr: AstNode | null): AstNode | null {
  while (expr !== null && WRAPPERS.has(expr.type)) {
    expr = node(expr.expression);
  }
  return expr;
}

/** What the rules know a name or an expression holds. */
export type Meaning =
  /** `import * as asyncio` of the module. */
  | { kind: "namespace" }
  /** An exported function or class of the module. */
  | { kind: "export"; name: string }
  /** A function written in the file. */
  | { kind: "function"; fn: AstNode }
  /** A class written in the file. */
  | { kind: "class"; cls: AstNode }
  /** An instance of an exported class of the module. */
  | { kind: "instance"; cls: string }
  /** An instance of a class written in the file. */
  | { kind: "local-instance"; cls: AstNode }
  | { kind: "tuple"; items: (Meaning | null)[] }
  /**
   * A coroutine just made by a call; `fn` is the generator function written
   * in the file that made it, `null` for the module's own.
   */
  | {
    kind: "coroutine";
    call: AstNode;
    fn: AstNode | null;
    result: Meaning | null;
  };

interface Binding {
  /**
   * `foreign-namespace` is `import * as x` of another module: a plain
   * object of functions, for no-unbound-callback.
   */
  source:
    | "import"
    | "namespace"
    | "foreign-namespace"
    | "function"
    | "class"
    | "value"
    | "unknown";
  /** The module's export an import names. */
  exported?: string;
  /** The function or class; for a value, what it was initialized with. */
  node?: AstNode | null;
  /** A value's type annotation. */
  annotation?: AstNode | null;
  /** Where in the initializer a destructured value sits. */
  path?: (number | string)[];
  /** A parameter's function and position, for callbacks of the module. */
  param?: { fn: AstNode; index: number };
}

/** A call that makes a coroutine. */
export interface CoroutineCall {
  call: AstNode;
  /** The generator function written in the file, `null` for the module's. */
  fn: AstNode | null;
}

const PACKAGE_ROOT = (() => {
  const root = new URL("../", import.meta.url);
  return root.protocol === "file:" ? decodeURIComponent(root.pathname) : null;
})();

/**
 * Whether `specifier`, imported by the file at `filename`, is the module:
 * a specifier that names it (`@asyncio/asyncio`, `jsr:@asyncio/asyncio/sync`,
 * an import map entry with "asyncio" in it), or a relative path into the
 * package this plugin belongs to (the module's own files and tests).
 */
export function isModuleSpecifier(
  specifier: string,
  filename: string,
): boolean {
  if (!specifier.startsWith(".")) return /asyncio/i.test(specifier);
  if (PACKAGE_ROOT === null) return false;
  try {
    const base = new URL(`file://${filename.replaceAll("\\", "/")}`);
    const target = decodeURIComponent(new URL(specifier, base).pathname);
    return target.startsWith(PACKAGE_ROOT);
  } catch {
    return false;
  }
}

function keyOf(n: AstNode): string {
  return `${n.type}@${n.range[0]}:${n.range[1]}`;
}

/** The name of a non-computed property or a class member's key. */
export function propertyName(member: AstNode): string | null {
  const key = node(member.property ?? member.key);
  if (key === null) return null;
  if (member.computed) {
    return key.type === "Literal" && typeof key.value === "string"
      ? key.value
      : null;
  }
  if (key.type === "Identifier") return key.name as string;
  if (key.type === "PrivateIdentifier") return `#${key.name}`;
  return null;
}

/** The innermost function around `n`, or `null` at the top level. */
export function enclosingFunction(n: AstNode): AstNode | null {
  for (let p = node(n.parent); p !== null; p = node(p.parent)) {
    if (FUNCTION_TYPES.has(p.type)) return p;
  }
  return null;
}

/**
 * One file's analysis. Its visitors collect the file's declarations while
 * Deno walks the tree; the rules ask their questions at `Program:exit`, when
 * everything declared anywhere in the file is known.
 */
export class FileAnalysis {
  readonly filename: string;
  #scopes = new Map<string, Map<string, Binding>>();
  #meanings = new Map<string, Meaning | null>();
  #resolving = new Set<string>();
  #generators: AstNode[] = [];
  #yields: AstNode[] = [];
  #calls: AstNode[] = [];
  #coroutineFunctions: Set<string> | null = null;

  constructor(filename: string) {
    this.filename = filename;
  }

  /** Visitors that collect what the analysis needs; merge them into a rule's. */
  visitors(): Record<string, (n: AstNode) => void> {
    const fn = (n: AstNode) => this.#function(n);
    return {
      ImportDeclaration: (n) => this.#import(n),
      FunctionDeclaration: fn,
      FunctionExpression: fn,
      ArrowFunctionExpression: fn,
      ClassDeclaration: (n) => this.#class(n),
      ClassExpression: (n) => this.#class(n),
      VariableDeclarator: (n) => this.#variable(n),
      CatchClause: (n) => {
        const param = node(n.param);
        if (param !== null) this.#bindPattern(param, n, {});
      },
      YieldExpression: (n) => {
        this.#yields.push(n);
      },
      CallExpression: (n) => {
        this.#calls.push(n);
      },
    };
  }

  #bind(scope: AstNode, name: string, binding: Binding): void {
    const key = keyOf(scope);
    let names = this.#scopes.get(key);
    if (names === undefined) this.#scopes.set(key, names = new Map());
    names.set(name, binding);
  }

  /** The scope a `let`, `const`, class or function declared at `n` goes to. */
  #blockScope(n: AstNode): AstNode {
    for (let p = node(n.parent); p !== null; p = node(p.parent)) {
      if (SCOPE_TYPES.has(p.type)) return p;
    }
    return n;
  }

  /** The scope a `var` declared at `n` goes to. */
  #functionScope(n: AstNode): AstNode {
    for (let p = node(n.parent); p !== null; p = node(p.parent)) {
      if (p.type === "Program" || FUNCTION_TYPES.has(p.type)) return p;
    }
    return n;
  }

  #import(n: AstNode): void {
    const source = node(n.source);
    const specifier = typeof source?.value === "string" ? source.value : "";
    const fromModule = isModuleSpecifier(specifier, this.filename);
    const scope = this.#blockScope(n);
    for (const spec of nodes(n.specifiers)) {
      const local = node(spec.local);
      if (local === null) continue;
      const name = local.name as string;
      if (!fromModule && spec.type === "ImportNamespaceSpecifier") {
        this.#bind(scope, name, { source: "foreign-namespace" });
      } else if (!fromModule || spec.type === "ImportDefaultSpecifier") {
        this.#bind(scope, name, { source: "unknown" });
      } else if (spec.type === "ImportNamespaceSpecifier") {
        this.#bind(scope, name, { source: "namespace" });
      } else {
        const imported = node(spec.imported);
        const exported = imported?.type === "Identifier"
          ? imported.name as string
          : String(imported?.value ?? name);
        this.#bind(scope, name, { source: "import", exported });
      }
    }
  }

  #function(n: AstNode): void {
    const id = node(n.id);
    if (id !== null) {
      // A declaration's name lives outside it; an expression's only inside.
      const scope = n.type === "FunctionDeclaration" ? this.#blockScope(n) : n;
      this.#bind(scope, id.name as string, { source: "function", node: n });
    }
    nodes(n.params).forEach((param, index) => {
      this.#bindPattern(param, n, { param: { fn: n, index } });
    });
    if (n.generator === true) this.#generators.push(n);
  }

  #class(n: AstNode): void {
    const id = node(n.id);
    if (id === null) return;
    const scope = n.type === "ClassDeclaration" ? this.#blockScope(n) : n;
    this.#bind(scope, id.name as string, { source: "class", node: n });
  }

  #variable(n: AstNode): void {
    const declaration = node(n.parent);
    const id = node(n.id);
    if (id === null) return;
    const scope = declaration?.kind === "var"
      ? this.#functionScope(n)
      : this.#blockScope(n);
    // `for (const x of xs)`: what x holds is not what the loop iterates.
    const inLoopHead = node(declaration?.parent)?.type === "ForOfStatement" ||
      node(declaration?.parent)?.type === "ForInStatement";
    this.#bindPattern(id, scope, {
      node: inLoopHead ? null : node(n.init),
    });
  }

  #bindPattern(
    pattern: AstNode,
    scope: AstNode,
    base: Partial<Binding>,
  ): void {
    const path = base.path ?? [];
    switch (pattern.type) {
      case "Identifier":
        this.#bind(scope, pattern.name as string, {
          source: base.param === undefined && base.node === undefined
            ? "unknown"
            : "value",
          node: base.node ?? null,
          annotation: path.length === 0 ? node(pattern.typeAnnotation) : null,
          path,
          param: path.length === 0 ? base.param : undefined,
        });
        return;
      case "TSParameterProperty": {
        const inner = node(pattern.parameter);
        if (inner !== null) this.#bindPattern(inner, scope, base);
        return;
      }
      case "AssignmentPattern": {
        const left = node(pattern.left);
        if (left === null) return;
        // A default stands for the value when nothing else is known.
        const fallback = path.length === 0 && (base.node ?? null) === null
          ? { ...base, node: node(pattern.right) }
          : base;
        this.#bindPattern(left, scope, fallback);
        return;
      }
      case "ArrayPattern":
        nodes(pattern.elements).forEach((element, i) => {
          this.#bindPattern(element, scope, {
            node: base.node ?? null,
            path: [...path, i],
          });
        });
        return;
      case "ObjectPattern":
        for (const property of nodes(pattern.properties)) {
          if (property.type === "RestElement") {
            this.#bindPattern(property, scope, { node: null });
            continue;
          }
          const value = node(property.value);
          const name = propertyName(property);
          if (value === null) continue;
          this.#bindPattern(value, scope, {
            node: name === null ? null : base.node ?? null,
            path: name === null ? [] : [...path, name],
          });
        }
        return;
      case "RestElement": {
        const argument = node(pattern.argument);
        if (argument !== null) {
          this.#bindPattern(argument, scope, { node: null });
        }
        return;
      }
    }
  }

  /** Whether `name` at `from` is an `import * as` namespace of any module. */
  isNamespace(name: string, from: AstNode): boolean {
    const source = this.#lookup(name, from)?.source;
    return source === "namespace" || source === "foreign-namespace";
  }

  #lookup(name: string, from: AstNode): Binding | null {
    for (let p: AstNode | null = from; p !== null; p = node(p.parent)) {
      const names = this.#scopes.get(keyOf(p));
      const found = names?.get(name);
      if (found !== undefined) return found;
    }
    return null;
  }

  /** What `expr` holds, as far as the file and the module's API tell. */
  meaning(expr: AstNode | null): Meaning | null {
    if (expr === null) return null;
    const key = keyOf(expr);
    if (this.#meanings.has(key)) return this.#meanings.get(key)!;
    if (this.#resolving.has(key)) return null;
    this.#resolving.add(key);
    let found: Meaning | null = null;
    try {
      found = this.#meaningOf(expr);
    } finally {
      this.#resolving.delete(key);
    }
    this.#meanings.set(key, found);
    return found;
  }

  #meaningOf(expr: AstNode): Meaning | null {
    switch (expr.type) {
      case "Identifier": {
        const binding = this.#lookup(expr.name as string, expr);
        return binding === null ? null : this.#bindingMeaning(binding, expr);
      }
      case "ThisExpression": {
        const cls = this.#thisClass(expr);
        return cls === null ? null : { kind: "local-instance", cls };
      }
      case "MemberExpression": {
        const name = propertyName(expr);
        if (name === null) return null;
        return this.#memberMeaning(this.meaning(node(expr.object)), name);
      }
      case "CallExpression":
        return this.#callMeaning(expr);
      case "NewExpression": {
        const callee = this.meaning(unwrap(node(expr.callee)));
        if (callee?.kind === "export" && callee.name in API.classes) {
          return { kind: "instance", cls: callee.name };
        }
        if (callee?.kind === "class") {
          return { kind: "local-instance", cls: callee.cls };
        }
        return null;
      }
      case "YieldExpression": {
        if (expr.delegate !== true) return null;
        const made = this.meaning(node(expr.argument));
        return made?.kind === "coroutine" ? made.result : null;
      }
      case "TSAsExpression":
      case "TSTypeAssertion":
        return this.annotationMeaning(node(expr.typeAnnotation)) ??
          this.meaning(node(expr.expression));
      case "AssignmentExpression":
        return this.meaning(node(expr.right));
      case "ArrayExpression":
        return {
          kind: "tuple",
          items: nodes(expr.elements).map((e) => this.meaning(e)),
        };
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return { kind: "function", fn: expr };
      case "ClassExpression":
        return { kind: "class", cls: expr };
      default:
        if (WRAPPERS.has(expr.type)) return this.meaning(node(expr.expression));
        return null;
    }
  }

  #bindingMeaning(binding: Binding, at: AstNode): Meaning | null {
    switch (binding.source) {
      case "namespace":
        return { kind: "namespace" };
      case "import":
        return { kind: "export", name: binding.exported! };
      case "function":
        return { kind: "function", fn: binding.node! };
      case "class":
        return { kind: "class", cls: binding.node! };
      case "unknown":
      case "foreign-namespace":
        return null;
    }
    let found: Meaning | null = null;
    if (binding.node) {
      found = this.meaning(binding.node);
      for (const step of binding.path ?? []) {
        if (found === null) break;
        found = typeof step === "number"
          ? found.kind === "tuple" ? found.items[step] ?? null : null
          : this.#memberMeaning(found, step);
      }
    }
    if (found === null && binding.annotation) {
      found = this.annotationMeaning(binding.annotation, at);
    }
    if (found === null && binding.param !== undefined) {
      found = this.#callbackParamMeaning(binding.param.fn, binding.param.index);
    }
    return found;
  }

  /** What a type annotation says an instance is. */
  annotationMeaning(type: AstNode | null, at?: AstNode): Meaning | null {
    if (type === null) return null;
    switch (type.type) {
      case "TSTypeAnnotation":
        return this.annotationMeaning(node(type.typeAnnotation), at ?? type);
      case "TSTypeReference": {
        const name = node(type.typeName);
        if (name?.type === "Identifier") {
          const binding = this.#lookup(name.name as string, at ?? type);
          if (
            binding?.source === "import" && binding.exported! in API.classes
          ) {
            return { kind: "instance", cls: binding.exported! };
          }
          if (binding?.source === "class") {
            return { kind: "local-instance", cls: binding.node! };
          }
          return null;
        }
        if (name?.type === "TSQualifiedName") {
          const left = node(name.left);
          const right = node(name.right);
          if (left?.type !== "Identifier" || right === null) return null;
          const binding = this.#lookup(left.name as string, at ?? type);
          const cls = right.name as string;
          return binding?.source === "namespace" && cls in API.classes
            ? { kind: "instance", cls }
            : null;
        }
        return null;
      }
      case "TSUnionType": {
        const members = nodes(type.types).filter((t) =>
          t.type !== "TSNullKeyword" && t.type !== "TSUndefinedKeyword"
        );
        return members.length === 1
          ? this.annotationMeaning(members[0], at)
          : null;
      }
      case "TSTupleType":
        return {
          kind: "tuple",
          items: nodes(type.elementTypes).map((t) =>
            this.annotationMeaning(t, at)
          ),
        };
      default:
        return null;
    }
  }

  /** A parameter of a function passed straight to the module as a callback. */
  #callbackParamMeaning(fn: AstNode, index: number): Meaning | null {
    const call = node(fn.parent);
    if (call === null || call.type !== "CallExpression") return null;
    const position = nodes(call.arguments).findIndex((a) =>
      keyOf(a) === keyOf(fn)
    );
    if (position < 0) return null;
    const callbacks = this.#calleeCallbacks(call);
    const cls = callbacks?.[position]?.[index] ?? null;
    return cls === null ? null : { kind: "instance", cls };
  }

  #calleeCallbacks(call: AstNode): Callbacks | null {
    const callee = unwrap(node(call.callee));
    if (callee === null) return null;
    if (callee.type === "MemberExpression") {
      const name = propertyName(callee);
      const object = this.meaning(unwrap(node(callee.object)));
      if (name === null || object === null) return null;
      if (object.kind === "namespace") {
        return API.functions.callbacks[name] ?? null;
      }
      if (object.kind === "instance") {
        return classMember(object.cls, (c) => c.callbacks?.[name]) ?? null;
      }
      return null;
    }
    const meaning = this.meaning(callee);
    return meaning?.kind === "export"
      ? API.functions.callbacks[meaning.name] ?? null
      : null;
  }

  #memberMeaning(object: Meaning | null, name: string): Meaning | null {
    if (object === null) return null;
    switch (object.kind) {
      case "namespace":
        return { kind: "export", name };
      case "instance": {
        const cls = classMember(object.cls, (c) => c.properties?.[name]);
        return cls === undefined ? null : { kind: "instance", cls };
      }
      case "local-instance": {
        const field = classFields(object.cls).get(name);
        if (field === undefined) return null;
        return this.meaning(field.value) ??
          this.annotationMeaning(field.annotation, field.at);
      }
      default:
        return null;
    }
  }

  #callMeaning(call: AstNode): Meaning | null {
    const callee = unwrap(node(call.callee));
    if (callee === null) return null;
    if (callee.type === "MemberExpression") {
      const name = propertyName(callee);
      if (name === null) return null;
      const object = this.meaning(unwrap(node(callee.object)));
      if (object === null) return null;
      switch (object.kind) {
        case "namespace":
          return this.#exportCall(call, name);
        case "instance": {
          const result = classMember(object.cls, (c) => c.coroutines?.[name]);
          if (result !== undefined) {
            return {
              kind: "coroutine",
              call,
              fn: null,
              result: resultMeaning(result),
            };
          }
          const cls = classMember(object.cls, (c) => c.returns?.[name]);
          return cls === undefined ? null : { kind: "instance", cls };
        }
        case "local-instance": {
          const method = classMethods(object.cls, false).get(name);
          return isSyncGenerator(method)
            ? { kind: "coroutine", call, fn: method, result: null }
            : null;
        }
        case "class": {
          const method = classMethods(object.cls, true).get(name);
          return isSyncGenerator(method)
            ? { kind: "coroutine", call, fn: method, result: null }
            : null;
        }
        default:
          return null;
      }
    }
    const meaning = this.meaning(callee);
    if (meaning?.kind === "function") {
      return isSyncGenerator(meaning.fn)
        ? { kind: "coroutine", call, fn: meaning.fn, result: null }
        : null;
    }
    if (meaning?.kind === "export") return this.#exportCall(call, meaning.name);
    return null;
  }

  #exportCall(call: AstNode, name: string): Meaning | null {
    const result = API.functions.coroutines[name];
    if (result !== undefined) {
      return {
        kind: "coroutine",
        call,
        fn: null,
        result: resultMeaning(result),
      };
    }
    const cls = API.functions.returns[name];
    return cls === undefined ? null : { kind: "instance", cls };
  }

  /** The class whose instance `this` is at `n`, seen through arrows. */
  #thisClass(n: AstNode): AstNode | null {
    for (let p = node(n.parent); p !== null; p = node(p.parent)) {
      if (p.type === "ArrowFunctionExpression") continue;
      if (p.type === "PropertyDefinition" || p.type === "StaticBlock") {
        return node(node(p.parent)?.parent);
      }
      if (p.type === "FunctionExpression" || p.type === "FunctionDeclaration") {
        const method = node(p.parent);
        if (method?.type !== "MethodDefinition" || method.static === true) {
          return null;
        }
        return node(node(method.parent)?.parent);
      }
    }
    return null;
  }

  /** The coroutine made by `expr`, if it is a call that makes one. */
  coroutineCall(expr: AstNode | null): CoroutineCall | null {
    const call = unwrap(expr);
    if (call === null || call.type !== "CallExpression") return null;
    const meaning = this.meaning(call);
    return meaning?.kind === "coroutine" ? { call, fn: meaning.fn } : null;
  }

  /**
   * Whether a generator function written in the file is a coroutine, rather
   * than an iterator: it waits with `yield*` on something of the module's, on
   * another such coroutine, or its calls are handed to the module
   * (`run(main())`, `createTask(worker())`).
   */
  isCoroutineFunction(fn: AstNode): boolean {
    if (this.#coroutineFunctions === null) {
      this.#coroutineFunctions = this.#findCoroutineFunctions();
    }
    return this.#coroutineFunctions.has(keyOf(fn));
  }

  #findCoroutineFunctions(): Set<string> {
    const found = new Set<string>();
    const waitsOn = new Map<string, string[]>();
    const mark = (fn: AstNode | null) => {
      if (fn !== null) found.add(keyOf(fn));
    };
    for (const y of this.#yields) {
      const fn = enclosingFunction(y);
      if (fn === null || fn.generator !== true) continue;
      const argument = node(y.argument);
      const made = this.coroutineCall(argument);
      if (made !== null) {
        if (made.fn === null) mark(fn);
        else {
          const list = waitsOn.get(keyOf(fn)) ?? [];
          list.push(keyOf(made.fn));
          waitsOn.set(keyOf(fn), list);
        }
        continue;
      }
      const value = this.meaning(unwrap(argument));
      if (
        value?.kind === "instance" &&
        (value.cls === "Future" || value.cls === "Task")
      ) {
        mark(fn);
      }
    }
    for (const call of this.#calls) {
      if (!this.#callsModule(call)) continue;
      for (const argument of nodes(call.arguments)) {
        const items = argument.type === "ArrayExpression"
          ? nodes(argument.elements)
          : [argument];
        for (const item of items) mark(this.coroutineCall(item)?.fn ?? null);
      }
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const [fn, callees] of waitsOn) {
        if (!found.has(fn) && callees.some((c) => found.has(c))) {
          found.add(fn);
          changed = true;
        }
      }
    }
    return found;
  }

  /** Whether `call` calls a function of the module or a method of its classes. */
  #callsModule(call: AstNode): boolean {
    const callee = unwrap(node(call.callee));
    if (callee === null) return false;
    if (callee.type === "MemberExpression") {
      const object = this.meaning(unwrap(node(callee.object)));
      return object?.kind === "namespace" || object?.kind === "instance";
    }
    return this.meaning(callee)?.kind === "export";
  }
}

/**
 * Whether `fn` is a generator function (an `async function*` makes an async
 * iterator, not a coroutine).
 */
function isSyncGenerator(fn: AstNode | undefined): fn is AstNode {
  return fn !== undefined && fn.generator === true && fn.async !== true;
}

function resultMeaning(result: Result): Meaning | null {
  if (result === null) return null;
  if (typeof result === "string") return { kind: "instance", cls: result };
  return {
    kind: "tuple",
    items: result.map((cls) => cls === null ? null : { kind: "instance", cls }),
  };
}

/** Looks `get` up on the exported class `name` and the classes it extends. */
function classMember<T>(
  name: string,
  get: (cls: ClassApi) => T | undefined,
): T | undefined {
  for (
    let cls: string | undefined = name, depth = 0;
    cls && depth < 10;
    depth++
  ) {
    const info: ClassApi | undefined = API.classes[cls];
    if (info === undefined) return undefined;
    const found = get(info);
    if (found !== undefined) return found;
    cls = info.extends;
  }
  return undefined;
}

/** The methods of a class written in the file, by name, to their functions. */
function classMethods(cls: AstNode, statics: boolean): Map<string, AstNode> {
  const methods = new Map<string, AstNode>();
  for (const member of nodes(node(cls.body)?.body)) {
    if (member.type !== "MethodDefinition" || member.kind !== "method") {
      continue;
    }
    if ((member.static === true) !== statics) continue;
    const name = propertyName(member);
    const fn = node(member.value);
    if (name !== null && fn !== null) methods.set(name, fn);
  }
  return methods;
}

interface Field {
  value: AstNode | null;
  annotation: AstNode | null;
  /** Where the annotation's names are resolved. */
  at: AstNode;
}

/**
 * The instance fields of a class written in the file: declared ones
 * (`#lock = new Lock()`, `queue: Queue<T>`), constructor parameter
 * properties (`constructor(private lock: Lock)`), and the constructor's
 * own `this.x = ...` statements.
 */
export function classFields(cls: AstNode): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const member of nodes(node(cls.body)?.body)) {
    if (member.type === "PropertyDefinition" && member.static !== true) {
      const name = propertyName(member);
      if (name === null) continue;
      fields.set(name, {
        value: node(member.value),
        annotation: node(member.typeAnnotation),
        at: member,
      });
    }
    if (member.type !== "MethodDefinition" || member.kind !== "constructor") {
      continue;
    }
    const ctor = node(member.value);
    if (ctor === null) continue;
    for (const param of nodes(ctor.params)) {
      if (param.type !== "TSParameterProperty") continue;
      let inner = node(param.parameter);
      if (inner?.type === "AssignmentPattern") inner = node(inner.left);
      if (inner?.type !== "Identifier") continue;
      fields.set(inner.name as string, {
        value: null,
        annotation: node(inner.typeAnnotation),
        at: param,
      });
    }
    for (const statement of nodes(node(ctor.body)?.body)) {
      const assignment = node(statement.expression);
      if (assignment?.type !== "AssignmentExpression") continue;
      const left = node(assignment.left);
      if (
        left?.type !== "MemberExpression" ||
        node(left.object)?.type !== "ThisExpression"
      ) {
        continue;
      }
      const name = propertyName(left);
      if (name !== null && !fields.has(name)) {
        fields.set(name, {
          value: node(assignment.right),
          annotation: null,
          at: assignment,
        });
      }
    }
  }
  return fields;
}

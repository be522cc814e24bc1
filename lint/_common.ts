// Helpers the rules share.

import {
  type AstNode,
  enclosingFunction,
  type FileAnalysis,
  node,
  nodes,
  propertyName,
  unwrap,
} from "./_analysis.ts";

/** A rule's visitors, as the plugin API takes them. */
export type Visitors = Record<string, (n: AstNode) => void>;

/** `a` and `b` together: where both visit a node type, both run. */
export function mergeVisitors(a: Visitors, b: Visitors): Deno.lint.LintVisitor {
  const merged: Visitors = { ...a };
  for (const [type, visit] of Object.entries(b)) {
    const first = merged[type];
    merged[type] = first === undefined ? visit : (n) => {
      first(n);
      visit(n);
    };
  }
  return merged as Deno.lint.LintVisitor;
}

/** The source text of `n`. */
export function textOf(ctx: Deno.lint.RuleContext, n: AstNode): string {
  return ctx.sourceCode.text.slice(n.range[0], n.range[1]);
}

/** `sleep(...)` or `lock.acquire()`: a call as messages show it. */
export function callText(ctx: Deno.lint.RuleContext, call: AstNode): string {
  const callee = unwrap(node(call.callee)) ?? call;
  let text = textOf(ctx, callee).replace(/\s+/g, " ");
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `${text}(${nodes(call.arguments).length > 0 ? "..." : ""})`;
}

/**
 * The module's methods and functions that take a callback, and where: the
 * argument index, and whether the callback is called with arguments of its
 * own (besides the extra arguments some of them forward).
 */
const CALLBACK_METHODS: Record<string, { index: number; withArgs: boolean }> = {
  callSoon: { index: 0, withArgs: false },
  callSoonThreadsafe: { index: 0, withArgs: false },
  callLater: { index: 1, withArgs: false },
  callAt: { index: 1, withArgs: false },
  addSignalHandler: { index: 1, withArgs: false },
  addDoneCallback: { index: 0, withArgs: true },
  setExceptionHandler: { index: 0, withArgs: true },
};

const CALLBACK_FUNCTIONS: Record<string, { index: number; withArgs: boolean }> =
  {
    startServer: { index: 0, withArgs: true },
    startUnixServer: { index: 0, withArgs: true },
  };

/** A callback handed to the module, and the call it is handed to. */
export interface CallbackArgument {
  /** The callback expression. */
  callback: AstNode;
  /** The method or function that takes it, as messages show it. */
  taker: string;
  /** Whether it is called with arguments. */
  calledWithArgs: boolean;
}

/**
 * The callback argument of `call`, if it is a call of one of the module's
 * callback-taking methods (by name: `callSoon` and its kin are names of this
 * API) or functions (`startServer`, resolved through the imports).
 */
export function callbackArgument(
  analysis: FileAnalysis,
  call: AstNode,
): CallbackArgument | null {
  const callee = unwrap(node(call.callee));
  if (callee === null) return null;
  let name: string | null = null;
  let entry: { index: number; withArgs: boolean } | undefined;
  if (callee.type === "MemberExpression") {
    name = propertyName(callee);
    if (name !== null) {
      entry = CALLBACK_METHODS[name];
      const object = analysis.meaning(unwrap(node(callee.object)));
      if (entry === undefined && object?.kind === "namespace") {
        entry = CALLBACK_FUNCTIONS[name];
      }
    }
  } else {
    const meaning = analysis.meaning(callee);
    if (meaning?.kind === "export") {
      name = meaning.name;
      entry = CALLBACK_FUNCTIONS[name];
    }
  }
  if (name === null || entry === undefined) return null;
  const args = nodes(call.arguments);
  const callback = args[entry.index];
  if (callback === undefined || callback.type === "SpreadElement") return null;
  return {
    callback,
    taker: `${name}()`,
    calledWithArgs: entry.withArgs || args.length > entry.index + 1,
  };
}

/** Whether `n` sits directly in a plain (not async) generator function. */
export function inPlainGenerator(n: AstNode): boolean {
  const fn = enclosingFunction(n);
  return fn !== null && fn.generator === true && fn.async !== true;
}

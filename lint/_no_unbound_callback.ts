// no-unbound-callback: a method passed as a callback without its object
// loses `this` when the loop calls it.

import {
  type AstNode,
  classFields,
  FileAnalysis,
  node,
  propertyName,
  unwrap,
} from "./_analysis.ts";
import { callbackArgument, mergeVisitors, textOf } from "./_common.ts";

/** Objects whose functions do not need `this` (Deno binds console's). */
const UNBOUND_OK = new Set(["console", "globalThis", "self", "window"]);

/** The rule. */
export const noUnboundCallback: Deno.lint.Rule = {
  create(ctx) {
    const analysis = new FileAnalysis(ctx.filename);
    const calls: AstNode[] = [];
    return mergeVisitors(analysis.visitors(), {
      CallExpression: (n) => {
        calls.push(n);
      },
      "Program:exit": () => {
        for (const call of calls) {
          const argument = callbackArgument(analysis, call);
          if (argument === null) continue;
          const member = unwrap(argument.callback);
          if (member?.type !== "MemberExpression") continue;
          if (!needsThis(analysis, member)) continue;
          const text = textOf(ctx, member);
          const object = textOf(ctx, node(member.object)!);
          const rest = ["args", "params", "values"].find((name) =>
            !new RegExp(`\\b${name}\\b`).test(object)
          ) ?? "args";
          const arrow = argument.calledWithArgs
            ? `(...${rest}) => ${text}(...${rest})`
            : `() => ${text}()`;
          ctx.report({
            range: argument.callback.range,
            message:
              `\`${text}\` is passed to \`${argument.taker}\` without its object: \`this\` is lost when it is called`,
            hint: `Pass an arrow function: \`${arrow}\`.`,
            fix: (fixer) =>
              fixer.replaceTextRange(argument.callback.range, arrow),
          });
        }
      },
    });
  },
};

/**
 * Whether the function `member` reads would lose its `this`: not one of a
 * namespace (`import * as x`, a capitalized class or namespace like `Deno`,
 * `console`), nor a field of the file's own class that holds an arrow
 * function.
 */
function needsThis(analysis: FileAnalysis, member: AstNode): boolean {
  const object = unwrap(node(member.object));
  if (object === null || object.type === "Super") return false;
  if (object.type === "Identifier") {
    const name = object.name as string;
    if (UNBOUND_OK.has(name) || /^[A-Z]/.test(name)) return false;
    if (analysis.isNamespace(name, object)) return false;
  }
  const owner = analysis.meaning(object);
  if (owner?.kind === "local-instance") {
    const name = propertyName(member);
    const field = name === null ? undefined : classFields(owner.cls).get(name);
    const value = unwrap(field?.value ?? null);
    if (value?.type === "ArrowFunctionExpression") return false;
  }
  return true;
}

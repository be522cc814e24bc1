// no-floating-coroutine: a coroutine made and dropped never runs.

import { API } from "./_api.ts";
import {
  type AstNode,
  FileAnalysis,
  node,
  nodes,
  unwrap,
} from "./_analysis.ts";
import {
  callbackArgument,
  callText,
  inPlainGenerator,
  mergeVisitors,
  textOf,
} from "./_common.ts";

/** The values of `expr` that an expression statement drops. */
function dropped(expr: AstNode | null): AstNode[] {
  const inner = unwrap(expr);
  if (inner === null) return [];
  switch (inner.type) {
    case "LogicalExpression":
      return dropped(node(inner.right));
    case "ConditionalExpression":
      return [
        ...dropped(node(inner.consequent)),
        ...dropped(node(inner.alternate)),
      ];
    case "SequenceExpression":
      return nodes(inner.expressions).flatMap(dropped);
    default:
      return [inner];
  }
}

/** The rule. */
export const noFloatingCoroutine: Deno.lint.Rule = {
  create(ctx) {
    const analysis = new FileAnalysis(ctx.filename);
    const statements: AstNode[] = [];
    const calls: AstNode[] = [];
    return mergeVisitors(analysis.visitors(), {
      ExpressionStatement: (n) => {
        statements.push(n);
      },
      CallExpression: (n) => {
        calls.push(n);
      },
      "Program:exit": () => {
        for (const statement of statements) {
          const expression = node(statement.expression);
          for (const value of dropped(expression)) {
            const made = analysis.coroutineCall(value);
            if (made === null) continue;
            const text = callText(ctx, made.call);
            const coroutine = made.fn === null ||
              analysis.isCoroutineFunction(made.fn);
            const what = coroutine
              ? "a coroutine that is dropped here, so it never runs"
              : "a generator that is dropped here, so its body never runs";
            // `yield*` is what was meant, and safe to write, only for a
            // coroutine that is the whole statement of a plain generator
            // (not an optional call, which may give `undefined`).
            const fixable = coroutine && value === unwrap(expression) &&
              expression?.type !== "ChainExpression" &&
              inPlainGenerator(statement);
            ctx.report({
              range: made.call.range,
              message: `\`${text}\` makes ${what}`,
              hint:
                `Wait for it with \`yield* ${text}\` (asyncio's \`await\`), or run it beside this code with \`createTask(${text})\`.`,
              fix: fixable
                ? (fixer) =>
                  fixer.insertTextBeforeRange(made.call.range, "yield* ")
                : undefined,
            });
          }
        }
        for (const call of calls) {
          const argument = callbackArgument(analysis, call);
          if (argument === null || argument.taker.startsWith("start")) continue;
          const callback = unwrap(argument.callback);
          if (callback === null) continue;
          const body = callback.type === "ArrowFunctionExpression"
            ? node(callback.body)
            : null;
          const made = body === null ? null : analysis.coroutineCall(body);
          if (made !== null) {
            const text = callText(ctx, made.call);
            ctx.report({
              range: made.call.range,
              message:
                `\`${argument.taker}\` drops what its callback returns, so the coroutine \`${text}\` makes never runs`,
              hint:
                `Run it as a task: \`() => createTask(${text})\`, or schedule it from a coroutine with \`yield*\`.`,
            });
            continue;
          }
          const value = analysis.meaning(callback);
          const isGenerator = value?.kind === "function"
            ? value.fn.generator === true && value.fn.async !== true
            : value?.kind === "export" &&
              value.name in API.functions.coroutines;
          if (isGenerator) {
            const text = textOf(ctx, callback);
            ctx.report({
              range: callback.range,
              message:
                `\`${argument.taker}\` calls \`${text}\` as a plain function: the coroutine it makes is dropped and never runs`,
              hint:
                `Pass a function that starts it as a task: \`() => createTask(${
                  text.startsWith("function") ? "(...)()" : `${text}()`
                })\`.`,
            });
          }
        }
      },
    });
  },
};

// no-plain-yield-coroutine: `yield coro` hands the coroutine itself to the
// task (which throws) instead of running it, as `yield*` does.

import {
  type AstNode,
  enclosingFunction,
  FileAnalysis,
  node,
} from "./_analysis.ts";
import { callText, inPlainGenerator, mergeVisitors } from "./_common.ts";

/** The rule. */
export const noPlainYieldCoroutine: Deno.lint.Rule = {
  create(ctx) {
    const analysis = new FileAnalysis(ctx.filename);
    const yields: AstNode[] = [];
    return mergeVisitors(analysis.visitors(), {
      YieldExpression: (n) => {
        if (n.delegate !== true) yields.push(n);
      },
      "Program:exit": () => {
        for (const y of yields) {
          const made = analysis.coroutineCall(node(y.argument));
          if (made === null) continue;
          // A generator of the file's own may be an iterator that yields
          // iterators: report it only where coroutines are in play, and
          // write `yield*` for it only if it is a coroutine itself.
          const coroutine = made.fn === null ||
            analysis.isCoroutineFunction(made.fn);
          const around = enclosingFunction(y);
          if (
            !coroutine &&
            (around === null || !analysis.isCoroutineFunction(around))
          ) {
            continue;
          }
          const text = callText(ctx, made.call);
          const start = y.range[0];
          const fixable = coroutine && inPlainGenerator(y) &&
            ctx.sourceCode.text.slice(start, start + 5) === "yield";
          ctx.report({
            range: y.range,
            message: `\`yield ${text}\` hands the ${
              coroutine ? "coroutine" : "generator"
            } itself to the task instead of running it`,
            hint:
              `Write \`yield* ${text}\`: \`yield*\` is asyncio's \`await\`.`,
            fix: fixable
              ? (fixer) => fixer.insertTextAfterRange([start, start + 5], "*")
              : undefined,
          });
        }
      },
    });
  },
};

/**
 * Asks the planner model for a script through the forced `submit_plan` tool,
 * validates it, and sends each rejection (with its line) back for repair.
 */
import type { ContentBlock, ContentBlockParam, MessageParam, ToolUseBlock } from "@anthropic-ai/sdk/resources/messages";
import type { Logger } from "pino";
import { withCacheControl, type ModelClient } from "../agents/model/index.js";
import { validateScript } from "../runtime/script/parse-script.js";
import { addUsage, ZERO_USAGE, type ScriptMeta, type TokenUsage } from "../runtime/types.js";
import { PlanFailedError } from "./errors.js";
import type { PlanPrompt } from "./build-plan-prompt.js";
import { SUBMIT_PLAN_TOOL } from "./build-plan-prompt.js";

export interface RequestPlanOptions {
  model: ModelClient;
  /** Model id of the planner. */
  modelId: string;
  prompt: PlanPrompt;
  /** Repairs after the first attempt. Default 2. */
  maxRepairs?: number;
  /** Output tokens per attempt. Default 16,000. */
  maxTokens?: number;
  /** Longest script accepted, in characters. Default 50,000. */
  maxScriptChars?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface WrittenPlan {
  source: string;
  meta: ScriptMeta;
  rationale: string;
  usage: TokenUsage;
  costUsd: number;
  /** Model calls made. */
  attempts: number;
}

/** The file name validation errors name. */
export const PLAN_FILENAME = "plan.js";

type Submission = { ok: true; script: string; rationale: string } | { ok: false; problem: string };

/**
 * Returns the first submitted script that passes `validateScript`. Throws
 * `PlanFailedError` after `1 + maxRepairs` rejected attempts; model API
 * failures (`ModelApiError`, `ModelCallAbortedError`) propagate as they are.
 */
export async function requestPlanScript(options: RequestPlanOptions): Promise<WrittenPlan> {
  const maxAttempts = 1 + (options.maxRepairs ?? 2);
  const maxScriptChars = options.maxScriptChars ?? 50_000;
  const messages: MessageParam[] = [{ role: "user", content: options.prompt.content }];
  const errors: string[] = [];
  let usage: TokenUsage = { ...ZERO_USAGE };
  let costUsd = 0;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const request = withCacheControl(
      {
        model: options.modelId,
        max_tokens: options.maxTokens ?? 16_000,
        system: options.prompt.system,
        tools: [SUBMIT_PLAN_TOOL],
        tool_choice: { type: "tool", name: SUBMIT_PLAN_TOOL.name, disable_parallel_tool_use: true },
        messages,
      },
      // Repairs resend the whole first message; caching it makes each repair cost its new turns only.
      { sharedPrefixEnd: { message: 0, block: options.prompt.content.length - 1 } },
    );
    const response = await options.model.createMessage(request.params, { signal: options.signal, prefixKey: request.prefixKey });
    usage = addUsage(usage, response.usage);
    costUsd += response.costUsd;

    const call = response.message.content.find(
      (block): block is ToolUseBlock => block.type === "tool_use" && block.name === SUBMIT_PLAN_TOOL.name,
    );
    const submission = readSubmission(call, response.message.stop_reason, options.maxTokens ?? 16_000, maxScriptChars);
    let problem: string;
    let lines = "";
    if (submission.ok) {
      const checked = validateScript(submission.script, PLAN_FILENAME);
      if (checked.ok) {
        options.log?.info({ attempts: attempt, name: checked.meta.name }, "plan script accepted");
        return { source: submission.script, meta: checked.meta, rationale: submission.rationale, usage, costUsd, attempts: attempt };
      }
      problem = checked.error.message;
      lines = excerpt(submission.script, checked.error.line);
    } else {
      problem = submission.problem;
    }
    errors.push(problem);
    options.log?.info({ attempt, problem }, "plan script rejected");
    if (attempt === maxAttempts) break;

    const feedback =
      `The script was rejected: ${problem}` +
      (lines ? `\n\nThe lines around it:\n${lines}` : "") +
      `\n\nFix it and call submit_plan again with the whole corrected script.`;
    messages.push(
      { role: "assistant", content: toParams(response.message.content) },
      { role: "user", content: repairTurn(response.message.content, call, feedback) },
    );
  }
  throw new PlanFailedError({ attempts: maxAttempts, errors, usage, costUsd });
}

function readSubmission(call: ToolUseBlock | undefined, stopReason: string | null, maxTokens: number, maxChars: number): Submission {
  if (stopReason === "max_tokens") {
    return { ok: false, problem: `the answer was cut off at the output limit (${maxTokens} tokens); write a shorter script` };
  }
  if (call === undefined) return { ok: false, problem: "no submit_plan call came back; submit the script with the submit_plan tool" };
  const input = call.input as { script?: unknown; rationale?: unknown } | null;
  if (typeof input?.script !== "string" || input.script.trim() === "") {
    return { ok: false, problem: "submit_plan needs `script`, the complete script as a string" };
  }
  if (input.script.length > maxChars) {
    return {
      ok: false,
      problem:
        `the script is ${input.script.length} characters, over the limit of ${maxChars}; ` +
        `the script coordinates agents and should not carry their work`,
    };
  }
  return { ok: true, script: input.script, rationale: typeof input.rationale === "string" ? input.rationale : "" };
}

/** Lines `line - 2` to `line + 2` of `source`, numbered, the offending line marked with `>`. */
function excerpt(source: string, line: number): string {
  const lines = source.split(/\r\n|\r|\n/);
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 2);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${lines[n - 1] ?? ""}`);
  return out.join("\n");
}

/**
 * The user turn after a rejection. The API wants a result for every tool call
 * of the previous turn: the feedback goes to the one that was read.
 */
function repairTurn(content: ContentBlock[], call: ToolUseBlock | undefined, feedback: string): ContentBlockParam[] | string {
  const calls = content.filter((block): block is ToolUseBlock => block.type === "tool_use");
  if (calls.length === 0) return feedback;
  return calls.map((block) => ({
    type: "tool_result" as const,
    tool_use_id: block.id,
    is_error: true,
    content: block === call ? feedback : "ignored: only one submit_plan call is read per turn",
  }));
}

/** The assistant turn sent back as request parameters (the response types carry extra, response-only fields). */
function toParams(content: ContentBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const block of content) {
    if (block.type === "text") out.push({ type: "text", text: block.text });
    else if (block.type === "tool_use") out.push({ type: "tool_use", id: block.id, name: block.name, input: block.input });
  }
  return out;
}

/**
 * The tool-use loop every agent runs: send the conversation, run the tools
 * the model asked for, send their results back, until the model calls
 * `finish`, the turns run out, the run is cancelled or the model fails.
 *
 * It never throws for what happens inside the conversation: the caller gets
 * a `ToolLoopResult` saying how it stopped, with the usage so far, and
 * decides what that means for its role (commit partial work, fail, ...).
 */
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  ToolResultBlockParam,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages";
import type { Logger } from "pino";
import { addUsage, ZERO_USAGE, type TokenUsage, type WebToolsGrant } from "../runtime/types.js";
import { InvalidSearchPatternError, WorkspacePathError } from "../workspace/index.js";
import { ToolInputError } from "./errors.js";
import { ModelCallAbortedError, withCacheControl, type ModelClient } from "./model/index.js";
import { NO_SERVER_TOOL_USE, type ServerToolUse } from "./model/models.js";
import { shrinkContext, SHRINK_THRESHOLD } from "./shrink-context.js";
import { capOutput } from "./tools/cap-output.js";
import type { AgentTool, FinishPayload } from "./tools/types.js";
import type { AgentTranscript } from "../transcripts/types.js";
import { webToolDefinitions } from "./tools/web-tool-definitions.js";

export interface ToolLoopOptions {
  model: ModelClient;
  modelId: string;
  system: string;
  tools: readonly AgentTool[];
  /** First block of the first message: identical for sibling agents, so it is cached and shared. */
  shared: string;
  /** The per-agent part of the first message, after the shared block. */
  prompt: string;
  maxTurns: number;
  maxOutputTokens: number;
  /** Effort or thinking settings of every request, with the `max_tokens` they need (see `effortParams`); default none. */
  effort?: Pick<MessageCreateParamsNonStreaming, "max_tokens" | "output_config" | "thinking">;
  /** Anthropic's web tools this agent may use, and how often; none when omitted. */
  web?: WebToolsGrant;
  contextWindowTokens: number;
  maxToolOutputChars: number;
  signal: AbortSignal;
  log: Logger;
  /** Records the conversation (prompt, turns, tool calls); writes are batched, so this costs the loop nothing measurable. */
  transcript?: AgentTranscript;
  /** Milliseconds for the transcript's timings. Default `performance.now`. */
  now?: () => number;
}

/** How the loop ended. Only `finished` carries a result. */
export type LoopStop = "finished" | "max_turns" | "aborted" | "model_error" | "refused" | "context_exhausted" | "tool_failure";

export interface ToolLoopResult {
  stop: LoopStop;
  finish: FinishPayload | null;
  /** Summed over every model call, cache tokens included. */
  usage: TokenUsage;
  /** Summed per call (each priced on its own prompt length). */
  costUsd: number;
  /** Model calls made. */
  turns: number;
  /** Text of the last assistant message that had any. */
  lastText: string | null;
  /** What stopped the loop, for `aborted`, `model_error` and `tool_failure`. */
  error: unknown;
  toolCalls: number;
  toolErrors: number;
  /** Tool results elided to stay inside the context window. */
  elided: number;
  /** Web searches and fetches the API ran for this agent (their cost is in `costUsd`). */
  serverToolUse: ServerToolUse;
}

const NUDGE_NO_TOOL =
  "You did not call a tool. Continue with the tools; when you are done, call finish with your summary and result.";
const NUDGE_CUT_OFF =
  "Your reply was cut off at the output limit. Work in smaller steps (for example edit_file instead of rewriting a " +
  "whole file) and call finish when you are done.";
const CUT_OFF_CALL =
  "This call was cut off at the output limit, so its input may be incomplete; it was not run. Repeat it in smaller steps.";
const LAST_TURN = "You have one turn left: call finish now, with a summary of what you did and what is left undone.";

/** Runs the loop; see the module comment. */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { model, signal, log, transcript } = options;
  const now = options.now ?? (() => performance.now());
  const tools = new Map(options.tools.map((tool) => [tool.definition.name, tool]));
  const definitions = options.tools.map((tool) => tool.definition);
  const result: ToolLoopResult = {
    stop: "max_turns",
    finish: null,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    turns: 0,
    lastText: null,
    error: null,
    toolCalls: 0,
    toolErrors: 0,
    elided: 0,
    serverToolUse: { ...NO_SERVER_TOOL_USE },
  };
  let messages: MessageParam[] = [
    {
      role: "user",
      content: [
        { type: "text", text: options.shared },
        { type: "text", text: options.prompt },
      ],
    },
  ];
  let lastContextTokens = 0;
  let mustShrink = false;
  transcript?.prompt({ model: options.modelId, system: options.system, shared: options.shared, prompt: options.prompt });

  const stop = (why: LoopStop, error: unknown = null) => Object.assign(result, { stop: why, error });

  while (result.turns < options.maxTurns) {
    if (signal.aborted) return stop("aborted", signal.reason);
    if (mustShrink || lastContextTokens > SHRINK_THRESHOLD * options.contextWindowTokens) {
      const shrunk = shrinkContext(messages, 2);
      if (mustShrink && shrunk.elided === 0) return stop("context_exhausted");
      if (shrunk.elided > 0) log.info({ elided: shrunk.elided, contextTokens: lastContextTokens }, "elided old tool results to save context");
      messages = shrunk.messages;
      result.elided += shrunk.elided;
      mustShrink = false;
    }

    const webTools = webToolDefinitions(options.web, result.serverToolUse);
    const { params, prefixKey } = withCacheControl(
      {
        model: options.modelId,
        max_tokens: options.maxOutputTokens,
        ...options.effort,
        system: options.system,
        tools: [...definitions, ...webTools],
        messages: withTailBreakpoint(messages),
      } satisfies MessageCreateParamsNonStreaming,
      { sharedPrefixEnd: { message: 0, block: 0 } },
    );
    let message: Message;
    let turnUsage: TokenUsage = { ...ZERO_USAGE };
    let turnCost = 0;
    const turnStarted = now();
    try {
      const response = await model.createMessage(params, { signal, prefixKey });
      message = response.message;
      result.turns += 1;
      result.usage = addUsage(result.usage, response.usage);
      turnUsage = response.usage;
      turnCost = response.costUsd;
      result.costUsd += response.costUsd;
      result.serverToolUse = {
        webSearch: result.serverToolUse.webSearch + response.serverToolUse.webSearch,
        webFetch: result.serverToolUse.webFetch + response.serverToolUse.webFetch,
      };
      lastContextTokens = response.usage.input + response.usage.cacheWrite + response.usage.cacheRead + response.usage.output;
    } catch (error) {
      if (error instanceof ModelCallAbortedError || signal.aborted) return stop("aborted", error);
      return stop("model_error", error);
    }
    log.debug({ turn: result.turns, stopReason: message.stop_reason, contextTokens: lastContextTokens }, "model turn");

    const text = message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n").trim();
    if (text !== "") result.lastText = text;
    transcript?.turn({ turn: result.turns, usage: turnUsage, costUsd: turnCost, stopReason: message.stop_reason, text, ms: Math.round(now() - turnStarted) });
    messages.push({ role: "assistant", content: message.content.length > 0 ? message.content : [{ type: "text", text: "(no answer)" }] });
    if (message.stop_reason === "refusal") return stop("refused");
    // A server tool (web search or fetch) paused a long turn: sending the conversation back as it is lets it go on.
    if (message.stop_reason === "pause_turn") continue;

    const cutOff = message.stop_reason === "max_tokens" || message.stop_reason === "model_context_window_exceeded";
    if (message.stop_reason === "model_context_window_exceeded") mustShrink = true;
    const calls = message.content.filter((block): block is ToolUseBlock => block.type === "tool_use");
    const reply: ContentBlockParam[] = [];
    if (calls.length === 0) {
      reply.push({ type: "text", text: cutOff ? NUDGE_CUT_OFF : NUDGE_NO_TOOL });
    } else {
      const ran = await runCalls(calls, cutOff);
      if (ran.failure !== undefined) return stop("tool_failure", ran.failure);
      reply.push(...ran.results);
      if (ran.finish) {
        result.finish = ran.finish;
        return stop("finished");
      }
    }
    if (result.turns === options.maxTurns - 1) reply.push({ type: "text", text: LAST_TURN });
    messages.push({ role: "user", content: reply });
  }
  return result;

  async function runCalls(
    calls: ToolUseBlock[],
    cutOff: boolean,
  ): Promise<{ results: ToolResultBlockParam[]; finish?: FinishPayload; failure?: unknown }> {
    const results: ToolResultBlockParam[] = [];
    let finish: FinishPayload | undefined;
    for (const [index, call] of calls.entries()) {
      result.toolCalls += 1;
      const callStarted = now();
      const answer = (content: string, isError: boolean) => {
        if (isError) result.toolErrors += 1;
        results.push({ type: "tool_result", tool_use_id: call.id, content, ...(isError ? { is_error: true } : {}) });
        transcript?.tool({ turn: result.turns, name: call.name, input: call.input, output: content, isError, ms: Math.round(now() - callStarted) });
      };
      // Only the last call of a reply cut off at the output limit can be incomplete.
      if (cutOff && index === calls.length - 1) {
        answer(CUT_OFF_CALL, true);
        continue;
      }
      const tool = tools.get(call.name);
      if (tool === undefined) {
        answer(`There is no tool named "${call.name}". Available tools: ${[...tools.keys()].join(", ")}.`, true);
        continue;
      }
      try {
        const outcome = await tool.run(call.input, { maxChars: options.maxToolOutputChars });
        const content = capOutput(outcome.content, options.maxToolOutputChars, "ask for less at a time");
        answer(content, outcome.isError === true);
        if (outcome.finish) finish = outcome.finish;
      } catch (error) {
        if (!isToolError(error)) {
          log.warn({ tool: call.name, err: error }, "tool failed");
          return { results, failure: error };
        }
        answer(`Error: ${error.message}`, true);
      }
    }
    return { results, finish };
  }
}

/** Errors the model caused and can fix; they become `is_error` tool results. */
function isToolError(error: unknown): error is Error {
  return error instanceof ToolInputError || error instanceof WorkspacePathError || error instanceof InvalidSearchPatternError;
}

/**
 * Marks the end of the conversation for caching, so each turn reads the
 * previous turns from the cache instead of paying for them again. A copy:
 * the stored conversation keeps no markers (the API allows four per request).
 */
function withTailBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (last === undefined || last.role === "system") return [...messages];
  const blocks: ContentBlockParam[] = typeof last.content === "string" ? [{ type: "text", text: last.content }] : [...last.content];
  const tail = blocks.at(-1);
  if (tail === undefined || tail.type === "thinking" || tail.type === "redacted_thinking") return [...messages];
  blocks[blocks.length - 1] = { ...tail, cache_control: { type: "ephemeral" } } as ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks }];
}

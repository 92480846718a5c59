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
import { PatternError } from "../patterns/index.js";
import { addUsage, ZERO_USAGE, type TokenUsage, type WebToolsGrant } from "../runtime/types.js";
import { InvalidSearchPatternError, WorkspacePathError } from "../workspace/index.js";
import { ToolInputError } from "./errors.js";
import { ModelCallAbortedError, NO_SERVER_TOOL_USE, withCacheControl, type ModelClient, type ServerToolUse } from "./model/index.js";
import { shrinkContext, SHRINK_THRESHOLD } from "./shrink-context.js";
import { capOutput } from "./tools/cap-output.js";
import type { AgentTool, FinishPayload } from "./tools/types.js";
import type { AgentTranscript } from "../transcripts/types.js";
import { webToolDefinitions } from "./tools/web-tool-definitions.js";
import { timeStage } from "../timing/stage-timer.js";

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

/** The conversation so far and what the loop has counted. */
interface LoopState {
  readonly options: ToolLoopOptions;
  readonly tools: ReadonlyMap<string, AgentTool>;
  readonly result: ToolLoopResult;
  messages: MessageParam[];
  /** Context size of the last model call, to decide when to shrink. */
  lastContextTokens: number;
  /** The model ran out of context: old tool results must go before the next call. */
  mustShrink: boolean;
  /** The last request's prefix key, and the web tools it was computed with (all else in the prefix is fixed for the loop). */
  prefix: { web: string; key: string } | null;
}

/** What a turn led to: the loop stops, or the next user message. */
type TurnOutcome = { stop: LoopStop; error?: unknown } | { reply: ContentBlockParam[] } | { resend: true };

/** Runs the loop; see the module comment. */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const loop = startLoop(options);
  options.transcript?.prompt({ model: options.modelId, system: options.system, shared: options.shared, prompt: options.prompt });
  while (loop.result.turns < options.maxTurns) {
    if (options.signal.aborted) return stop(loop, "aborted", options.signal.reason);
    if (!shrinkIfNeeded(loop)) return stop(loop, "context_exhausted");
    const called = await callModel(loop);
    if ("stop" in called) return stop(loop, called.stop, called.error);
    const outcome = await answer(loop, called.message);
    if ("stop" in outcome) return stop(loop, outcome.stop, outcome.error);
    if ("resend" in outcome) continue;
    if (loop.result.turns === options.maxTurns - 1) outcome.reply.push({ type: "text", text: LAST_TURN });
    loop.messages.push({ role: "user", content: outcome.reply });
  }
  return loop.result;
}

function startLoop(options: ToolLoopOptions): LoopState {
  return {
    options,
    tools: new Map(options.tools.map((tool) => [tool.definition.name, tool])),
    result: {
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
    },
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: options.shared },
          { type: "text", text: options.prompt },
        ],
      },
    ],
    lastContextTokens: 0,
    mustShrink: false,
    prefix: null,
  };
}

function stop(loop: LoopState, why: LoopStop, error: unknown = null): ToolLoopResult {
  return Object.assign(loop.result, { stop: why, error });
}

/** Elides old tool results when the context is nearly full; false when it must shrink and cannot. */
function shrinkIfNeeded(loop: LoopState): boolean {
  const { options } = loop;
  if (!loop.mustShrink && loop.lastContextTokens <= SHRINK_THRESHOLD * options.contextWindowTokens) return true;
  const shrunk = shrinkContext(loop.messages, 2);
  if (loop.mustShrink && shrunk.elided === 0) return false;
  if (shrunk.elided > 0) options.log.info({ elided: shrunk.elided, contextTokens: loop.lastContextTokens }, "elided old tool results to save context");
  loop.messages = shrunk.messages;
  loop.result.elided += shrunk.elided;
  loop.mustShrink = false;
  return true;
}

/** One model call over the conversation, counted; the loop stops when it fails or is aborted. */
async function callModel(loop: LoopState): Promise<{ message: Message } | { stop: LoopStop; error: unknown }> {
  const { options, result } = loop;
  const web = webToolDefinitions(options.web, result.serverToolUse);
  // Model, system, tools and the first block are the loop's own; only the web tools' allowances change between turns.
  const webKey = JSON.stringify(web);
  const { params, prefixKey } = withCacheControl(
    {
      model: options.modelId,
      max_tokens: options.maxOutputTokens,
      ...options.effort,
      system: options.system,
      tools: [...options.tools.map((tool) => tool.definition), ...web],
      messages: withTailBreakpoint(loop.messages),
    } satisfies MessageCreateParamsNonStreaming,
    { sharedPrefixEnd: { message: 0, block: 0 }, ...(loop.prefix?.web === webKey ? { prefixKey: loop.prefix.key } : {}) },
  );
  loop.prefix = { web: webKey, key: prefixKey };
  const started = now(options);
  try {
    const response = await options.model.createMessage(params, { signal: options.signal, prefixKey });
    result.turns += 1;
    result.usage = addUsage(result.usage, response.usage);
    result.costUsd += response.costUsd;
    result.serverToolUse = {
      webSearch: result.serverToolUse.webSearch + response.serverToolUse.webSearch,
      webFetch: result.serverToolUse.webFetch + response.serverToolUse.webFetch,
    };
    loop.lastContextTokens = response.usage.input + response.usage.cacheWrite + response.usage.cacheRead + response.usage.output;
    options.log.debug({ turn: result.turns, stopReason: response.message.stop_reason, contextTokens: loop.lastContextTokens }, "model turn");
    options.transcript?.turn({
      turn: result.turns,
      usage: response.usage,
      costUsd: response.costUsd,
      stopReason: response.message.stop_reason,
      text: textOf(response.message),
      ms: Math.round(now(options) - started),
    });
    return { message: response.message };
  } catch (error) {
    return { stop: error instanceof ModelCallAbortedError || options.signal.aborted ? "aborted" : "model_error", error };
  }
}

/** Records the model's reply and runs the tools it asked for; a nudge when it asked for none. */
async function answer(loop: LoopState, message: Message): Promise<TurnOutcome> {
  const text = textOf(message);
  if (text !== "") loop.result.lastText = text;
  loop.messages.push({ role: "assistant", content: message.content.length > 0 ? message.content : [{ type: "text", text: "(no answer)" }] });
  if (message.stop_reason === "refusal") return { stop: "refused" };
  // A server tool (web search or fetch) paused a long turn: sending the conversation back as it is lets it go on.
  if (message.stop_reason === "pause_turn") return { resend: true };

  const cutOff = message.stop_reason === "max_tokens" || message.stop_reason === "model_context_window_exceeded";
  if (message.stop_reason === "model_context_window_exceeded") loop.mustShrink = true;
  const calls = message.content.filter((block): block is ToolUseBlock => block.type === "tool_use");
  if (calls.length === 0) return { reply: [{ type: "text", text: cutOff ? NUDGE_CUT_OFF : NUDGE_NO_TOOL }] };
  const ran = await runCalls(loop, calls, cutOff);
  if (ran.failure !== undefined) return { stop: "tool_failure", error: ran.failure };
  if (ran.finish) {
    loop.result.finish = ran.finish;
    return { stop: "finished" };
  }
  return { reply: [...ran.results] };
}

/** Runs the calls in order; a tool error becomes an `is_error` result, any other failure stops the loop. */
async function runCalls(loop: LoopState, calls: ToolUseBlock[], cutOff: boolean): Promise<{ results: ToolResultBlockParam[]; finish?: FinishPayload; failure?: unknown }> {
  const { options, tools, result } = loop;
  const results: ToolResultBlockParam[] = [];
  let finish: FinishPayload | undefined;
  for (const [index, call] of calls.entries()) {
    result.toolCalls += 1;
    const callStarted = now(options);
    const answer = (content: string, isError: boolean) => {
      if (isError) result.toolErrors += 1;
      results.push({ type: "tool_result", tool_use_id: call.id, content, ...(isError ? { is_error: true } : {}) });
      options.transcript?.tool({ turn: result.turns, name: call.name, input: call.input, output: content, isError, ms: Math.round(now(options) - callStarted) });
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
      const outcome = await timeStage("tool", () => tool.run(call.input, { maxChars: options.maxToolOutputChars }));
      const content = capOutput(outcome.content, options.maxToolOutputChars, "ask for less at a time");
      answer(content, outcome.isError === true);
      if (outcome.finish) finish = outcome.finish;
    } catch (error) {
      if (!isToolError(error)) {
        options.log.warn({ tool: call.name, err: error }, "tool failed");
        return { results, failure: error };
      }
      answer(`Error: ${error.message}`, true);
    }
  }
  return { results, finish };
}

/** Errors the model caused and can fix; they become `is_error` tool results. */
function isToolError(error: unknown): error is Error {
  return error instanceof ToolInputError || error instanceof WorkspacePathError || error instanceof InvalidSearchPatternError || error instanceof PatternError;
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

/** The text blocks of a reply, joined. */
function textOf(message: Message): string {
  return message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n").trim();
}

/** The loop's clock for transcript timings. */
function now(options: ToolLoopOptions): number {
  return options.now?.() ?? performance.now();
}

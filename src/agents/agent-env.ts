/**
 * What every role's runner shares: the runner's dependencies with defaults
 * filled in, and the small pieces each role needs the same way (labels, the
 * loop's options, failure messages, report facts).
 */
import type { Logger } from "pino";
import { AgentFailedError } from "../runtime/errors.js";
import { ZERO_USAGE, type AgentRequest, type AgentResult, type JsonValue, type WebToolsGrant } from "../runtime/types.js";
import type { CommitIdentity, GitRepository } from "../workspace/index.js";
import type { ModelClient, Role } from "./model/index.js";
import { effortParams, isEffort } from "./model/index.js";
import { withRolePrompt } from "./prompts/role-prompt.js";
import type { ToolLoopOptions, ToolLoopResult } from "./run-tool-loop.js";
import type { AgentTool } from "./tools/types.js";
import type { AgentTranscript } from "../transcripts/types.js";
import type { RunCommands } from "../command-sandbox/index.js";
import { messageOf } from "../errors.js";

/** Limits of one agent, all filled in. */
export interface AgentLimits {
  maxTurns: number;
  maxToolOutputChars: number;
  contextWindowTokens: number;
  maxOutputTokens: number;
  maxDiffChars: number;
}

/** The runner's dependencies after defaults; shared by every agent of the runner. */
export interface AgentEnv {
  model: ModelClient;
  repository: GitRepository;
  runId: string;
  baseCommit: string;
  /** The shared first block of every agent's conversation (see `describeTask`). */
  sharedContext: string;
  models: Readonly<Record<Role, string>>;
  author: CommitIdentity;
  /** Undefined: the workspace layer's default. */
  protectedPaths: readonly string[] | undefined;
  limits: AgentLimits;
  log: Logger;
  /** This agent's transcript, when transcripts are recorded (set per agent by the runner). */
  transcript?: AgentTranscript;
  /** The run's sandboxed commands; no `run_command` tool without them. */
  commands?: RunCommands;
}

/** The label of an agent, as the runtime named it (never empty). */
export function labelOf(request: AgentRequest): string {
  return request.label.trim() || request.agentId;
}

/** The tool every agent keeps: how it hands back its result. */
const FINISH = "finish";

/**
 * The loop options every role shares; the role adds its system prompt, its
 * message and every tool it has. Its agent type (if any) narrows the tools and
 * adds its role prompt; effort and web tools come from the request. Throws
 * `AgentFailedError`, before any model call, when the agent type leaves the
 * agent no tool but `finish`.
 */
export function loopOptions(
  env: AgentEnv,
  request: AgentRequest,
  role: Role,
  parts: { system: string; prompt: string; tools: AgentTool[]; log: Logger },
): ToolLoopOptions {
  const { options } = request;
  const modelId = modelOf(env, request, role);
  const tools = parts.tools.filter((tool) => offers(options, tool.definition.name));
  const web = narrowWeb(options.web, options);
  const narrowed = options.tools !== undefined || options.withoutTools !== undefined;
  if (narrowed && tools.every((tool) => tool.definition.name === FINISH) && web === undefined && parts.tools.length > 1) {
    const type = options.rolePrompt?.type ?? options.agentType ?? "of this agent";
    throw new AgentFailedError(
      `agent type "${type}" leaves this ${role} no tool to work with: it allows ${(options.tools ?? ["every tool"]).filter((t) => t !== FINISH).join(", ")}` +
        `${options.withoutTools ? ` without ${options.withoutTools.join(", ")}` : ""}, and a ${role} here has ${parts.tools.map((t) => t.definition.name).filter((t) => t !== FINISH).join(", ")}`,
      { ...ZERO_USAGE },
      0,
    );
  }
  const names = [...tools.map((tool) => tool.definition.name), ...(web && web.search > 0 ? ["web_search"] : []), ...(web && web.fetch > 0 ? ["web_fetch"] : [])];
  return {
    model: env.model,
    modelId,
    system: withRolePrompt(parts.system, options.rolePrompt, narrowed ? names : null),
    tools,
    shared: env.sharedContext,
    prompt: parts.prompt,
    maxTurns: maxTurnsOf(env, request),
    maxOutputTokens: env.limits.maxOutputTokens,
    effort: effortParams(modelId, isEffort(options.effort) ? options.effort : undefined, env.limits.maxOutputTokens),
    web,
    contextWindowTokens: env.limits.contextWindowTokens,
    maxToolOutputChars: env.limits.maxToolOutputChars,
    signal: request.signal,
    log: parts.log,
    ...(env.transcript ? { transcript: env.transcript } : {}),
  };
}

/** Whether the agent's type lets it use tool `name` (always, without a type). */
function offers(options: AgentRequest["options"], name: string): boolean {
  if (name === FINISH) return true;
  if (options.tools !== undefined && !options.tools.includes(name)) return false;
  return !(options.withoutTools ?? []).includes(name);
}

/** The web grant without the tools the agent's type does not allow; undefined when nothing is left. */
function narrowWeb(grant: WebToolsGrant | undefined, options: AgentRequest["options"]): WebToolsGrant | undefined {
  if (grant === undefined) return undefined;
  const narrowed = { ...grant, search: offers(options, "web_search") ? grant.search : 0, fetch: offers(options, "web_fetch") ? grant.fetch : 0 };
  return narrowed.search > 0 || narrowed.fetch > 0 ? narrowed : undefined;
}

export function modelOf(env: AgentEnv, request: AgentRequest, role: Role): string {
  return request.options.model ?? env.models[role];
}

/** A script may ask for fewer turns than the configured cap (`caps.maxTurns`), never more. */
export function maxTurnsOf(env: AgentEnv, request: AgentRequest): number {
  return Math.min(request.options.maxTurns ?? env.limits.maxTurns, env.limits.maxTurns);
}

/** Small facts for reports (`AgentResult.meta`); web uses only when there were any. */
export function metaOf(loop: ToolLoopResult, summary: string, model: string): { [key: string]: JsonValue } {
  const { webSearch, webFetch } = loop.serverToolUse;
  return {
    summary,
    turns: loop.turns,
    stopReason: loop.stop,
    model,
    toolCalls: loop.toolCalls,
    toolErrors: loop.toolErrors,
    elidedToolResults: loop.elided,
    ...(webSearch > 0 || webFetch > 0 ? { webSearches: webSearch, webFetches: webFetch } : {}),
  };
}

/** Why an agent stopped without a result, in words (for errors and partial commits). */
export function describeStop(loop: ToolLoopResult, maxTurns: number): string {
  const after = `after ${loop.turns} turn${loop.turns === 1 ? "" : "s"}`;
  switch (loop.stop) {
    case "finished":
      return `finished ${after}`;
    case "max_turns":
      return `reached its limit of ${maxTurns} turns without calling finish`;
    case "aborted":
      return `was cancelled ${after}`;
    case "model_error":
      return `stopped ${after} because the model call failed: ${messageOf(loop.error)}`;
    case "refused":
      return `stopped ${after} because the model refused to continue`;
    case "context_exhausted":
      return `stopped ${after} because the conversation no longer fits the model's context window`;
    case "tool_failure":
      return `stopped ${after} because a tool failed: ${messageOf(loop.error)}`;
  }
}


/**
 * The result of an agent that changes nothing (a refuter, a resolver): what
 * it passed to `finish`, or `AgentFailedError` saying it gave no `missing`
 * and why it stopped.
 */
export function readOnlyResultOf(env: AgentEnv, request: AgentRequest, role: "refuter" | "resolver", loop: ToolLoopResult, missing: string): AgentResult {
  if (loop.stop === "finished" && loop.finish !== null) {
    const meta = metaOf(loop, loop.finish.summary, modelOf(env, request, role));
    return { output: loop.finish.result, usage: loop.usage, costUsd: loop.costUsd, change: null, meta };
  }
  const why = describeStop(loop, maxTurnsOf(env, request));
  throw new AgentFailedError(`${role} "${labelOf(request)}" gave no ${missing}: it ${why}`, loop.usage, loop.costUsd, { cause: loop.error ?? undefined });
}

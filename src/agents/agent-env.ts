/**
 * What every role's runner shares: the runner's dependencies with defaults
 * filled in, and the small pieces each role needs the same way (labels, the
 * loop's options, failure messages, report facts).
 */
import type { Logger } from "pino";
import type { AgentRequest, JsonValue } from "../runtime/types.js";
import type { CommitIdentity, GitRepository } from "../workspace/index.js";
import type { ModelClient, Role } from "./model/index.js";
import type { ToolLoopOptions, ToolLoopResult } from "./run-tool-loop.js";
import type { AgentTool } from "./tools/types.js";
import type { AgentTranscript } from "../transcripts/types.js";

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
}

/** The label of an agent, as the runtime named it (never empty). */
export function labelOf(request: AgentRequest): string {
  return request.label.trim() || request.agentId;
}

/** The loop options every role shares; the role adds model, prompts and tools. */
export function loopOptions(
  env: AgentEnv,
  request: AgentRequest,
  role: Role,
  parts: { system: string; prompt: string; tools: AgentTool[]; log: Logger },
): ToolLoopOptions {
  return {
    model: env.model,
    modelId: modelOf(env, request, role),
    system: parts.system,
    tools: parts.tools,
    shared: env.sharedContext,
    prompt: parts.prompt,
    maxTurns: maxTurnsOf(env, request),
    maxOutputTokens: env.limits.maxOutputTokens,
    contextWindowTokens: env.limits.contextWindowTokens,
    maxToolOutputChars: env.limits.maxToolOutputChars,
    signal: request.signal,
    log: parts.log,
    ...(env.transcript ? { transcript: env.transcript } : {}),
  };
}

export function modelOf(env: AgentEnv, request: AgentRequest, role: Role): string {
  return request.options.model ?? env.models[role];
}

export function maxTurnsOf(env: AgentEnv, request: AgentRequest): number {
  return request.options.maxTurns ?? env.limits.maxTurns;
}

/** Small facts for reports (`AgentResult.meta`). */
export function metaOf(loop: ToolLoopResult, summary: string, model: string): { [key: string]: JsonValue } {
  return {
    summary,
    turns: loop.turns,
    stopReason: loop.stop,
    model,
    toolCalls: loop.toolCalls,
    toolErrors: loop.toolErrors,
    elidedToolResults: loop.elided,
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The agent runner dynflow runs scripts with: each `agent()` call becomes a
 * worker, refuter or resolver agent (by `options.role`, default worker)
 * talking to the model through the model client, over the run's repository.
 */
import { bindRunId } from "../logging/bind-run-id.js";
import { pino, type Logger } from "pino";
import type { AgentRequest, AgentResult, AgentRunner } from "../runtime/types.js";
import type { CommitIdentity, GitRepository } from "../workspace/index.js";
import type { AgentEnv, AgentLimits } from "./agent-env.js";
import { DEFAULT_MODELS, type ModelClient, type Role } from "./model/index.js";
import { describeTask } from "./prompts/task-context.js";
import { runRefuter } from "./run-refuter.js";
import { runResolver } from "./run-resolver.js";
import { runWorker } from "./run-worker.js";
import { recordAgent } from "../transcripts/record-agent.js";
import type { TranscriptRecorder } from "../transcripts/types.js";
import type { RunCommands } from "../command-sandbox/index.js";

export interface AgentRunnerDeps {
  model: ModelClient;
  repository: GitRepository;
  runId: string;
  /** The commit every worker forks from (and refuters of claims without a change read). */
  baseCommit: string;
  /** The run's task in words; part of the cached shared prefix of every agent. */
  task: string;
  /** Model id per role (from config); default `DEFAULT_MODELS`. */
  models?: Partial<Record<Role, string>>;
  /** Commit identity of workers' commits (the app's bot). */
  author: CommitIdentity;
  /** Globs no agent may write; default the workspace layer's default. */
  protectedPaths?: string[];
  limits?: {
    /** Model turns per agent unless `options.maxTurns` says otherwise. Default 40. */
    maxTurns?: number;
    /** Longest tool result shown to the model, in characters. Default 20,000. */
    maxToolOutputChars?: number;
    /** The model's context window in tokens; old tool results are elided above 75% of it. Default 200,000. */
    contextWindowTokens?: number;
    /** `max_tokens` of each model response. Default 16,000. */
    maxOutputTokens?: number;
    /** Longest diff a refuter's first message carries, in characters. Default 60,000. */
    maxDiffChars?: number;
  };
  log?: Logger;
  /** Where each agent's transcript is recorded; none when omitted. */
  transcripts?: TranscriptRecorder;
  /** The run's sandboxed commands: workers and refuters get `run_command`. None: no such tool. */
  commands?: RunCommands;
  /** Told what agents running elsewhere (a `dynflow worker`) could not be offered, for the run's report. */
  onNote?: (note: string) => void;
}

export const DEFAULT_AGENT_LIMITS: Readonly<AgentLimits> = Object.freeze({
  maxTurns: 40,
  maxToolOutputChars: 20_000,
  contextWindowTokens: 200_000,
  maxOutputTokens: 16_000,
  maxDiffChars: 60_000,
});

/** Creates the runner; see `AgentRunnerDeps` for the defaults. */
export function createAgentRunner(deps: AgentRunnerDeps): AgentRunner {
  const env: AgentEnv = {
    model: deps.model,
    repository: deps.repository,
    runId: deps.runId,
    baseCommit: deps.baseCommit,
    sharedContext: describeTask(deps.task, deps.baseCommit),
    models: { ...DEFAULT_MODELS, ...definedEntries(deps.models ?? {}) },
    author: deps.author,
    protectedPaths: deps.protectedPaths,
    limits: { ...DEFAULT_AGENT_LIMITS, ...definedEntries(deps.limits ?? {}) },
    log: bindRunId(deps.log ?? pino({ level: "silent" }), deps.runId),
    ...(deps.commands ? { commands: deps.commands } : {}),
  };

  const runRole = (agentEnv: AgentEnv, request: AgentRequest): Promise<AgentResult> => {
    switch (request.options.role ?? "worker") {
      case "worker":
        return runWorker(agentEnv, request);
      case "refuter":
        return runRefuter(agentEnv, request);
      case "resolver":
        return runResolver(agentEnv, request);
    }
  };
  const { transcripts } = deps;
  return {
    run(request: AgentRequest): Promise<AgentResult> {
      if (transcripts === undefined) return runRole(env, request);
      return recordAgent(transcripts, request, env.repository, (transcript) => runRole({ ...env, transcript }, request));
    },
  };
}

/** Drops undefined values so they do not override defaults when spread. */
function definedEntries<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * An `AgentRunner` that spends no tokens: each agent waits a configurable
 * latency and answers with a schema-valid synthetic value (or a short text),
 * reporting the usage a real agent would likely have had. It previews a plan's
 * shape, concurrency and cost before anything real runs. Nothing a script
 * can read (text, values, branch, commit, files, summary) says it was
 * simulated: a script must not behave one way under the estimate and
 * another for real.
 */
import { createHash } from "node:crypto";
import type { AgentRequest, AgentResult, AgentRunner, ChangeRef, JsonValue, TokenUsage } from "../runtime/types.js";
import { DEFAULT_USAGE_MODEL, estimateAgentUsage, type UsageModel } from "./estimate-usage.js";
import { synthesizeValue } from "./synthesize-value.js";

export interface SimulatedRunnerOptions {
  /** Milliseconds each agent takes. Default 0. */
  latencyMs?: number;
  /** Elements of every synthesized array. Default 3. */
  items?: number;
  usageModel?: UsageModel;
  /** Model assumed when a call names none, for pricing. */
  defaultModel: string;
  /** Dollar cost of a usage on a model. */
  priceOf: (usage: TokenUsage, model: string) => number;
  /** Waits `ms` (injected so tests can use fake timers). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * What simulated refuters conclude. `upheld` (default) previews the
   * cheapest path, one round per line of work; `refuted` previews the most
   * expensive one, every line running all its rounds.
   */
  refuterVerdict?: "upheld" | "refuted";
  /** The file a simulated worker reports as changed; default `README.md`. */
  changedPath?: (request: AgentRequest) => string;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      },
      { once: true },
    );
  });

/** Creates a simulated runner. */
export function createSimulatedRunner(options: SimulatedRunnerOptions): AgentRunner {
  const sleep = options.sleep ?? defaultSleep;
  const usageModel = options.usageModel ?? DEFAULT_USAGE_MODEL;
  return {
    async run(request: AgentRequest): Promise<AgentResult> {
      await sleep(options.latencyMs ?? 0, request.signal);
      const { prompt, options: agentOptions } = request;
      const role = agentOptions.role ?? "worker";
      let output: JsonValue =
        agentOptions.schema === undefined
          ? `Done: ${firstLine(prompt)}`
          : synthesizeValue(agentOptions.schema, { items: options.items ?? 3, seed: request.key });
      if (role === "refuter" && isObject(output) && "verdict" in output) {
        output = { ...output, verdict: options.refuterVerdict ?? "upheld", evidence: "Checked the change against the task; no counterexample found." };
      }
      const usage = estimateAgentUsage(prompt, agentOptions, usageModel);
      const model = agentOptions.model ?? options.defaultModel;
      // A simulated worker "changes" one file, so review and merge steps of the plan show up in the
      // preview; one given no write scope (`write: []`) is read-only and changes nothing.
      const readOnly = agentOptions.write !== undefined && agentOptions.write.length === 0;
      const change = role === "worker" && !readOnly ? simulatedChange(request, options.changedPath?.(request) ?? "README.md") : null;
      return { output, usage, costUsd: options.priceOf(usage, model), change, meta: { simulated: true, model, summary: `Done: ${firstLine(prompt)}` } };
    },
  };
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function firstLine(prompt: string): string {
  const line = prompt.trim().split("\n", 1)[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** A commit id as git would print one, stable for the same call. */
export function pseudoCommit(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

function simulatedChange(request: AgentRequest, path: string): ChangeRef {
  return {
    branch: `dynflow/${request.runId}-work/${request.agentId}`,
    commit: pseudoCommit(request.key),
    base: pseudoCommit(`${request.key}:base`),
    files: [{ path, status: "modified", additions: 1, deletions: 1 }],
    additions: 1,
    deletions: 1,
    incomplete: false,
  };
}

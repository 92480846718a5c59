/**
 * The limits a run gets: the repository's caps and budget, clamped to the
 * deployment's ceilings from the environment. Pure.
 */
import { DEFAULT_RUN_LIMITS, type RunLimits } from "../runtime/types.js";
import type { AppConfig } from "./load-env.js";
import type { RepoConfig } from "./repo-config-schema.js";

export interface ResolvedRunLimits {
  limits: RunLimits;
  /** Max model turns per agent. */
  maxTurns: number;
  /** Wall-clock deadline of the run. */
  deadlineMs: number;
  /** Caps the deployment lowered, e.g. `maxAgents 5000 → 1000`, for the run's status comment. */
  clamped: string[];
}

/** Repository settings within the app's ceilings (`AppConfig.caps`). */
export function resolveRunLimits(repo: RepoConfig, ceilings: AppConfig["caps"]): ResolvedRunLimits {
  const clamped: string[] = [];
  const clamp = (name: string, wanted: number, ceiling: number) => {
    if (wanted <= ceiling) return wanted;
    clamped.push(`${name} ${wanted} → ${ceiling}`);
    return ceiling;
  };
  return {
    limits: {
      ...DEFAULT_RUN_LIMITS,
      maxConcurrency: clamp("maxConcurrency", repo.caps.maxConcurrency, ceilings.maxConcurrency),
      maxAgents: clamp("maxAgents", repo.caps.maxAgents, ceilings.maxAgents),
      maxItems: repo.caps.maxItems,
      budgetTokens: repo.budget.tokens,
      budgetUsd: repo.budget.usd,
    },
    maxTurns: repo.caps.maxTurns,
    deadlineMs: repo.caps.deadlineMinutes * 60_000,
    clamped,
  };
}

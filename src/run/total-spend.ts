/**
 * A run's total spend: its script's agents, the planner's model calls and
 * conflict resolvers. The one sum every surface shows (status comment, check
 * run, report, pull request body, CLI output, dashboard), so they agree. Pure.
 */
import { addUsage, ZERO_USAGE, type TokenUsage } from "../runtime/types.js";

/** Spend of one part of a run, or of all of it. */
export interface Spend {
  /** Agents it counts as (0 for the planner's calls, 1 per resolver agent). */
  agents: number;
  usage: TokenUsage;
  costUsd: number;
}

/** Adds up the parts of a run's spend; missing parts (no planner, say) count nothing. */
export function totalSpend(parts: readonly (Partial<Spend> | null | undefined)[]): Spend {
  let total: Spend = { agents: 0, usage: { ...ZERO_USAGE }, costUsd: 0 };
  for (const part of parts) {
    if (!part) continue;
    total = {
      agents: total.agents + (part.agents ?? 0),
      usage: part.usage ? addUsage(total.usage, part.usage) : total.usage,
      costUsd: total.costUsd + (part.costUsd ?? 0),
    };
  }
  return total;
}

/** The planner's spend as recorded with a run's plan (usage and cost, when the planner ran), as a part of the total. */
export function plannerSpend(plan: { usage?: TokenUsage | undefined; costUsd?: number | undefined } | null | undefined): Spend | null {
  if (!plan || plan.usage === undefined) return null;
  return { agents: 0, usage: plan.usage, costUsd: plan.costUsd ?? 0 };
}

import { ZERO_USAGE, type RunErrorInfo, type RunOutcome } from "./types.js";

/** The outcome of a script that ended in `error` before it ran any agent (refused, or failed to start). */
export function errorOutcome(runId: string, error: RunErrorInfo, wallMs: number): RunOutcome {
  return {
    runId,
    status: "error",
    error,
    result: undefined,
    meta: null,
    agents: [],
    stats: { total: 0, maxConcurrent: 0, failed: 0, cached: 0 },
    phases: [],
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    freshUsage: { ...ZERO_USAGE },
    freshCostUsd: 0,
    wallMs,
    logs: [],
    warnings: [],
  };
}

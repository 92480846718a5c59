/**
 * Facts about a stored run that every view (HTML or text) shows the same
 * way: its subject, whether it has ended, its estimate. Pure.
 */
import { totalSpend } from "../../run/total-spend.js";
import type { RunRecord } from "../../store/index.js";

/** Statuses a run ends in. */
const FINAL: ReadonlySet<string> = new Set(["ok", "error", "capped", "budget-exhausted", "cancelled"]);

/** True once the run has ended. */
export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

/** What the run is about, in one line: the task's first line, else the workflow's name, else its kind. */
export function subjectOf(run: RunRecord): string {
  return run.task?.split("\n", 1)[0]?.slice(0, 200) ?? run.workflow ?? run.kind;
}

/** The estimate a run was admitted on, when its plan has one. */
export function estimateUsd(plan: unknown): number | null {
  const estimate = objectOf(objectOf(plan)?.estimate ?? null);
  const value = estimate?.costUsd ?? estimate?.usd;
  return typeof value === "number" ? value : null;
}

/** What the planner cost, as recorded with the run's plan (0 when no planner ran). */
export function plannerUsd(plan: unknown): number {
  const value = objectOf(plan)?.costUsd;
  return typeof value === "number" ? value : 0;
}

/**
 * What the run has spent: its recorded total once it ended (the report's),
 * else its agents so far plus the planner, summed as every other surface sums it.
 */
export function spentUsd(run: Pick<RunRecord, "result" | "plan">, agentsUsd: number): number {
  const recorded = objectOf(run.result)?.costUsd;
  if (typeof recorded === "number") return recorded;
  return totalSpend([{ costUsd: agentsUsd }, { costUsd: plannerUsd(run.plan) }]).costUsd;
}

/** The value when it is a plain object, else null. */
export function objectOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** JSON text indented, or the text as it is when it is not JSON. */
export function prettyJson(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

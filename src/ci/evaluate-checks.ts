/**
 * The verdict over a commit's check runs and commit statuses. Pure. A check
 * counts when `checks` (globs) names it, or when no list is given, and
 * `ignore` does not; dynflow's own check run never counts. Only the latest of
 * each kind and name counts (a re-run replaces the earlier attempt, a new
 * status of a context the earlier one). No counted check yet means pending:
 * CI may not have started.
 */
import type { CiConfig } from "../config/ci-config.js";
import { compileGlob } from "../patterns/index.js";
import type { CheckRunInfo, CiVerdict } from "./types.js";

/** Conclusions that do not fail CI. */
const PASSING = new Set(["success", "neutral", "skipped"]);

export function evaluateChecks(runs: readonly CheckRunInfo[], settings: Pick<CiConfig, "checks" | "ignore">, ownSlug: string | undefined): CiVerdict {
  const counted = countedChecks(runs, settings, ownSlug);
  const waitingFor = counted.filter((run) => run.status !== "completed").map((run) => run.name);
  if (counted.length === 0) return { state: "pending", waitingFor: settings.checks ?? [] };
  if (waitingFor.length > 0) return { state: "pending", waitingFor };
  const failing = counted.filter((run) => !PASSING.has(run.conclusion ?? ""));
  return failing.length > 0 ? { state: "failed", failing } : { state: "passed", counted: counted.map((run) => run.name) };
}

/** The latest check of every counted kind and name, in name order. */
export function countedChecks(runs: readonly CheckRunInfo[], settings: Pick<CiConfig, "checks" | "ignore">, ownSlug: string | undefined): CheckRunInfo[] {
  const wanted = settings.checks?.map((glob) => compileGlob(glob)) ?? null;
  const ignored = settings.ignore.map((glob) => compileGlob(glob));
  const latest = new Map<string, CheckRunInfo>();
  for (const run of runs) {
    if (ownSlug !== undefined && run.appSlug === ownSlug) continue;
    if (wanted !== null && !wanted.some((match) => match(run.name))) continue;
    if (ignored.some((match) => match(run.name))) continue;
    const key = `${run.kind}\0${run.name}`;
    const seen = latest.get(key);
    if (seen === undefined || run.id > seen.id) latest.set(key, run);
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

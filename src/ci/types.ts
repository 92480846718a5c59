/**
 * The repository's CI as dynflow reads it: check runs on a commit, the
 * verdict over them, and the record of each round of a CI wait.
 */
import { z } from "zod";

/**
 * One check on the head commit, the fields dynflow reads: a check run (what
 * GitHub Actions and Apps report) or a commit status (what many other CI
 * systems report, one per `context`), read as a check of that name.
 */
export interface CheckRunInfo {
  /** A check run, or a commit status; names are counted apart per kind. */
  kind: "check-run" | "status";
  id: number;
  name: string;
  /** `queued`, `in_progress`, `completed` (and GitHub's newer `waiting`, `pending`, `requested`). */
  status: string;
  /** Set once completed: `success`, `failure`, `neutral`, `skipped`, `cancelled`, `timed_out`, ... (a status's `failure` or `error`). */
  conclusion: string | null;
  /** Slug of the App that made it (`github-actions` for Actions jobs). */
  appSlug: string | null;
  detailsUrl: string | null;
  /** The check's own one-line title, when it gave one. */
  title: string | null;
}

/** What the checks on a commit say right now. */
export type CiVerdict =
  | { state: "pending"; waitingFor: string[] }
  | { state: "passed"; counted: string[] }
  | { state: "failed"; failing: CheckRunInfo[] };

/** A failing check with what the repair agents are shown. */
export interface FailingCheck {
  name: string;
  conclusion: string;
  title: string | null;
  annotations: { path: string; line: number | null; level: string; message: string }[];
  /** The end of the job's log (Actions jobs), already bounded; null when none could be read. */
  logTail: string | null;
}

/** How one round of a CI wait ended. */
export const ciRoundSchema = z.object({
  round: z.int().min(0),
  headSha: z.string(),
  outcome: z.enum(["passed", "failed", "timed-out", "repaired", "repair-failed", "cancelled"]),
  /** Names of the failing checks. */
  failing: z.array(z.string()).default([]),
  /** dynflow's own words on the round (e.g. why a repair changed nothing, why the wait was cancelled). */
  note: z.string().optional(),
});
export type CiRound = z.infer<typeof ciRoundSchema>;

export const ciHistorySchema = z.array(ciRoundSchema);

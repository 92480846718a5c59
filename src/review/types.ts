/**
 * Shapes of dynflow's review additions to the script API (`repo`, `worker`,
 * `refute`, `accept`, `discard`, `converge`): what the script sees, and what
 * the run is configured with.
 */
import type { Verdict, WorkerOutcome } from "../agents/types.js";
import type { ModuleDefinition } from "../plan/detect-modules.js";
import type { ChangeToMerge } from "../reconcile/types.js";
import type { ReportClaim } from "../report/types.js";
import type { ChangeRef, JsonValue } from "../runtime/types.js";

export type { ModuleDefinition, RepoModule } from "../plan/detect-modules.js";

/** How a run reviews changes. */
export interface ReviewConfig {
  /** Refuter agents per `refute()` call unless the call says otherwise (1–16). */
  refutersPerClaim: number;
  /** Rounds of `converge()`: its default and its cap (1–10). */
  maxRounds: number;
  /** Modules from the repository's config; detected from the file list when absent or empty. */
  modules?: ModuleDefinition[];
}

/**
 * A worker's change as the script sees it. `branch`/`commit` are null and
 * `files` empty when the worker changed nothing.
 */
export interface Change {
  /** `<line>.<round>`, e.g. `w2.1`. */
  id: string;
  /** The line of work this change belongs to, e.g. `w2`. */
  line: string;
  label: string;
  round: number;
  /** The worker's own account of what it did (its text, or `summary` of its object). */
  summary: string;
  /** The worker's whole result: text, or the object its schema asked for. */
  result: JsonValue;
  branch: string | null;
  commit: string | null;
  base: string;
  files: ChangeRef["files"];
  additions: number;
  deletions: number;
  incomplete: boolean;
}

/** One refuter's vote as the script sees it. */
export interface ScriptVote {
  verdict: Verdict;
  evidence: string;
}

/** The combined decision over the refuters of one claim, as the script sees it. */
export interface ScriptReview {
  verdict: Verdict;
  votes: ScriptVote[];
  /** The evidence behind the verdict (the refuting votes', the upholding votes', or why none could run). */
  evidence: string;
}

/** How a `converge()` loop ended. */
export type ConvergeStatus = "accepted" | "refuted" | "unverified" | "failed" | "unchanged";

export interface ConvergeResult {
  status: ConvergeStatus;
  /** The last round's change; null when the last worker failed. */
  change: Change | null;
  /** The last round's review; null when no review ran. */
  review: ScriptReview | null;
  rounds: number;
}

/** A line's status: a worker outcome's, or `unchanged` when its worker changed nothing. */
export type LineStatus = WorkerOutcome["status"] | "unchanged";

/** One line of work as reported, including lines that changed nothing. */
export interface LineOutcome extends Omit<WorkerOutcome, "status"> {
  status: LineStatus;
  /** Line id (`w3`), or the agent id for a plain `agent()` call that changed files. */
  line: string;
}

/**
 * The tree a run has built so far: the base with the changes that would be
 * merged now, as one commit a refuter can read. `merged` names the lines in
 * it, `left` those that could not be merged into it (a conflict).
 */
export interface ResultSoFar {
  change: ChangeRef;
  merged: string[];
  left: string[];
}

/** Builds the tree the run has built so far from the changes to merge, in order (never empty). */
export type BuildResultSoFar = (changes: readonly ChangeToMerge[]) => Promise<ResultSoFar>;

/** How one `refute({ claim })` ended: the report's shape of it. */
export type ClaimOutcome = ReportClaim;

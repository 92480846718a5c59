/**
 * Shared vocabulary of worker and refuter agents, used by the script API,
 * reconciliation and the convergence report.
 */
import type { ChangeRef, TokenUsage } from "../runtime/types.js";

/**
 * A refuter's conclusion about one claim.
 * - `refuted`: it found a concrete problem (evidence says what and where).
 * - `upheld`: it tried and could not refute the claim.
 * - `unverified`: the refuter itself could not run (API error, cap, timeout).
 *   Never counted as upheld or as refuted.
 */
export type Verdict = "refuted" | "upheld" | "unverified";

/** One refuter's vote. */
export interface RefutationVote {
  verdict: Verdict;
  /** What the refuter checked or found, with file:line references. */
  evidence: string;
  /** Agent id of the refuter, for the report. */
  agentId: string | null;
}

/** The combined decision over all refuters of one claim. */
export interface Review {
  verdict: Verdict;
  votes: RefutationVote[];
}

/** How one worker's line of work ended, across all its rounds. */
export type WorkerStatus =
  | "accepted" // upheld (or explicitly accepted) and merged
  | "refuted" // still refuted when rounds ran out
  | "unverified" // no refuter could run
  | "unreviewed" // changed files but nobody reviewed it
  | "failed" // the agent failed
  | "capped" // stopped by a cap or budget before finishing
  | "discarded" // the script discarded it
  | "conflicted"; // accepted but could not be merged

/** One worker's line of work as reported. */
export interface WorkerOutcome {
  label: string;
  status: WorkerStatus;
  rounds: number;
  verdicts: Verdict[];
  change: ChangeRef | null;
  usage: TokenUsage;
  costUsd: number;
  /** Why it ended this way, for the report (refutation evidence, error, cap). */
  reason?: string;
}

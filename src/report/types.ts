/**
 * The data a convergence report is rendered from. Built by the caller from the
 * run record, the run outcome and the reconciliation; rendering is pure.
 */
import type { Verdict, WorkerOutcome } from "../agents/types.js";
import type { ReconcileResult } from "../reconcile/types.js";
import type { RunErrorInfo, RunStatus, TokenUsage } from "../runtime/types.js";

/** What was predicted before the run started (agents x tokens x price). */
export interface ReportEstimate {
  agents: number;
  tokens: number;
  costUsd: number;
}

/** What the run actually used. */
export interface ReportTotals {
  agents: number;
  usage: TokenUsage;
  costUsd: number;
  wallMs: number;
}

/** Where the reader can go next; every link is optional. */
export interface ReportLinks {
  /** The run's check run; also where the full report lives when this one is shortened. */
  checkRunUrl?: string;
  /** The comment that started the run. */
  commentUrl?: string;
  /** The run's page on the dashboard, with every agent's transcript. */
  dashboardUrl?: string;
  /** Login of who started the run. */
  requester?: string;
}

export interface ReportModel {
  runId: string;
  /** The task as written in the command, or taken from a workflow's args; null when there is none. */
  task: string | null;
  /** The workflow's name when the run ran one by name; null for a free-text task. */
  workflow: string | null;
  /** `owner/name`. */
  repository: string;
  base: { commit: string; branch: string };
  status: RunStatus;
  error: RunErrorInfo | null;
  /** Every worker's line of work, in the order the report lists them. */
  workers: WorkerOutcome[];
  /** Null when reconciliation did not run. */
  reconcile: Pick<ReconcileResult, "merged" | "conflicts"> | null;
  totals: ReportTotals;
  estimate?: ReportEstimate | null;
  phases: { title: string; agents: number }[];
  /** The plan script's source. */
  script: string;
  /** What was not done and why, one sentence each. */
  notes: string[];
  /**
   * Workers that ran and correctly changed nothing (the work was already
   * done, or not needed): converged, not "not done". Absent means none.
   */
  unchanged?: UnchangedWorker[];
  /** Every claim the plan script had refuted (`refute({ claim })`), with its verdict. Absent means none. */
  claims?: ReportClaim[];
  links?: ReportLinks;
}

/** A claim the plan script had refuted, what it was judged on, and how it ended. */
export interface ReportClaim {
  label: string;
  claim: string;
  /** Null when the run stopped before every refuter answered. */
  verdict: Verdict | null;
  evidence: string;
  /** The base commit, or the run's result so far (the lines merged into it, and those that conflicted). */
  judged: { kind: "base"; commit: string } | { kind: "result"; commit: string; merged: string[]; left: string[] };
}

/** A worker that finished without a change, and what it said about why. */
export interface UnchangedWorker {
  label: string;
  reason: string;
  rounds: number;
  usage: TokenUsage;
  costUsd: number;
}

export interface RenderReportOptions {
  /** Longest report to produce, in UTF-16 code units. Default 65,536 (GitHub's pull request body limit). */
  maxLength?: number;
}

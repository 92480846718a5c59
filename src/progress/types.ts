/**
 * The progress model: what a status comment and a check run show while a run
 * is going, built from the runtime's `RunEvent`s.
 */
import type { ReportEstimate } from "../report/types.js";
import type { RunErrorInfo, RunStatus, TokenUsage } from "../runtime/types.js";

/** `pending` until the script has started, `running` until it has finished, then the run's status. */
export type ProgressStatus = "pending" | "running" | RunStatus;

/**
 * Agents by state. The states are disjoint: `done` counts agents that finished
 * in this execution, `cached` those replayed from the journal.
 */
export interface AgentCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  cached: number;
  total: number;
}

/** One phase's agents. `title` is null for agents started outside any phase. */
export interface PhaseProgress extends AgentCounts {
  title: string | null;
}

/** One `log()` line of the script (or a runtime warning). */
export interface ProgressLogLine {
  level: "info" | "warn";
  message: string;
  at: number;
}

/** A run's progress at one moment. Plain data: safe to keep, compare and render. */
export interface ProgressSnapshot {
  runId: string | null;
  /** The script's `meta.name`. */
  workflow: string | null;
  status: ProgressStatus;
  error: RunErrorInfo | null;
  /** Title of the last `phase()` call. */
  currentPhase: string | null;
  /** Planned phases (from `meta.phases`) first, then others in order of first appearance. */
  phases: PhaseProgress[];
  agents: AgentCounts;
  /** Usage of settled agents (finished, failed and replayed ones). */
  usage: TokenUsage;
  costUsd: number;
  budget: { tokens: number | null; usd: number | null };
  startedAt: number | null;
  finishedAt: number | null;
  elapsedMs: number;
  /** The last log lines, oldest first. */
  logs: ProgressLogLine[];
  /** How many log lines the run has written in all. */
  logCount: number;
}

/** Links a progress view points to; each is optional and rendered only when it is an http(s) URL. */
export interface ProgressLinks {
  checkRunUrl?: string;
  commentUrl?: string;
  pullRequestUrl?: string;
  /** The run's page on the dashboard (when `DYNFLOW_PUBLIC_URL` and sign-in are set). */
  dashboardUrl?: string;
}

/** What the progress renderers need besides the snapshot. */
export interface RenderProgressOptions {
  runId: string;
  /** The estimate made before the run: the progress bar counts against its agents while the run is going. */
  estimate?: ReportEstimate | null;
  links?: ProgressLinks;
  /** Log lines to show, newest last. Default 5 in the status comment, all kept ones in the check run. */
  logLines?: number;
  /**
   * Closing lines written by dynflow itself (markdown, trusted), e.g. why no
   * pull request was opened. Never pass untrusted text here.
   */
  notes?: string[];
}

/** A check run's `output` (each field within the Checks API's 65,535-byte limit). */
export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
}

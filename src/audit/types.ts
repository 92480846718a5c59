/** Shared shapes of scheduled audits: what a schedule hands over when it fires, and what an audit found. */
import type { AuditConfig } from "../config/repo-config.js";
import type { JsonValue } from "../runtime/types.js";
import type { ScheduleRecord } from "../store/index.js";

/** One occurrence of a schedule, handed to `fire` by exactly one process. */
export interface ScheduledFiring {
  /** The schedule as it was when it came due. */
  schedule: ScheduleRecord;
  /**
   * The occurrence (ms). Derive the run's id from the schedule key and this
   * time, so a firing that is delivered again (a queue retry) starts no second run.
   */
  at: number;
  /** The audit to run, read back from the schedule. */
  audit: AuditConfig;
}

/**
 * Starts the audit of one firing. Keep it short (record the run and queue it):
 * the scheduler waits for it before it looks at the next due schedule.
 */
export type FireSchedule = (firing: ScheduledFiring) => Promise<void> | void;

/** One finding of an audit workflow (`workflows/audit.js`), as the model wrote it: untrusted text. */
export interface AuditFinding {
  title: string;
  /** Repository path the finding is about. */
  path: string;
  /** 1-based line, when the finding points at one. */
  line?: number | null;
  /** e.g. critical, high, medium, low, info. */
  severity: string;
  evidence?: string;
  /** How the finding survived refutation (a verdict, or a summary of the refuters' verdicts). */
  verification?: JsonValue;
}

/** Whether a finding was already reported in the audit's issue. */
export type FindingStatus = "new" | "existing";

/** A finding with its identity across runs. */
export interface MarkedFinding extends AuditFinding {
  fingerprint: string;
  status: FindingStatus;
}

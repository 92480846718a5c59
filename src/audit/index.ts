export { nextRunAt, DEFAULT_TIMEZONE, type NextRunOptions } from "./next-run.js";
export { toScheduleInput, auditFromSchedule, type AuditSpec } from "./schedule-spec.js";
export { syncSchedules, removeInstallationSchedules, removeRepositorySchedules, type SyncSchedulesOptions, type SyncedSchedules } from "./sync-schedules.js";
export { configChangedInPush, REPO_CONFIG_PATH, type PushPayloadLike } from "./config-changed-in-push.js";
export { startScheduler, DEFAULT_SCHEDULER_INTERVAL_MS, type Scheduler, type StartSchedulerOptions, type TickResult } from "./start-scheduler.js";
export {
  startQueueScheduler,
  schedulerId,
  toQueuePattern,
  DEFAULT_AUDIT_QUEUE,
  DEFAULT_RECONCILE_INTERVAL_MS,
  type QueueScheduler,
  type StartQueueSchedulerOptions,
} from "./start-queue-scheduler.js";
export { scheduledRunId } from "./scheduled-run-id.js";
export { fingerprintFinding, parseFingerprint } from "./fingerprint-finding.js";
export { diffFindings, type FindingsDiff } from "./diff-findings.js";
export { readAuditResult, type AuditResult } from "./read-audit-result.js";
export { renderAuditIssue, type AuditSpend, type RenderAuditIssueInput } from "./render-audit-issue.js";
export { permalink } from "./render-finding.js";
export { AUDIT_LABEL, auditMarker, isAuditIssueOf } from "./audit-marker.js";
export { publishAuditIssue, type AuditIssueAction, type PublishAuditIssueOptions, type PublishedAuditIssue } from "./publish-audit-issue.js";
export * from "./errors.js";
export type * from "./types.js";

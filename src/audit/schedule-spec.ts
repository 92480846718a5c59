/**
 * How an audit of the repository config is kept in the `schedules` table and
 * read back when it fires. The row holds the timing (`cron`, `timezone`) in
 * columns and the rest of the audit as its `spec`.
 */
import type { AuditConfig } from "../config/repo-config.js";
import { isObject, type JsonValue } from "../runtime/types.js";
import type { ScheduleInput, ScheduleKey } from "../store/index.js";
import { ScheduleSpecError } from "./errors.js";
import { DEFAULT_TIMEZONE, nextRunAt } from "./next-run.js";

/** The part of an audit kept as a schedule's spec. */
export interface AuditSpec {
  workflow: string;
  args?: JsonValue;
  budget?: { tokens?: number; usd?: number };
  batch?: boolean;
}

/**
 * The schedule row of `audit`, its next occurrence strictly after `now`.
 * Throws `InvalidScheduleError` naming the audit when it cannot be scheduled.
 */
export function toScheduleInput(audit: AuditConfig, now: number): ScheduleInput {
  const timezone = audit.timezone ?? DEFAULT_TIMEZONE;
  const spec: { [key: string]: JsonValue } = { workflow: audit.workflow };
  if (audit.args !== undefined) spec["args"] = audit.args;
  if (audit.budget !== undefined) spec["budget"] = JSON.parse(JSON.stringify(audit.budget)) as JsonValue;
  if (audit.batch !== undefined) spec["batch"] = audit.batch;
  return {
    name: audit.name,
    cron: audit.cron,
    timezone,
    spec,
    nextRunAt: nextRunAt(audit.cron, { timezone, after: now, name: audit.name }),
  };
}

/** The audit a stored schedule runs. Throws `ScheduleSpecError` when its spec is not one. */
export function auditFromSchedule(schedule: ScheduleKey & { cron: string; timezone: string; spec: JsonValue }): AuditConfig {
  const { spec } = schedule;
  const where = `${schedule.owner}/${schedule.repo}:${schedule.name}`;
  if (!isObject(spec)) throw new ScheduleSpecError(where, "its spec is not an object");
  const { workflow, args, budget, batch } = spec;
  if (typeof workflow !== "string" || workflow === "") throw new ScheduleSpecError(where, "its spec names no workflow");
  if (batch !== undefined && typeof batch !== "boolean") throw new ScheduleSpecError(where, "its batch is not true or false");
  const audit: AuditConfig = { name: schedule.name, cron: schedule.cron, timezone: schedule.timezone, workflow };
  if (args !== undefined) audit.args = args;
  if (budget !== undefined) {
    if (!isObject(budget)) throw new ScheduleSpecError(where, "its budget is not an object");
    const { tokens, usd } = budget;
    audit.budget = {};
    if (typeof tokens === "number") audit.budget.tokens = tokens;
    if (typeof usd === "number") audit.budget.usd = usd;
  }
  if (batch !== undefined) audit.batch = batch;
  return audit;
}

/**
 * Errors of scheduled audits: schedules that cannot be computed, and inputs
 * of the audit issue that could not be rendered safely.
 */
import { DynflowError } from "../errors.js";

/** What is wrong with a schedule. */
export type ScheduleProblem = "cron" | "timezone" | "never";

/** An audit's cron expression or time zone cannot be scheduled. */
export class InvalidScheduleError extends DynflowError {
  declare readonly code: "invalid_schedule";
  /** The audit the schedule belongs to, when known. */
  readonly audit: string | null;
  readonly cron: string;
  readonly timezone: string;
  readonly problem: ScheduleProblem;

  constructor(fields: { audit: string | null; cron: string; timezone: string; problem: ScheduleProblem; detail?: string }, options?: { cause?: unknown }) {
    const who = fields.audit === null ? "schedule" : `audit "${fields.audit}"`;
    const cron = JSON.stringify(fields.cron.slice(0, 100));
    const detail = fields.detail ? `: ${fields.detail}` : "";
    const message = {
      cron: `${who} has an invalid cron expression ${cron}${detail}. Use five fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * MON".`,
      timezone: `${who} has an unknown time zone ${JSON.stringify(fields.timezone.slice(0, 100))}. Use an IANA name such as Europe/Paris, or UTC.`,
      never: `${who} never runs: no date matches the cron expression ${cron}. Check the day of month against the month (e.g. 31 in February).`,
    }[fields.problem];
    super("invalid_schedule", message, options);
    this.audit = fields.audit;
    this.cron = fields.cron;
    this.timezone = fields.timezone;
    this.problem = fields.problem;
  }
}

/** A stored schedule whose spec is not an audit (written by an incompatible version, or edited by hand). */
export class ScheduleSpecError extends DynflowError {
  declare readonly code: "schedule_spec_invalid";
  /** `<owner>/<repo>:<name>` of the schedule. */
  readonly schedule: string;

  constructor(schedule: string, problem: string) {
    super("schedule_spec_invalid", `schedule ${schedule} cannot be run: ${problem}. Push the repository's .github/dynflow.yml again to rewrite it.`);
    this.schedule = schedule;
  }
}

/** An input of the audit issue that would be unsafe to put in a marker, a link or a title. */
export class AuditIssueInputError extends DynflowError {
  declare readonly code: "audit_issue_input";
  /** The input at fault, e.g. `commit`. */
  readonly field: string;

  constructor(field: string, expected: string, value: unknown) {
    super("audit_issue_input", `Expected \`${field}\` to be ${expected}, got ${JSON.stringify(String(value).slice(0, 80))}`);
    this.field = field;
  }
}

/** An audit run's result is not what an audit workflow returns, so it says nothing about findings. */
export class AuditResultError extends DynflowError {
  declare readonly code: "audit_result_invalid";

  constructor(problem: string) {
    super(
      "audit_result_invalid",
      `the audit's result cannot be reported: ${problem}. An audit workflow returns { findings: [...], unverified: [...], refuted: n }; the audit issue was left as it was.`,
    );
  }
}

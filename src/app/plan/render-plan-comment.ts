/**
 * The plan as the status comment shows it before anything is spent: what
 * kind of plan and why, the estimate (agents, phases, tokens, dollars,
 * duration), what happens next, and the script itself, collapsed. Pure.
 */
import { fitLength } from "../../progress/fit-text.js";
import { cell, codeSpan, escapeInline, truncate } from "../../report/escape-markdown.js";
import { formatDuration, formatTokens, formatUsd, groupDigits } from "../../report/format-values.js";
import { GITHUB_BODY_LIMIT } from "../../report/render-report.js";
import { renderScript } from "../../report/render-script.js";
import type { PlanEstimate } from "../../simulate/estimate-plan.js";
import { renderRunFacts, type RunFacts } from "../surfaces/render-run-comments.js";
import type { StoredPlan } from "../run-record/stored-plan.js";

/** What happens after planning: the run waits for approval, stops at the plan, or starts at once. */
export type PlanNext = "approval" | "plan-only" | "starting";

/** The plans the comment shows: a run that starts at once is shown by its execution's progress instead. */
export type ShownPlanNext = Exclude<PlanNext, "starting">;

export interface PlanCommentInput {
  run: RunFacts;
  plan: StoredPlan;
  script: string;
  next: ShownPlanNext;
}

const HEADLINES: Record<ShownPlanNext, string> = {
  approval: "is waiting for approval",
  "plan-only": "is planned",
};
const REASON_MAX = 600;
const PHASES_SHOWN = 8;

/** The whole comment, within GitHub's comment size limit (the script is the first thing cut). */
export function renderPlanComment(input: PlanCommentInput): string {
  const { run, plan } = input;
  const parts = [`### 📋 dynflow run ${codeSpan(run.id)} ${HEADLINES[input.next]}`, renderRunFacts(run), renderPlanKind(plan)];
  if (plan.estimate !== undefined) parts.push(renderEstimateTable(plan.estimate), renderEstimateNotes(plan.estimate));
  parts.push(renderNext(input));
  const head = `${parts.join("\n\n")}\n\n`;
  const body = `${head}${renderScript(input.script)}\n`;
  if (body.length <= GITHUB_BODY_LIMIT) return body;
  return fitLength(`${head}_The plan script (${groupDigits(input.script.length)} characters) is too long to show here._\n`, GITHUB_BODY_LIMIT, "…\n");
}

/** "**Plan** one agent and its refuters: the task's 3 relevant files … fit in one agent's context …". */
export function renderPlanKind(plan: StoredPlan): string {
  const reason = escapeInline(truncate(plan.reason ?? "", REASON_MAX));
  switch (plan.source) {
    case "single-agent":
      return `**Plan** one agent and its refuters: ${reason}.`;
    case "model-written": {
      const rationale = plan.rationale ? `\n\n> ${escapeInline(truncate(plan.rationale, REASON_MAX))}` : "";
      // The planner was shown the detected modules; what they leave out is said, not silently skipped.
      const uncovered = plan.modulesNote ? `\n\n**Not covered by the detected modules:** ${escapeInline(truncate(plan.modulesNote, REASON_MAX))}. Define \`modules\` in \`.github/dynflow.yml\` to include them.` : "";
      return `**Plan** written by the planner model: ${reason}.${rationale}${uncovered}`;
    }
    case "saved-workflow":
      // Bundled workflows are named `workflows/<name>.js`; saved ones live under `.claude/` or `.github/`.
      return `**Plan** the ${plan.filename?.startsWith("workflows/") ? "bundled" : "saved"} workflow ${codeSpan(plan.filename ?? "")}.`;
    default:
      return "**Plan** not made yet.";
  }
}

/** The estimate as a two-column table. */
export function renderEstimateTable(estimate: PlanEstimate): string {
  const phases =
    estimate.phases.length === 0
      ? "—"
      : `${groupDigits(estimate.phases.length)}: ${estimate.phases
          .slice(0, PHASES_SHOWN)
          .map((phase) => `${cell(phase.title, 40)} (${groupDigits(phase.agents)})`)
          .join(", ")}${estimate.phases.length > PHASES_SHOWN ? ", …" : ""}`;
  return [
    "| Estimate | |",
    "|---|---|",
    `| Agents | ${groupDigits(estimate.agents)} (at most ${groupDigits(estimate.concurrency)} at once) |`,
    `| Phases | ${phases} |`,
    `| Tokens | ${formatTokens(estimate.tokens)} |`,
    `| Cost | ${formatUsd(estimate.costUsd)} |`,
    `| Duration | about ${formatDuration(estimate.durationMs)} |`,
  ].join("\n");
}

function renderEstimateNotes(estimate: PlanEstimate): string {
  const notes = [
    "_Estimated by running the script against simulated agents, with every change upheld in its first round; each refuted round adds a worker and its refuters._",
  ];
  if (estimate.status === "capped" || estimate.status === "budget-exhausted") {
    const why = escapeInline(truncate(estimate.error?.message ?? estimate.status, REASON_MAX));
    notes.push(`**The run would stop early:** ${why}. Finished work would still be reported.`);
  } else if (estimate.status === "error" && estimate.error !== null) {
    const where = estimate.error.line !== undefined ? ` at line ${estimate.error.line}` : "";
    const why = escapeInline(truncate(estimate.error.message, REASON_MAX));
    notes.push(`**The script failed in the simulation${where}:** ${why}. The real run would most likely fail the same way.`);
  }
  return notes.join("\n\n");
}

function renderNext(input: PlanCommentInput): string {
  const { run, plan } = input;
  const approve = `\`/dynflow approve ${run.id}\``;
  const cancel = `\`/dynflow cancel ${run.id}\``;
  switch (input.next) {
    case "plan-only":
      return `This was \`/dynflow plan\`: nothing runs until someone with write access comments ${approve}. ${cancel} drops it.`;
    case "approval": {
      const reasons = plan.approval?.required ? plan.approval.reasons : [];
      const why = reasons.length > 0 ? `Approval is needed: ${reasons.map((reason) => escapeInline(reason)).join("; ")}.` : "Approval is needed.";
      return `${why} Comment ${approve} to start it, or ${cancel} to drop it.`;
    }
  }
}

/**
 * Ends an execution that outgrew the estimate it was admitted on: nothing is
 * pushed, the run waits for `/dynflow approve` (its record says why), the
 * status comment and the check run say what happened and what to do. What
 * finished is in the journal, so an approval continues the run without
 * paying for it again. GitHub writes are best effort; the record always is.
 */
import type { Logger } from "pino";
import { renderCheckRunSummary } from "../../progress/render-check-run-summary.js";
import { escapeInline } from "../../report/escape-markdown.js";
import type { WorkflowResult } from "../../run/types.js";
import type { RunRecord } from "../../store/index.js";
import { toPlanJson, type StoredPlan } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";
import { renderPausedComment } from "../surfaces/render-run-comments.js";
import type { RunProgress } from "../surfaces/run-surfaces.js";

export interface PauseForApprovalOptions {
  run: RunRecord;
  plan: StoredPlan;
  runtime: AppRuntime;
  progress: RunProgress;
  result: WorkflowResult;
  log: Logger;
}

/** Puts the run in `awaiting-approval` with the reason; never throws for a GitHub failure. */
export async function pauseForApproval(options: PauseForApprovalOptions): Promise<void> {
  const { run, plan, runtime, progress, result, log } = options;
  const error = result.outcome.error ?? { code: "estimate_exceeded", message: "the run outgrew its estimate" };
  const finished = result.outcome.agents.filter((agent) => agent.status !== "failed").length;
  log.info({ finished, reason: error.message }, "run outgrew its estimate; waiting for approval");
  const best = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (failure) {
      log.warn({ err: failure }, `could not update the ${what}`);
    }
  };
  const note = `**Waiting for approval** ${escapeInline(error.message)} ${finished} agent${finished === 1 ? "" : "s"} finished and are kept. \`/dynflow approve ${run.id}\` continues the run.`;
  const snapshot = { ...progress.snapshot(), status: "capped", error: null } as const;
  await best("check run", () => progress.checkRun.complete({ status: "capped", draft: true, output: renderCheckRunSummary(snapshot, progress.renderOptions([note])) }));
  await best("status comment", async () => progress.statusComment?.flush(renderPausedComment(run, error.message, finished)));
  await runtime.store.runs.update(run.id, {
    status: "awaiting-approval",
    error: { code: error.code, message: error.message },
    plan: toPlanJson({ ...plan, overrun: { agents: result.outcome.stats.total, costUsd: result.outcome.costUsd } }),
  });
}

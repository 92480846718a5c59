/**
 * `/dynflow approve [run-id]`: starts a run that waits for approval (or was
 * only planned), with exactly the plan and settings that were estimated.
 */
import type { RunIdCommand } from "../../commands/parse-command.js";
import { safeLogin } from "../../report/escape-markdown.js";
import { StaleRunError } from "../../store/index.js";
import type { CommandInput } from "./command-input.js";
import { findRun } from "../run-record/find-run.js";
import { readStoredPlan, toPlanJson } from "../run-record/stored-plan.js";
import { renderQueuedComment } from "../surfaces/render-run-comments.js";
import { describeRunStatus } from "./render-run-status.js";
import { showInStatusComment } from "../surfaces/end-run.js";
import { openStatusComment } from "../surfaces/run-surfaces.js";
import type { AppRuntime } from "../services/types.js";
import { queueRecordedStep } from "./queue-new-run.js";

/** Queues the run's execution, or says why it cannot be approved. */
export async function approveRun(input: CommandInput, runtime: AppRuntime, command: RunIdCommand): Promise<void> {
  const found = await findRun(runtime.store.runs, { ...input, runId: command.runId });
  if (!found.found) return input.reply(found.message);
  const { run } = found;
  if (run.status !== "awaiting-approval" && run.status !== "planned") {
    return input.reply(`Run \`${run.id}\` ${describeRunStatus(run.status)}; only a planned run that waits for approval can be approved.`);
  }
  try {
    // Against the version read: two approvals at once start the run once.
    // Recorded on the plan: an approved run is no longer held to its estimate.
    const plan = toPlanJson({ ...readStoredPlan(run.plan), approvedBy: input.sender });
    await runtime.store.runs.update(run.id, { status: "queued", error: null, plan }, { expectVersion: run.version });
  } catch (error) {
    if (error instanceof StaleRunError) return input.reply(`Run \`${run.id}\` changed while this was approved; check \`/dynflow status ${run.id}\`.`);
    throw error;
  }
  input.log.info({ runId: run.id, approvedBy: input.sender }, "run approved");
  const login = safeLogin(input.sender);
  const statusComment = await openStatusComment(input.github, run, runtime);
  await showInStatusComment(statusComment, renderQueuedComment(run, `Approved${login ? ` by @${login}` : ""}; it starts as soon as a slot is free.`), input.log.child({ runId: run.id }));
  await queueRecordedStep(runtime, { runId: run.id, step: "execute" }, input.log);
}

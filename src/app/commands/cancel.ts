/**
 * `/dynflow cancel [run-id]`: a run executing here is aborted at once (no
 * new agent starts, running ones see the signal; what finished is still
 * pushed and reported). A run that waits (queued, planned, awaiting
 * approval) is marked cancelled and never starts. A run executing in another
 * process is marked cancelled in the store, which that process watches, and
 * in Redis, which the workers running its agents watch. A finished run whose
 * consolidated branch waits for CI stops waiting (its pull request stays a draft).
 */
import type { RunIdCommand } from "../../commands/parse-command.js";
import { markRunCancelled } from "../../queue/agents/create-queued-agent-runner.js";
import { safeLogin } from "../../report/escape-markdown.js";
import type { RunRecordStatus } from "../../store/index.js";
import type { CommandInput } from "./command-input.js";
import { findRun } from "../run-record/find-run.js";
import { renderStoppedComment } from "../surfaces/render-run-comments.js";
import { describeRunStatus } from "./render-run-status.js";
import { showInStatusComment } from "../surfaces/end-run.js";
import { openStatusComment } from "../surfaces/run-surfaces.js";
import type { AppRuntime } from "../services/types.js";
import { showCiState } from "../ci/show-ci-state.js";
import { cancelCiWait } from "../ci/cancel-ci-wait.js";

const WAITING = new Set<RunRecordStatus>(["queued", "planned", "awaiting-approval"]);

/** Cancels the run, or says why there is nothing to cancel. */
export async function cancelRun(input: CommandInput, runtime: AppRuntime, command: RunIdCommand): Promise<void> {
  const found = await findRun(runtime.store.runs, { ...input, runId: command.runId });
  if (!found.found) return input.reply(found.message);
  const { run } = found;
  const login = safeLogin(input.sender);
  const by = login ? `cancelled by @${login}` : "cancelled";

  // A run whose branch waits for CI: the wait ends, the pull request stays a draft. Looked at first: the step
  // that recorded the wait may still be finishing in this process, and cancelling that step would leave the wait.
  const ci = await cancelCiWait(runtime.store, run.id);
  if (ci !== null) {
    input.log.info({ runId: run.id, by: input.sender }, "CI wait cancelled");
    await showCiState(input.github, run, ci, input.log.child({ runId: run.id }));
    return input.reply(`Run \`${run.id}\` no longer waits for CI; its pull request stays a draft.`);
  }
  if (runtime.cancels.cancel(run.id, by)) {
    input.log.info({ runId: run.id, by: input.sender }, "run cancelled while running here");
    return input.reply(`Cancelling run \`${run.id}\`: no new agent starts and running ones stop. What finished is pushed and reported in the status comment.`);
  }
  if (!WAITING.has(run.status) && run.status !== "running") {
    return input.reply(`Run \`${run.id}\` ${describeRunStatus(run.status)}; there is nothing to cancel.`);
  }

  await runtime.queue.remove(run.id);
  await runtime.store.runs.update(run.id, { status: "cancelled", error: { code: "run_cancelled", message: by } });
  input.log.info({ runId: run.id, by: input.sender, was: run.status }, "run cancelled");
  if (run.status === "running") {
    // Workers on other machines stop the run's agents at once, without waiting for its owner to notice.
    if (runtime.agents?.kind === "queue") {
      await markRunCancelled(runtime.agents.queue, run.id).catch((error: unknown) => input.log.warn({ err: error, runId: run.id }, "could not mark the run cancelled for workers"));
    }
    return input.reply(`Run \`${run.id}\` is marked cancelled; the process running it stops it within a minute and reports what finished.`);
  }
  const statusComment = await openStatusComment(input.github, run, runtime);
  await showInStatusComment(statusComment, renderStoppedComment(run, "cancelled", `Cancelled (${by}) before it started; no agent ran for it.`), input.log.child({ runId: run.id }));
  return input.reply(`Run \`${run.id}\` is cancelled; it will not start.`);
}

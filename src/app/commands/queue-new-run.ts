/**
 * The last step of starting a run: show it as planning in its status comment
 * (when it has one: a command's run does, a scheduled audit does not) and
 * queue its planning.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import type { RunRecord } from "../../store/index.js";
import { renderPlanningComment } from "../surfaces/render-run-comments.js";
import { bestEffort, showInStatusComment } from "../surfaces/end-run.js";
import { openStatusComment } from "../surfaces/run-surfaces.js";
import type { AppRuntime } from "../services/types.js";

/** Writes the "planning" status comment (best effort) and queues the run's planning step. */
export async function queueNewRun(github: GitHubClient, run: RunRecord, runtime: AppRuntime, log: Logger): Promise<void> {
  const statusComment = await openStatusComment(github, run, runtime);
  // The planning step writes the status comment again; the run must not wait on this one.
  const runLog = log.child({ runId: run.id });
  const ref = await showInStatusComment(statusComment, renderPlanningComment(run), runLog);
  if (ref) await bestEffort(runLog, "run's status comment id", () => runtime.store.runs.update(run.id, { statusCommentId: ref.id }));
  await runtime.queue.enqueue({ runId: run.id, step: "plan" });
}

/**
 * The start of a CI wait, right after the run's pull request is published:
 * the wait is recorded (the head commit, round 0, the deadline), and the run
 * step ends. Nothing waits in a process: a webhook about that commit, or the
 * sweep at the deadline, queues the run's CI step. The wait is shown by the
 * run's own last writes (`waitingCiSection` ends the pull request body, the
 * check run summary and the status comment), not by edits of its own: each
 * GitHub write of an installation waits its turn, about a second apart.
 */
import type { Logger } from "pino";
import type { CiConfig } from "../../config/ci-config.js";
import type { PublishedPullRequest } from "../../github/open-pull-request.js";
import type { RunRecord } from "../../store/index.js";
import { toColumnJson } from "../run-record/parse-column.js";
import type { AppRuntime } from "../services/types.js";
import { timeoutMsOf } from "./ci-wait-view.js";
import { renderCiSection } from "../../ci/render-ci-section.js";

export interface StartCiWaitOptions {
  runtime: AppRuntime;
  run: RunRecord;
  ci: CiConfig;
  branch: string;
  headSha: string;
  pullRequest: PublishedPullRequest;
  /** Whether the run itself would have made the pull request ready (nothing unconverged). */
  readyWhenGreen: boolean;
  log: Logger;
}

/** Records the wait; the run's surfaces already show it (`waitingCiSection`). */
export async function startCiWait(options: StartCiWaitOptions): Promise<void> {
  const { runtime, run, ci, log } = options;
  const wait = await runtime.store.ciWaits.put({
    runId: run.id,
    installationId: run.installationId,
    owner: run.owner,
    repo: run.repo,
    branch: options.branch,
    headSha: options.headSha,
    round: 0,
    state: "waiting",
    deadline: runtime.clock.now() + timeoutMsOf(ci),
    prNumber: options.pullRequest.number,
    prNodeId: options.pullRequest.nodeId,
    readyWhenGreen: options.readyWhenGreen,
    settings: toColumnJson(ci),
    history: [],
  });
  log.info({ headSha: options.headSha, deadline: wait.deadline }, "waiting for CI on the consolidated branch");
}

/** The CI section of a wait about to start on `headSha` (round 0), as `showCiState` would render it. */
export function waitingCiSection(ci: CiConfig, headSha: string): string {
  return renderCiSection({ state: "waiting", round: 0, repairRounds: ci.repairRounds, headSha, history: [] });
}

/** The draft reason shown while CI has not passed. */
export const WAITING_FOR_CI = "waiting for the repository's CI on the consolidated branch";

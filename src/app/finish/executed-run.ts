/**
 * What the end of an executed run works from: the run as recorded, its plan,
 * its progress on GitHub, and what its script produced.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import type { WorkflowResult } from "../../run/types.js";
import type { RunRecord } from "../../store/index.js";
import type { StoredPlan } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";
import type { RunProgress } from "../surfaces/run-surfaces.js";

export interface ExecutedRun {
  github: GitHubClient;
  run: RunRecord;
  plan: StoredPlan;
  runtime: AppRuntime;
  progress: RunProgress;
  result: WorkflowResult;
  log: Logger;
}

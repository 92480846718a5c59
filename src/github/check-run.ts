/**
 * The run's check run on the base commit: created (or found again by its
 * external id, the run id) once, updated with the progress summary at most
 * once per interval, completed with a conclusion and the full report.
 */
import { bindRunId } from "../logging/bind-run-id.js";
import type { Logger } from "pino";
import { CHECK_OUTPUT_LIMIT, fitBytes, fitLength } from "../progress/fit-text.js";
import { createEditThrottle } from "../progress/throttle-edits.js";
import { systemClock, type Clock, type Timers } from "../time.js";
import type { CheckRunOutput } from "../progress/types.js";
import type { RunStatus } from "../runtime/types.js";
import { requestFailure, type GitHubClient } from "./github-client.js";

/** The check run conclusions dynflow uses. */
export type CheckConclusion = "success" | "neutral" | "failure" | "cancelled";

/**
 * A run that finished with everything converged succeeds; one that finished
 * with a draft's worth of open questions, or stopped at a cap or budget, is
 * neutral (its finished work is still in the pull request); a failed run
 * fails; a cancelled one is cancelled.
 */
export function checkRunConclusion(status: RunStatus, draft: boolean): CheckConclusion {
  switch (status) {
    case "ok":
      return draft ? "neutral" : "success";
    case "error":
      return "failure";
    case "capped":
    case "budget-exhausted":
      return "neutral";
    case "cancelled":
      return "cancelled";
  }
}

export interface CheckRunOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The run's base commit. */
  headSha: string;
  runId: string;
  /** Default `dynflow`. */
  name?: string;
  /** Where "Details" points (e.g. the status comment). */
  detailsUrl?: string;
  /** Least time between two progress updates. A function is asked at each wait (a pace that changes). Default 5,000 ms. */
  minIntervalMs?: number | (() => number);
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
}

export interface CheckRunRef {
  id: number;
  url: string;
}

export interface CompleteCheckRunOptions {
  status: RunStatus;
  /** Whether the pull request stays a draft (see `isDraftWorthy`): an ok run is then neutral, not a success. */
  draft: boolean;
  /** Title and summary (e.g. `renderCheckRunSummary` of the final snapshot). */
  output: CheckRunOutput;
  /** The full convergence report; it becomes `output.text`, cut to the limit. Default: `output.text`. */
  report?: string;
}

export interface CheckRun {
  /** Creates the check run (or finds this run's) and marks it in progress. */
  start(output?: CheckRunOutput): Promise<CheckRunRef>;
  /** Offers new progress; throttled, the latest wins. Failures are logged and retried by the next write. */
  update(output: CheckRunOutput): void;
  /** Forgets an update still waiting for its interval (one in flight goes on). */
  dropPending(): void;
  /** Completes the check run now (after any update in flight); later updates are ignored. Rejects when it fails. */
  complete(options: CompleteCheckRunOptions): Promise<CheckRunRef>;
  readonly current: CheckRunRef | null;
}

/** One write: progress, or the completion. */
type CheckRunWrite =
  | { status: "in_progress"; output?: CheckRunOutput }
  | { status: "completed"; conclusion: CheckConclusion; output: CheckRunOutput };

const TITLE_MAX = 255;
const TRUNCATED = "\n\n_… cut to fit the Checks API's size limit._\n";

/** Output within the Checks API's limits. */
function fitOutput(output: CheckRunOutput): CheckRunOutput {
  const fitted: CheckRunOutput = {
    title: fitLength(output.title.replace(/\s+/g, " ").trim(), TITLE_MAX),
    summary: fitBytes(output.summary, CHECK_OUTPUT_LIMIT, TRUNCATED),
  };
  if (output.text !== undefined) fitted.text = fitBytes(output.text, CHECK_OUTPUT_LIMIT, TRUNCATED);
  return fitted;
}

/** Creates the check run handle; nothing is written until `start`, `update` or `complete`. */
export function createCheckRun(options: CheckRunOptions): CheckRun {
  const { octokit, owner, repo, headSha, runId } = options;
  // Every line names the run once, whether or not the given logger is already the run's.
  const log = options.log ? bindRunId(options.log, runId) : undefined;
  const name = options.name ?? "dynflow";
  const clock = options.clock ?? systemClock;
  const iso = () => new Date(clock.now()).toISOString();
  let current: CheckRunRef | null = null;

  const findExisting = async (): Promise<CheckRunRef | null> => {
    // `filter: all`: with the default (`latest`) a later run's check run of the same name would hide this one.
    const pages = octokit.paginate.iterator(octokit.rest.checks.listForRef, {
      owner,
      repo,
      ref: headSha,
      check_name: name,
      filter: "all",
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find((run) => run.external_id === runId);
      if (found !== undefined) return { id: found.id, url: found.html_url ?? "" };
    }
    return null;
  };

  const fields = (write: CheckRunWrite) => ({
    status: write.status,
    ...(write.status === "completed" ? { conclusion: write.conclusion, completed_at: iso() } : {}),
    ...(write.output !== undefined ? { output: fitOutput(write.output) } : {}),
  });

  /**
   * The check run's id, creating it when this run has none. `applied` says the
   * create call itself carried `write`, so it need not be sent again. Every
   * write goes through the throttle, which never runs two at once; after a failed
   * create the next write looks again, in case the create went through.
   */
  const ensure = async (write: CheckRunWrite): Promise<{ ref: CheckRunRef; applied: boolean }> => {
    if (current !== null) return { ref: current, applied: false };
    const existing = await findExisting();
    if (existing !== null) {
      log?.info({ checkRunId: existing.id }, "check run found again");
      current = existing;
      return { ref: existing, applied: false };
    }
    const { data } = await octokit.rest.checks.create({
      owner,
      repo,
      name,
      head_sha: headSha,
      external_id: runId,
      started_at: iso(),
      ...(options.detailsUrl !== undefined ? { details_url: options.detailsUrl } : {}),
      ...fields(write),
    });
    log?.info({ checkRunId: data.id }, "check run created");
    current = { id: data.id, url: data.html_url ?? "" };
    return { ref: current, applied: true };
  };

  const write = async (payload: CheckRunWrite): Promise<void> => {
    const { ref, applied } = await ensure(payload);
    if (!applied) await octokit.rest.checks.update({ owner, repo, check_run_id: ref.id, ...fields(payload) });
  };

  const throttle = createEditThrottle<CheckRunWrite>({
    write,
    minIntervalMs: options.minIntervalMs,
    clock,
    timers: options.timers,
    onError: (error) => log?.warn({ ...requestFailure(error) }, "check run update failed"),
  });

  return {
    async start(output) {
      // Through the throttle, so writes stay in order and the next update waits its interval.
      await throttle.write(output === undefined ? { status: "in_progress" } : { status: "in_progress", output });
      return current!;
    },
    update: (output) => throttle.update({ status: "in_progress", output }),
    dropPending: () => throttle.dropPending(),
    async complete(done) {
      const output = done.report === undefined ? done.output : { ...done.output, text: done.report };
      await throttle.flush({ status: "completed", conclusion: checkRunConclusion(done.status, done.draft), output });
      return current!;
    },
    get current() {
      return current;
    },
  };
}
